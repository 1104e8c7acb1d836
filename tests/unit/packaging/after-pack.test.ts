/**
 * The afterPack hook on folders laid out like each platform's packaged app, and the files filters
 * that keep the installer packages' stray files out of it.
 */
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { minimatch } from 'minimatch'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import afterPack, {
  assertPackageContents,
  makeBundledBinariesExecutable,
  resourcesDir
} from '../../../scripts/after-pack.mjs'
import { builderConfig, ROOT } from './builder-config'

let outDir: string
beforeEach(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'sidecast-after-pack-'))
})
afterEach(async () => {
  await rm(outDir, { recursive: true, force: true })
})

async function put(path: string, mode: number): Promise<string> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, 'binary')
  await chmod(path, mode)
  return path
}

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777

describe('afterPack', () => {
  it.each([
    ['linux', 'linux-x64', '', join('resources')],
    ['win32', 'win32-x64', '.exe', join('resources')],
    ['darwin', 'darwin-arm64', '', join('Sidecast.app', 'Contents', 'Resources')]
  ])('on %s sets 0755 on the bundled ffmpeg and ffprobe', async (platform, pkg, ext, resources) => {
    const unpacked = join(outDir, resources, 'app.asar.unpacked', 'node_modules')
    const ffmpeg = await put(join(unpacked, '@ffmpeg-installer', pkg, `ffmpeg${ext}`), 0o644)
    const ffprobe = await put(join(unpacked, '@ffprobe-installer', pkg, `ffprobe${ext}`), 0o744)
    const readme = await put(join(unpacked, '@ffprobe-installer', pkg, 'README.md'), 0o644)
    await makeBundledBinariesExecutable(resourcesDir(outDir, platform, 'Sidecast'))
    expect(await modeOf(ffmpeg)).toBe(0o755)
    expect(await modeOf(ffprobe)).toBe(0o755)
    expect(await modeOf(readme)).toBe(0o644)
  })

  it('finds macOS resources inside the app bundle', () => {
    expect(resourcesDir('/out/mac-arm64', 'darwin', 'Sidecast')).toBe(
      join('/out/mac-arm64', 'Sidecast.app', 'Contents', 'Resources')
    )
    expect(resourcesDir('/out/linux-unpacked', 'linux', 'Sidecast')).toBe(
      join('/out/linux-unpacked', 'resources')
    )
  })

  it('fails the build when a bundled binary is missing (asarUnpack or a filter dropped it)', async () => {
    const unpacked = join(outDir, 'resources', 'app.asar.unpacked', 'node_modules')
    await put(join(unpacked, '@ffmpeg-installer', 'linux-x64', 'ffmpeg'), 0o644)
    await expect(makeBundledBinariesExecutable(join(outDir, 'resources'))).rejects.toThrow(
      /No bundled ffprobe/
    )
  })

  it('then checks the package contents and fails the build on a problem', async () => {
    const resources = join(outDir, 'resources')
    await put(
      join(resources, 'app.asar.unpacked/node_modules/@ffmpeg-installer/linux-x64/ffmpeg'),
      0o644
    )
    await put(
      join(resources, 'app.asar.unpacked/node_modules/@ffprobe-installer/linux-x64/ffprobe'),
      0o744
    )
    const context = {
      appOutDir: outDir,
      electronPlatformName: 'linux',
      arch: 1, // x64
      packager: { projectDir: ROOT, appInfo: { productFilename: 'Sidecast' } }
    }
    // No app.asar here: the binaries are made executable, then the check stops the build.
    await expect(afterPack(context)).rejects.toThrow(
      /The packaged app is not right[\s\S]*no app\.asar/
    )
    expect(
      await modeOf(
        join(resources, 'app.asar.unpacked/node_modules/@ffprobe-installer/linux-x64/ffprobe')
      )
    ).toBe(0o755)
    expect(() => assertPackageContents(resources, context)).toThrow(/no app\.asar in /)
  })

  it('is the afterPack hook in electron-builder.yml', () => {
    expect(builderConfig().afterPack).toBe('./scripts/after-pack.mjs')
  })
})

