import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { unpackedAsarPath } from '../../../../src/engine/asar-path'
import {
  findOnPath,
  isExecutableFile,
  locateFfmpeg,
  type BundledBinaries
} from '../../../../src/main/ffmpeg/locate-ffmpeg'

let root: string

async function binary(path: string, executable = true): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true })
  await writeFile(path, '#!/bin/sh\nexit 0\n')
  await chmod(path, executable ? 0o755 : 0o644)
  return path
}

// Layout: each "place" an ffmpeg can come from, with and without an ffprobe beside it.
const p = (...parts: string[]): string => join(root, ...parts)

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sidecast-locate-'))
  await binary(p('custom', 'ffmpeg'))
  await binary(p('custom', 'ffprobe'))
  await binary(p('custom-alone', 'my-ffmpeg-7'))
  await binary(p('custom-alone', 'my-ffprobe-7'))
  await binary(p('lonely', 'ffmpeg'))
  await binary(p('not-exec', 'ffmpeg'), false)
  await mkdir(p('a-dir', 'ffmpeg'), { recursive: true })
  await binary(p('bundled', 'ffmpeg'))
  await binary(p('bundled', 'ffprobe'))
  await binary(p('app.asar.unpacked', 'node_modules', 'ff', 'ffmpeg'))
  await binary(p('app.asar.unpacked', 'node_modules', 'fp', 'ffprobe'))
  await binary(p('path2', 'ffmpeg'))
  await binary(p('path2', 'ffprobe'))
  await mkdir(p('path1'), { recursive: true })
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const none: BundledBinaries = { ffmpeg: null, ffprobe: null }

describe('locateFfmpeg', () => {
  it.each([
    {
      name: 'the setting wins over bundled and PATH, with its sibling ffprobe',
      setting: () => p('custom', 'ffmpeg'),
      bundled: () => ({ ffmpeg: p('bundled', 'ffmpeg'), ffprobe: p('bundled', 'ffprobe') }),
      pathDirs: () => [p('path2')],
      expected: () => ({
        ok: true,
        source: 'setting',
        path: p('custom', 'ffmpeg'),
        ffprobePath: p('custom', 'ffprobe')
      })
    },
    {
      name: 'a renamed ffmpeg in the setting finds the matching renamed ffprobe',
      setting: () => p('custom-alone', 'my-ffmpeg-7'),
      bundled: () => none,
      pathDirs: () => [],
      expected: () => ({
        ok: true,
        source: 'setting',
        ffprobePath: p('custom-alone', 'my-ffprobe-7')
      })
    },
    {
      name: 'a setting without an ffprobe beside it borrows the bundled ffprobe',
      setting: () => p('lonely', 'ffmpeg'),
      bundled: () => ({ ffmpeg: p('bundled', 'ffmpeg'), ffprobe: p('bundled', 'ffprobe') }),
      pathDirs: () => [p('path2')],
      expected: () => ({
        ok: true,
        source: 'setting',
        path: p('lonely', 'ffmpeg'),
        ffprobePath: p('bundled', 'ffprobe')
      })
    },
    {
      name: 'no setting: the bundled binaries',
      setting: () => '',
      bundled: () => ({ ffmpeg: p('bundled', 'ffmpeg'), ffprobe: p('bundled', 'ffprobe') }),
      pathDirs: () => [p('path2')],
      expected: () => ({
        ok: true,
        source: 'bundled',
        path: p('bundled', 'ffmpeg'),
        ffprobePath: p('bundled', 'ffprobe')
      })
    },
    {
      name: 'bundled inside app.asar: the unpacked copy',
      setting: () => '  ',
      bundled: () => ({
        ffmpeg: p('app.asar', 'node_modules', 'ff', 'ffmpeg'),
        ffprobe: p('app.asar', 'node_modules', 'fp', 'ffprobe')
      }),
      pathDirs: () => [],
      expected: () => ({
        ok: true,
        source: 'bundled',
        path: p('app.asar.unpacked', 'node_modules', 'ff', 'ffmpeg'),
        ffprobePath: p('app.asar.unpacked', 'node_modules', 'fp', 'ffprobe')
      })
    },
    {
      name: 'bundled missing: the first ffmpeg on PATH',
      setting: () => '',
      bundled: () => ({ ffmpeg: p('gone', 'ffmpeg'), ffprobe: null }),
      pathDirs: () => [p('path1'), p('not-exec'), p('a-dir'), p('path2')],
      expected: () => ({
        ok: true,
        source: 'path',
        path: p('path2', 'ffmpeg'),
        ffprobePath: p('path2', 'ffprobe')
      })
    },
    {
      name: 'nothing anywhere',
      setting: () => '',
      bundled: () => none,
      pathDirs: () => [p('path1')],
      expected: () => ({ ok: false, source: null, path: null, ffprobePath: null })
    },
    {
      name: 'ffmpeg without any ffprobe is not usable',
      setting: () => '',
      bundled: () => none,
      pathDirs: () => [p('lonely')],
      expected: () => ({
        ok: false,
        source: 'path',
        path: p('lonely', 'ffmpeg'),
        ffprobePath: null
      })
    }
  ])('$name', ({ setting, bundled, pathDirs, expected }) => {
    const found = locateFfmpeg({
      settingPath: setting(),
      bundled,
      pathEnv: pathDirs().join(delimiter),
      platform: 'linux'
    })
    expect(found).toMatchObject(expected())
    expect(found.problem === null).toBe(found.ok)
  })

  it.each([
    ['a missing file', () => p('nowhere', 'ffmpeg')],
    ['a file that cannot be run', () => p('not-exec', 'ffmpeg')],
    ['a folder', () => p('a-dir', 'ffmpeg')]
  ])('a setting naming %s is a problem, not a silent fallback', (_label, setting) => {
    const found = locateFfmpeg({
      settingPath: setting(),
      bundled: () => ({ ffmpeg: p('bundled', 'ffmpeg'), ffprobe: p('bundled', 'ffprobe') }),
      pathEnv: p('path2'),
      platform: 'linux'
    })
    expect(found).toMatchObject({ ok: false, source: 'setting', path: null })
    expect(found.problem).toContain(`The ffmpeg set in Settings (${setting()}) was not found`)
  })

  it('problems say what to do when ffmpeg and ffprobe are missing', () => {
    const nothing = locateFfmpeg({
      settingPath: '',
      bundled: () => none,
      pathEnv: '',
      platform: 'linux'
    })
    expect(nothing.problem).toMatch(/not found.*Settings/)
    const noProbe = locateFfmpeg({
      settingPath: '',
      bundled: () => none,
      pathEnv: p('lonely'),
      platform: 'linux'
    })
    expect(noProbe.problem).toMatch(/ffprobe was not/)
  })

  it('with nothing injected finds the bundled @ffmpeg-installer binaries of this checkout', () => {
    const found = locateFfmpeg({ settingPath: '' })
    expect(found).toMatchObject({ ok: true, source: 'bundled' })
    expect(found.path).toMatch(/@ffmpeg-installer/)
    expect(found.ffprobePath).toMatch(/@ffprobe-installer/)
  })
})

