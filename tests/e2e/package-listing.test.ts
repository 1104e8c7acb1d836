/**
 * The package as electron-builder really makes it: `electron-builder --linux dir` of this project
 * with a stand-in Electron (scripts/pack-check.mjs; Electron's binary cannot be downloaded here),
 * then app.asar's listing, app.asar.unpacked, the fuses in the binary and app-update.yml.
 *
 * It packages out/, so it lives in the e2e project: `npm run test:e2e` builds out/ first and runs
 * the e2e files one at a time, so nothing rewrites out/ while electron-builder reads it.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkPackagedApp, type AsarEntry } from '../../scripts/package-contents.mjs'
import { packWithFakeElectron, readFuses } from '../../scripts/pack-check.mjs'
import { CALLOUT_FONT_FILES, fontDir } from '../../src/engine/callout-raster'
import { locateFfmpeg } from '../../src/main/ffmpeg/locate-ffmpeg'
import { builderConfig, ROOT, type GenericPublish } from '../unit/packaging/builder-config'

const require = createRequire(import.meta.url)
const { load } = require('js-yaml') as { load(text: string): unknown }

// Skipped elsewhere: the stand-in Electron is Linux's layout, and the bundled binaries are the
// machine's own (npm installs the linux-x64 packages here). macOS and Windows builds run the same
// contents check in their afterPack hook.
const canPack = process.platform === 'linux' && process.arch === 'x64'

describe.skipIf(!canPack)('the packaged app (electron-builder --linux dir)', () => {
  let workDir: string
  let packed: Awaited<ReturnType<typeof packWithFakeElectron>>
  let entries: AsarEntry[]
  let problems: string[]
  let asarBytes: number
  const unpackedDir = (): string => join(packed.resources, 'app.asar.unpacked')

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'out/main/index.js'))) {
      throw new Error('out/ is missing: run `electron-vite build` first (npm run test:e2e does).')
    }
    workDir = await mkdtemp(join(tmpdir(), 'sidecast-package-'))
    packed = await packWithFakeElectron({ workDir })
    ;({ problems, entries, asarBytes } = checkPackagedApp({
      resources: packed.resources,
      platform: 'linux',
      arch: 'x64',
      projectDir: ROOT
    }))
  }, 300_000)

  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true })
  })

  const files = (): string[] => entries.filter((e) => !e.dir).map((e) => e.path)
  const packedFiles = (): string[] =>
    entries.filter((e) => !e.dir && !e.unpacked).map((e) => e.path)
  const unpackedFiles = (): string[] => entries.filter((e) => e.unpacked).map((e) => e.path)

  it('was checked by the afterPack hook, and the contents check finds nothing wrong', () => {
    expect(packed.log).toMatch(/afterPack: package contents checked/)
    expect(problems).toEqual([])
  })

  it('holds the build and the manifest inside app.asar', () => {
    expect(packedFiles()).toEqual(
      expect.arrayContaining([
        'package.json',
        'out/main/index.js',
        'out/preload/index.cjs',
        'out/renderer/index.html',
        'resources/tray-idle.png'
      ])
    )
    expect(packedFiles().some((f) => /^out\/renderer\/assets\/index-[^/]+\.js$/.test(f))).toBe(true)
  })

  it('unpacks the fonts, ffmpeg, ffprobe and resvg’s addon, and they are on disk', () => {
    const wanted = [
      ...CALLOUT_FONT_FILES.map((font) => `resources/fonts/${font}`),
      'node_modules/@ffmpeg-installer/linux-x64/ffmpeg',
      'node_modules/@ffprobe-installer/linux-x64/ffprobe',
      'node_modules/@resvg/resvg-js-linux-x64-gnu/resvgjs.linux-x64-gnu.node'
    ]
    expect(unpackedFiles()).toEqual(expect.arrayContaining(wanted))
    for (const file of wanted) expect(existsSync(join(unpackedDir(), file)), file).toBe(true)
  })

  it('leaves out the server, tests, sources, scripts, docs, source maps and the tools', () => {
    const all = files()
    for (const folder of ['server/', 'tests/', 'src/', 'scripts/', 'docs/', 'dist/']) {
      expect(all.filter((f) => f.startsWith(folder))).toEqual([])
    }
    expect(all.filter((f) => /\.(ts|tsx|mts|cts|map)$/.test(f))).toEqual([])
    const packages = new Set(all.map((f) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]))
    for (const name of [
      '@sidecast/server',
      'better-sqlite3',
      '@tus/server',
      '@aws-sdk/client-s3',
      'electron',
      'electron-builder',
      'vitest',
      'playwright-core',
      '@doyensec/electronegativity',
      'typescript',
      // Bundled into out/renderer; main never requires them.
      'react',
      'react-dom'
    ]) {
      expect(packages.has(name), name).toBe(false)
    }
    // fluent-ffmpeg without its 12 MB coverage report.
    expect(all.filter((f) => f.startsWith('node_modules/fluent-ffmpeg/coverage/'))).toEqual([])
    expect(all).toContain('node_modules/fluent-ffmpeg/lib/fluent-ffmpeg.js')
  })

  it('keeps app.asar small: the app and its packages, nothing else', () => {
    expect(asarBytes).toBeGreaterThan(1_000_000)
    expect(asarBytes).toBeLessThan(20 * 1024 * 1024)
  })

  it('flips the fuses electron-builder.yml sets, in the packaged binary', async () => {
    const configured = builderConfig().electronFuses as Record<string, boolean>
    const fuses = await readFuses(packed.executable)
    const expected = Object.fromEntries(
      Object.entries(configured)
        .filter(([name]) => name !== 'resetAdHocDarwinSignature')
        .map(([name, value]) => [name[0]!.toUpperCase() + name.slice(1), value])
    )
    expect(fuses).toMatchObject(expected)
    expect(Object.keys(expected)).toHaveLength(7)
  })

  it('writes app-update.yml for electron-updater with the generic provider', async () => {
    const publish = builderConfig().publish as GenericPublish
    const update = load(
      await readFile(join(packed.resources, 'app-update.yml'), 'utf8')
    ) as GenericPublish
    expect(update.provider).toBe('generic')
    expect(update.url).toBe(publish.url)
  })

  it('finds its fonts, ffmpeg and ffprobe where the package puts them', () => {
    const fonts = fontDir({ resourcesPath: packed.resources })
    expect(fonts).toBe(join(unpackedDir(), 'resources', 'fonts'))

    // @ffmpeg-installer reports paths inside app.asar, where the app's own module sits.
    const inAsar = join(packed.resources, 'app.asar', 'node_modules')
    const found = locateFfmpeg({
      settingPath: '',
      resourcesPath: packed.resources,
      pathEnv: '',
      bundled: () => ({
        ffmpeg: join(inAsar, '@ffmpeg-installer', 'linux-x64', 'ffmpeg'),
        ffprobe: join(inAsar, '@ffprobe-installer', 'linux-x64', 'ffprobe')
      })
    })
    expect(found).toMatchObject({
      ok: true,
      source: 'bundled',
      path: join(unpackedDir(), 'node_modules', '@ffmpeg-installer', 'linux-x64', 'ffmpeg'),
      ffprobePath: join(unpackedDir(), 'node_modules', '@ffprobe-installer', 'linux-x64', 'ffprobe')
    })
    for (const binary of [found.path!, found.ffprobePath!]) {
      const run = spawnSync(binary, ['-version'], { timeout: 60_000, encoding: 'utf8' })
      expect(run.status, `${binary}: ${run.stderr}`).toBe(0)
    }
  }, 120_000)

  it('draws callout text with the unpacked resvg addon and the unpacked fonts', () => {
    const addon = require(
      join(unpackedDir(), 'node_modules/@resvg/resvg-js-linux-x64-gnu/resvgjs.linux-x64-gnu.node')
    ) as {
      // The addon itself takes its options as JSON (@resvg/resvg-js's index.js stringifies them).
      Resvg: new (svg: string, options: string) => { render(): { width: number; pixels: Buffer } }
    }
    const fonts = fontDir({ resourcesPath: packed.resources })
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">' +
      '<text x="4" y="30" font-family="DejaVu Sans" font-size="28" fill="#000">Hi</text></svg>'
    const options = {
      font: {
        fontFiles: CALLOUT_FONT_FILES.map((f) => join(fonts, f)),
        loadSystemFonts: false,
        defaultFontFamily: 'DejaVu Sans'
      }
    }
    const image = new addon.Resvg(svg, JSON.stringify(options)).render()
    expect(image.width).toBe(120)
    // Text was drawn: some pixels are not transparent.
    let opaque = 0
    for (let i = 3; i < image.pixels.length; i += 4) if (image.pixels[i]! > 0) opaque++
    expect(opaque).toBeGreaterThan(50)
  })
})
