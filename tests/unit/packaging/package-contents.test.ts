/**
 * scripts/package-contents.mjs, the check the afterPack hook runs on every packaged app, against
 * small app.asar archives made here with @electron/asar: a right one, and one wrong thing at a time.
 * (tests/e2e/package-listing.test.ts runs it on a real electron-builder build.)
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createPackageWithOptions } from '@electron/asar'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  checkPackagedApp,
  importedPackages,
  nativeFiles,
  nodeArch,
  packageOf
} from '../../../scripts/package-contents.mjs'
import { CALLOUT_FONT_FILES } from '../../../src/engine/callout-raster'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidecast-package-contents-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const json = (value: unknown): string => JSON.stringify(value)

/** A packaged Linux x64 app that is right: what electron-builder makes of Sidecast, in small. */
function goodApp(): Map<string, string> {
  return new Map([
    ['package.json', json({ name: 'sidecast', main: './out/main/index.js' })],
    [
      'out/main/index.js',
      'import { app } from "electron";\nimport path from "node:path";\nimport { readFile } from "fs/promises";\n' +
        'import { Resvg } from "@resvg/resvg-js";\nimport Store from "electron-store";\n' +
        'const lazy = () => import("./chunk.js");\n'
    ],
    ['out/preload/index.cjs', 'const { contextBridge } = require("electron");\n'],
    ['out/renderer/index.html', '<!doctype html>'],
    ['out/renderer/assets/index-abc.js', 'import "react"'],
    ['resources/tray-idle.png', 'png'],
    ['resources/fonts/DejaVuSans.ttf', 'font'],
    ['resources/fonts/DejaVuSans-Bold.ttf', 'font'],
    [
      'node_modules/@resvg/resvg-js/package.json',
      json({
        name: '@resvg/resvg-js',
        optionalDependencies: {
          '@resvg/resvg-js-linux-x64-gnu': '2',
          '@resvg/resvg-js-win32-x64-msvc': '2'
        }
      })
    ],
    ['node_modules/@resvg/resvg-js/index.js', ''],
    ['node_modules/@resvg/resvg-js-linux-x64-gnu/package.json', json({ name: 'x' })],
    ['node_modules/@resvg/resvg-js-linux-x64-gnu/resvgjs.linux-x64-gnu.node', 'ELF'],
    ['node_modules/electron-store/package.json', json({ dependencies: { conf: '1' } })],
    ['node_modules/conf/package.json', json({ dependencies: { ajv: '8' } })],
    // A nested copy: Node finds conf's ajv here before the top-level one.
    ['node_modules/conf/node_modules/ajv/package.json', json({})],
    ['node_modules/@ffmpeg-installer/ffmpeg/package.json', json({})],
    ['node_modules/@ffmpeg-installer/linux-x64/package.json', json({})],
    ['node_modules/@ffmpeg-installer/linux-x64/ffmpeg', 'ELF'],
    ['node_modules/@ffprobe-installer/ffprobe/package.json', json({})],
    ['node_modules/@ffprobe-installer/linux-x64/package.json', json({})],
    ['node_modules/@ffprobe-installer/linux-x64/ffprobe', 'ELF']
  ])
}

/** The project the app came from: conf is a devDependency too, the server a workspace. */
async function writeProject(): Promise<string> {
  const project = join(dir, 'project')
  await mkdir(join(project, 'server'), { recursive: true })
  await writeFile(
    join(project, 'package.json'),
    json({
      dependencies: { 'electron-store': '1', '@resvg/resvg-js': '2' },
      devDependencies: { conf: '1', ws: '8', vitest: '4' }
    })
  )
  await writeFile(
    join(project, 'server', 'package.json'),
    json({ name: '@sidecast/server', dependencies: { 'better-sqlite3': '12', ajv: '8' } })
  )
  return project
}

interface PackOptions {
  /** Basenames to unpack; electron-builder's asarUnpack does fonts, binaries and addons. */
  readonly unpack?: string
  readonly binaryMode?: number
}

