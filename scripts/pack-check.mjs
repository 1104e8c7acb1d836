/**
 * A real `electron-builder --linux dir` of this project without Electron's binary, to check what
 * the package holds where Electron cannot be downloaded: `npm run dist:check` (after
 * `electron-vite build`), and tests/e2e/package-listing.test.ts.
 *
 * electron-builder takes a local Electron (`electronDist`) in place of the download. This one is
 * a stand-in: an `electron` file holding only Electron's fuse wire (the sentinel @electron/fuses
 * looks for, then Electron's default fuses), so the whole build runs as it would for real — files
 * and filters, asar, asarUnpack, the afterPack hook with its contents check, the fuses flipped
 * from electron-builder.yml, app-update.yml — and the result can be read back. Only the Linux
 * layout is stood in for; macOS and Windows builds run the same check in afterPack.
 */
import { spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { checkPackagedApp } from './package-contents.mjs'

const require = createRequire(import.meta.url)
const { SENTINEL } = require('@electron/fuses/dist/constants')
const { FuseV1Options } = require('@electron/fuses')

export const PROJECT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Electron's own fuse defaults, by @electron/fuses index: run as node, cookie encryption, NODE_OPTIONS,
 * --inspect, asar integrity, only load from asar, browser V8 snapshot, file:// privileges.
 */
export const ELECTRON_DEFAULT_FUSES = '10110001'

/** A stand-in Electron for Linux: `electron` with a fuse wire and nothing else to run. */
export async function writeFakeElectronDist(dir) {
  await mkdir(join(dir, 'locales'), { recursive: true })
  await mkdir(join(dir, 'resources'), { recursive: true })
  const wire = Buffer.concat([
    Buffer.from('stand-in for Electron, see scripts/pack-check.mjs\n'),
    Buffer.from(SENTINEL),
    Buffer.from([1, ELECTRON_DEFAULT_FUSES.length]),
    Buffer.from(ELECTRON_DEFAULT_FUSES)
  ])
  const executable = join(dir, 'electron')
  await writeFile(executable, wire)
  await chmod(executable, 0o755)
  return dir
}

/** The fuse states in a packaged binary, by name: true on, false off, null not set. */
export async function readFuses(executable) {
  const { getCurrentFuseWire } = require('@electron/fuses')
  const wire = await getCurrentFuseWire(executable)
  const fuses = {}
  for (const [index, state] of Object.entries(wire)) {
    if (index === 'version') continue
    const name = FuseV1Options[Number(index)] ?? `fuse${index}`
    fuses[name] = state === 49 ? true : state === 48 ? false : null
  }
  return fuses
}

/**
 * Runs electron-builder (its CLI, in a child process) for a Linux x64 `dir` target with the
 * stand-in Electron, output under `workDir`. Needs `electron-vite build` output in out/.
 * Resolves with the packaged app's folders and electron-builder's output; rejects when it fails
 * or takes longer than `timeoutMs`.
 */
export async function packWithFakeElectron({
  workDir,
  projectDir = PROJECT_DIR,
  timeoutMs = 240_000
}) {
  const electronDist = await writeFakeElectronDist(join(workDir, 'electron-dist'))
  const output = join(workDir, 'dist')
  const cli = join(projectDir, 'node_modules', 'electron-builder', 'cli.js')
  const args = [
    cli,
    '--linux',
    'dir',
    '--x64',
    '--publish',
    'never',
    `--config.electronDist=${electronDist}`,
    `--config.directories.output=${output}`
  ]
  const log = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: projectDir,
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A stuck build is killed rather than left behind.
      timeout: timeoutMs,
      killSignal: 'SIGKILL'
    })
    let text = ''
    child.stdout.on('data', (chunk) => (text += chunk))
    child.stderr.on('data', (chunk) => (text += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(text)
      else reject(new Error(`electron-builder exited with ${code ?? 'a kill'}:\n${text}`))
    })
  })
  const appOutDir = join(output, 'linux-unpacked')
  return {
    appOutDir,
    resources: join(appOutDir, 'resources'),
    executable: join(appOutDir, 'sidecast'),
    log
  }
}

async function main() {
  const workDir = await mkdtemp(join(tmpdir(), 'sidecast-pack-check-'))
  try {
    const started = Date.now()
    const packed = await packWithFakeElectron({ workDir })
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    const { problems, entries, asarBytes } = checkPackagedApp({
      resources: packed.resources,
      platform: 'linux',
      arch: 'x64',
      projectDir: PROJECT_DIR
    })
    const files = entries.filter((e) => !e.dir)
    const packages = new Set(
      files.map((e) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(e.path)?.[1]).filter(Boolean)
    )
    console.log(`electron-builder --linux dir: ${seconds} s`)
    console.log(
      `app.asar: ${(asarBytes / 1e6).toFixed(1)} MB, ${files.filter((e) => !e.unpacked).length} files packed, ${files.filter((e) => e.unpacked).length} unpacked, ${packages.size} top-level packages`
    )
    console.log(`packages: ${[...packages].sort().join(' ')}`)
    console.log(
      `unpacked: ${files
        .filter((e) => e.unpacked)
        .map((e) => e.path)
        .join('\n          ')}`
    )
    console.log('fuses:', await readFuses(packed.executable))
    if (problems.length > 0) {
      console.error(`problems:\n  - ${problems.join('\n  - ')}`)
      process.exitCode = 1
    } else {
      console.log('package contents: OK')
    }
  } finally {
    await rm(workDir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main()
}
