/**
 * The one ffmpeg lookup order (src/shared/ffmpeg-lookup.ts), against a made-up machine: the app
 * chooses through Settings, the library server through SIDECAST_FFMPEG / SIDECAST_FFPROBE.
 */
import { posix } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  lookupFfmpeg,
  type FfmpegChoiceKind,
  type FfmpegSystem
} from '../../../src/shared/ffmpeg-lookup'

interface Machine {
  /** Files that can run. */
  readonly files: readonly string[]
  readonly bundled?: { readonly ffmpeg?: string; readonly ffprobe?: string }
  readonly path?: readonly string[]
}

function system(machine: Machine): FfmpegSystem {
  return {
    isExecutable: (file) => machine.files.includes(file),
    bundled: (binary) => machine.bundled?.[binary] ?? null,
    pathDirs: machine.path ?? [],
    pathExtensions: [''],
    exeSuffix: '',
    path: posix
  }
}

const everywhere: Machine = {
  files: [
    '/opt/ff/ffmpeg',
    '/opt/ff/ffprobe',
    '/bundle/ffmpeg',
    '/bundle/ffprobe',
    '/usr/bin/ffmpeg',
    '/usr/bin/ffprobe',
    '/lonely/ffmpeg',
    '/probes/ffprobe'
  ],
  bundled: { ffmpeg: '/bundle/ffmpeg', ffprobe: '/bundle/ffprobe' },
  path: ['/usr/bin']
}

describe('lookupFfmpeg', () => {
  it.each<{
    name: string
    kind: FfmpegChoiceKind
    ffmpeg: string
    ffprobe?: string
    machine: Machine
    expected: object
  }>([
    {
      name: 'a choice wins, with the ffprobe beside it',
      kind: 'env',
      ffmpeg: '/opt/ff/ffmpeg',
      machine: everywhere,
      expected: { ok: true, source: 'env', path: '/opt/ff/ffmpeg', ffprobePath: '/opt/ff/ffprobe' }
    },
    {
      name: 'a chosen ffprobe wins over the one beside the chosen ffmpeg',
      kind: 'env',
      ffmpeg: '/opt/ff/ffmpeg',
      ffprobe: '/probes/ffprobe',
      machine: everywhere,
      expected: { ok: true, source: 'env', ffprobePath: '/probes/ffprobe' }
    },
    {
      name: 'a chosen ffprobe alone goes with the bundled ffmpeg',
      kind: 'env',
      ffmpeg: '',
      ffprobe: '/probes/ffprobe',
      machine: everywhere,
      expected: {
        ok: true,
        source: 'bundled',
        path: '/bundle/ffmpeg',
        ffprobePath: '/probes/ffprobe'
      }
    },
    {
      name: 'a chosen ffmpeg alone borrows the bundled ffprobe',
      kind: 'setting',
      ffmpeg: '/lonely/ffmpeg',
      machine: everywhere,
      expected: { ok: true, source: 'setting', ffprobePath: '/bundle/ffprobe' }
    },
    {
      name: 'no choice: bundled before PATH, for the server too',
      kind: 'env',
      ffmpeg: ' ',
      machine: everywhere,
      expected: {
        ok: true,
        source: 'bundled',
        path: '/bundle/ffmpeg',
        ffprobePath: '/bundle/ffprobe'
      }
    },
    {
      name: 'nothing bundled: PATH',
      kind: 'env',
      ffmpeg: '',
      machine: { ...everywhere, bundled: {} },
      expected: {
        ok: true,
        source: 'path',
        path: '/usr/bin/ffmpeg',
        ffprobePath: '/usr/bin/ffprobe'
      }
    },
    {
      name: 'ffmpeg on PATH with only a bundled ffprobe',
      kind: 'setting',
      ffmpeg: '',
      machine: {
        files: ['/usr/bin/ffmpeg', '/bundle/ffprobe'],
        bundled: { ffprobe: '/bundle/ffprobe' },
        path: ['/usr/bin']
      },
      expected: { ok: true, source: 'path', ffprobePath: '/bundle/ffprobe' }
    }
  ])('$name', ({ kind, ffmpeg, ffprobe, machine, expected }) => {
    const found = lookupFfmpeg({ kind, ffmpeg, ...(ffprobe ? { ffprobe } : {}) }, system(machine))
    expect(found).toMatchObject({ ...expected, problem: null })
  })

  it.each<[FfmpegChoiceKind, string, string | undefined, RegExp]>([
    [
      'setting',
      '/nowhere/ffmpeg',
      undefined,
      /^The ffmpeg set in Settings \(\/nowhere\/ffmpeg\) was not found.*Settings/
    ],
    [
      'env',
      '/nowhere/ffmpeg',
      undefined,
      /^The ffmpeg named by SIDECAST_FFMPEG \(\/nowhere\/ffmpeg\) was not found/
    ],
    [
      'env',
      '',
      '/nowhere/ffprobe',
      /^The ffprobe named by SIDECAST_FFPROBE \(\/nowhere\/ffprobe\) was not found/
    ]
  ])(
    'a %s choice that cannot run is a problem, not a silent fallback',
    (kind, ffmpeg, ffprobe, problem) => {
      const found = lookupFfmpeg(
        { kind, ffmpeg, ...(ffprobe ? { ffprobe } : {}) },
        system(everywhere)
      )
      expect(found).toMatchObject({ ok: false, source: kind, path: null, ffprobePath: null })
      expect(found.problem).toMatch(problem)
    }
  )

  it.each<[FfmpegChoiceKind, RegExp]>([
    ['setting', /not found.*choose its file in Settings/],
    ['env', /not found.*set SIDECAST_FFMPEG to its path/]
  ])('with nothing anywhere, the %s problem says how to choose one', (kind, problem) => {
    const found = lookupFfmpeg({ kind, ffmpeg: '' }, system({ files: [] }))
    expect(found).toMatchObject({ ok: false, source: null, path: null })
    expect(found.problem).toMatch(problem)
  })
})