/** Writes `files` as an app, packs it into <dir>/resources/app.asar, and checks it. */
async function check(
  files: Map<string, string>,
  {
    unpack = '{*.node,*.ttf,ffmpeg,ffprobe,ffmpeg.exe,ffprobe.exe}',
    binaryMode = 0o755
  }: PackOptions = {},
  platform = 'linux'
): Promise<string[]> {
  const app = join(dir, 'app')
  for (const [path, content] of files) {
    await mkdir(dirname(join(app, path)), { recursive: true })
    await writeFile(join(app, path), content)
  }
  const resources = join(dir, 'resources')
  await mkdir(resources, { recursive: true })
  await createPackageWithOptions(app, join(resources, 'app.asar'), { unpack })
  const native = nativeFiles(platform, 'x64')
  for (const binary of [native.ffmpeg, native.ffprobe]) {
    await chmod(join(resources, 'app.asar.unpacked', binary), binaryMode).catch(() => undefined)
  }
  const project = await writeProject()
  return checkPackagedApp({ resources, platform, arch: 'x64', projectDir: project }).problems
}

function withChanges(
  add: Record<string, string> = {},
  remove: readonly string[] = []
): Map<string, string> {
  const files = goodApp()
  for (const path of remove) files.delete(path)
  for (const [path, content] of Object.entries(add)) files.set(path, content)
  return files
}

describe('checkPackagedApp', () => {
  it('finds nothing wrong with a right package (conf, a devDependency, is needed by electron-store)', async () => {
    expect(await check(goodApp())).toEqual([])
  })

  it('knows the font files callout-raster.ts reads', async () => {
    expect(goodApp().has(`resources/fonts/${CALLOUT_FONT_FILES[0]}`)).toBe(true)
    const files = withChanges({}, [`resources/fonts/${CALLOUT_FONT_FILES[1]}`])
    expect(await check(files)).toEqual([
      `not unpacked from app.asar: resources/fonts/${CALLOUT_FONT_FILES[1]}`
    ])
  })

  it.each([
    [
      'the library server',
      { 'server/src/main.js': '' },
      /not part of the app: server\/src\/main\.js/
    ],
    ['tests', { 'tests/unit/a.test.js': '' }, /not part of the app: tests$/],
    [
      'sources',
      { 'src/main/index.ts': '' },
      /source or source map in app\.asar: src\/main\/index\.ts/
    ],
    ['scripts', { 'scripts/after-pack.mjs': '' }, /not part of the app: scripts$/],
    ['docs', { 'docs/packaging.md': '' }, /not part of the app: docs$/],
    ['a package’s TypeScript', { 'node_modules/conf/src/index.ts': '' }, /source or source map/],
    ['a declaration file', { 'node_modules/conf/index.d.ts': '' }, /source or source map/],
    ['a source map', { 'out/main/index.js.map': '{}' }, /source or source map/],
    ['a stray build folder', { 'out/stats/report.html': '' }, /not part of the build: out\/stats$/],
    ['a build-only resource', { 'resources/entitlements.mac.plist': '' }, /not a runtime resource/],
    [
      'a server dependency',
      { 'node_modules/better-sqlite3/package.json': json({}) },
      /must not be packaged: node_modules\/better-sqlite3$/
    ],
    [
      'the server workspace',
      { 'node_modules/@sidecast/server/package.json': json({}) },
      /must not be packaged: node_modules\/@sidecast\/server$/
    ],
    [
      'a devDependency nothing needs',
      { 'node_modules/ws/package.json': json({}) },
      /must not be packaged: node_modules\/ws$/
    ],
    [
      'a test tool',
      { 'node_modules/vitest/package.json': json({}) },
      /must not be packaged: node_modules\/vitest$/
    ],
    [
      'Electron',
      { 'node_modules/electron/package.json': json({}) },
      /must not be packaged: node_modules\/electron$/
    ],
    [
      'half a package',
      { 'node_modules/tus-js-client/lib/index.js': '' },
      /package folder without package\.json: node_modules\/tus-js-client/
    ]
  ])('reports %s in the package', async (_what, add, problem) => {
    const problems = await check(withChanges(add))
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]))
  })

  it.each([
    ['the main bundle', 'out/main/index.js', /missing from app\.asar: out\/main\/index\.js/],
    ['the preload', 'out/preload/index.cjs', /missing from app\.asar: out\/preload\/index\.cjs/],
    ['the page', 'out/renderer/index.html', /missing from app\.asar: out\/renderer\/index\.html/],
    [
      'ffprobe',
      'node_modules/@ffprobe-installer/linux-x64/ffprobe',
      /not unpacked from app\.asar: node_modules\/@ffprobe-installer\/linux-x64\/ffprobe/
    ],
    [
      'the ffmpeg installer package main requires by name',
      'node_modules/@ffmpeg-installer/ffmpeg/package.json',
      /imported by the app but not packaged: @ffmpeg-installer\/ffmpeg/
    ],
    [
      'resvg’s addon',
      'node_modules/@resvg/resvg-js-linux-x64-gnu/resvgjs.linux-x64-gnu.node',
      /no resvg addon for linux-x64/
    ],
    [
      'a package main imports',
      'node_modules/electron-store/package.json',
      /imported by the app but not packaged: electron-store/
    ],
    [
      'a dependency of a packaged package',
      'node_modules/conf/node_modules/ajv/package.json',
      /conf depends on ajv, which is not packaged/
    ]
  ])('reports a package without %s', async (_what, remove, problem) => {
    const problems = await check(withChanges({}, [remove]))
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]))
  })

  it('reports binaries packed inside app.asar, where they cannot run', async () => {
    const problems = await check(goodApp(), { unpack: '{*.node,*.ttf}' })
    expect(problems).toEqual([
      'not unpacked from app.asar: node_modules/@ffmpeg-installer/linux-x64/ffmpeg',
      'not unpacked from app.asar: node_modules/@ffprobe-installer/linux-x64/ffprobe'
    ])
  })

  it('reports an addon packed inside app.asar, where the loader cannot open it', async () => {
    const problems = await check(goodApp(), { unpack: '{*.ttf,ffmpeg,ffprobe}' })
    expect(problems).toEqual([
      'not unpacked from app.asar: node_modules/@resvg/resvg-js-linux-x64-gnu/resvgjs.linux-x64-gnu.node'
    ])
  })

  it('reports a bundled binary that only its owner may run', async () => {
    const problems = await check(goodApp(), { binaryMode: 0o744 })
    expect(problems).toEqual([
      'node_modules/@ffmpeg-installer/linux-x64/ffmpeg has mode 744, not 755',
      'node_modules/@ffprobe-installer/linux-x64/ffprobe has mode 744, not 755'
    ])
  })

  it('looks for Windows’ .exe binaries and addon on Windows', async () => {
    const files = withChanges(
      {
        'node_modules/@ffmpeg-installer/win32-x64/package.json': json({}),
        'node_modules/@ffmpeg-installer/win32-x64/ffmpeg.exe': 'MZ',
        'node_modules/@ffprobe-installer/win32-x64/package.json': json({}),
        'node_modules/@ffprobe-installer/win32-x64/ffprobe.exe': 'MZ',
        'node_modules/@resvg/resvg-js-win32-x64-msvc/package.json': json({}),
        'node_modules/@resvg/resvg-js-win32-x64-msvc/resvgjs.win32-x64-msvc.node': 'MZ'
      },
      [
        'node_modules/@ffmpeg-installer/linux-x64/ffmpeg',
        'node_modules/@ffprobe-installer/linux-x64/ffprobe',
        'node_modules/@resvg/resvg-js-linux-x64-gnu/resvgjs.linux-x64-gnu.node'
      ]
    )
    expect(await check(files, {}, 'win32')).toEqual([])
  })

  it('reports a missing app.asar', () => {
    expect(checkPackagedApp({ resources: dir, platform: 'linux', arch: 'x64' }).problems).toEqual([
      `no app.asar in ${dir}`
    ])
  })
})