describe('files filters for the installer packages and the packages’ extras', () => {
  /** What electron-builder's filter does with the user's patterns: the last that matches wins. */
  function kept(path: string, patterns: readonly string[]): boolean {
    let match = true // node_modules of production dependencies are included by default
    for (const pattern of patterns) {
      const negate = pattern.startsWith('!')
      if (match !== negate) continue
      match = minimatch(path, negate ? pattern.slice(1) : pattern, { dot: true })
      if (negate) match = !match
    }
    return match
  }

  async function filesUnder(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true })
    return entries
      .filter((e) => e.isFile())
      .map((e) => relative(ROOT, join(e.parentPath, e.name)).split('\\').join('/'))
  }

  it('keeps what locate-ffmpeg runs and drops backups, the .env, scripts, types and READMEs', async () => {
    const patterns = (builderConfig().files as string[]).filter((p) => p.startsWith('!'))
    const files = [
      ...(await filesUnder(join(ROOT, 'node_modules/@ffmpeg-installer'))),
      ...(await filesUnder(join(ROOT, 'node_modules/@ffprobe-installer')))
    ]
    const keptFiles = files.filter((f) => kept(f, patterns)).sort()
    const platform = `${process.platform}-${process.arch}`
    const ext = process.platform === 'win32' ? '.exe' : ''
    expect(keptFiles).toEqual(
      expect.arrayContaining([
        'node_modules/@ffmpeg-installer/ffmpeg/index.js',
        'node_modules/@ffmpeg-installer/ffmpeg/lib/verify-file.js',
        'node_modules/@ffmpeg-installer/ffmpeg/package.json',
        `node_modules/@ffmpeg-installer/${platform}/ffmpeg${ext}`,
        `node_modules/@ffmpeg-installer/${platform}/package.json`,
        'node_modules/@ffprobe-installer/ffprobe/index.js',
        'node_modules/@ffprobe-installer/ffprobe/lib/verify-file.js',
        'node_modules/@ffprobe-installer/ffprobe/package.json',
        `node_modules/@ffprobe-installer/${platform}/ffprobe${ext}`,
        `node_modules/@ffprobe-installer/${platform}/package.json`
      ])
    )
    for (const file of keptFiles) {
      expect(file).not.toMatch(/~$|\/\.env$|\.md$|\/tsconfig\.json$|\/types\/|\/download\./)
    }
  })

  it.each([
    ['node_modules/@ffmpeg-installer/ffmpeg/.env', false],
    ['node_modules/@ffmpeg-installer/ffmpeg/download.ts~', false],
    ['node_modules/@ffmpeg-installer/ffmpeg/lib/platforms.js~', false],
    ['node_modules/@ffmpeg-installer/ffmpeg/types/index.d.ts', false],
    ['node_modules/@ffprobe-installer/darwin-arm64/README.md', false],
    ['node_modules/@ffprobe-installer/darwin-arm64/ffprobe', true],
    ['node_modules/@ffmpeg-installer/win32-x64/ffmpeg.exe', true],
    ['node_modules/electron-store/index.js', true],
    ['node_modules/fluent-ffmpeg/lib/fluent-ffmpeg.js', true],
    ['node_modules/fluent-ffmpeg/coverage/lcov.info', false],
    ['node_modules/fluent-ffmpeg/doc/index.html', false],
    ['node_modules/ajv/lib/ajv.ts', false],
    ['node_modules/ajv/dist/ajv.d.ts', false],
    ['node_modules/ajv/dist/ajv.js.map', false],
    ['out/main/index.js.map', false]
  ])('%s is kept: %s', (path, expected) => {
    const patterns = (builderConfig().files as string[]).filter((p) => p.startsWith('!'))
    expect(kept(path, patterns)).toBe(expected)
  })
})