describe('path helpers', () => {
  it.each([
    [
      '/opt/Sidecast/resources/app.asar/node_modules/x/ffmpeg',
      '/opt/Sidecast/resources/app.asar.unpacked/node_modules/x/ffmpeg'
    ],
    [
      'C:\\Sidecast\\resources\\app.asar\\node_modules\\x\\ffmpeg.exe',
      'C:\\Sidecast\\resources\\app.asar.unpacked\\node_modules\\x\\ffmpeg.exe'
    ],
    ['/work/node_modules/x/ffmpeg', '/work/node_modules/x/ffmpeg'],
    ['/work/app.asar.unpacked/x/ffmpeg', '/work/app.asar.unpacked/x/ffmpeg'],
    ['/work/my-app.asar/x/ffmpeg', '/work/my-app.asar/x/ffmpeg']
  ])('unpackedAsarPath(%s)', (input, expected) => {
    expect(unpackedAsarPath(input)).toBe(expected)
  })

  it('findOnPath skips empty entries, folders and non-executables', () => {
    const pathEnv = ['', p('a-dir'), p('not-exec'), p('path2')].join(delimiter)
    expect(findOnPath('ffmpeg', pathEnv, 'linux')).toBe(p('path2', 'ffmpeg'))
    expect(findOnPath('ffmpeg', '', 'linux')).toBeNull()
  })

  it('isExecutableFile', () => {
    expect(isExecutableFile(p('custom', 'ffmpeg'))).toBe(true)
    expect(isExecutableFile(p('not-exec', 'ffmpeg'))).toBe(false)
    expect(isExecutableFile(p('a-dir', 'ffmpeg'))).toBe(false)
    expect(isExecutableFile(p('missing'))).toBe(false)
  })
})