describe('what the bundles import', () => {
  it('names the packages of bare specifiers, not built-ins, electron or relative paths', () => {
    const source = [
      'import { app } from "electron";',
      'import fs from "node:fs";',
      "import path from 'path';",
      'import Store from "electron-store";',
      'import { Resvg } from "@resvg/resvg-js";',
      'import "./side-effect.js";',
      'const a = require("tus-js-client/lib/node");',
      'const b = await import("fluent-ffmpeg");',
      'export { x } from "@scope/pkg/deep/file.js";'
    ].join('\n')
    expect(importedPackages(source)).toEqual([
      '@resvg/resvg-js',
      '@scope/pkg',
      'electron-store',
      'fluent-ffmpeg',
      'tus-js-client'
    ])
  })

  it.each([
    ['react-dom/client', 'react-dom'],
    ['@ffmpeg-installer/ffmpeg', '@ffmpeg-installer/ffmpeg'],
    ['node:path', null],
    ['worker_threads', null],
    ['electron', null],
    ['../shared/ipc', null]
  ])('%s is package %s', (specifier, name) => {
    expect(packageOf(specifier)).toBe(name)
  })

  it('uses Node’s arch names for electron-builder’s', () => {
    expect(nodeArch('armv7l')).toBe('arm')
    expect(nodeArch('arm64')).toBe('arm64')
    expect(nativeFiles('win32', 'x64').ffmpeg).toBe(
      'node_modules/@ffmpeg-installer/win32-x64/ffmpeg.exe'
    )
  })
})
