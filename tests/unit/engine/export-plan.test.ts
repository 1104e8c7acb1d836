import { describe, expect, it } from 'vitest'
import {
  blurPixelBox,
  enableExpression,
  planExport,
  planOverlays,
  type PlanExportOptions
} from '../../../src/engine/export-plan'
import { outputDimensions, parseExportPreset, QUALITY_PARAMS } from '../../../src/engine/presets'
import { type ExportPreset } from '../../../src/shared/export-preset'
import { estimateEtaMs } from '../../../src/engine/run-export'
import { lastErrorLine, parseProgressLine } from '../../../src/engine/run-ffmpeg'
import type { Annotation, BlurAnnotation, Edits } from '../../../src/shared/edits'
import type { RecordingFacts } from '../../../src/shared/project'
import { normalizeKeep, type TimeRange } from '../../../src/shared/timeline'

const FACTS: RecordingFacts = {
  version: 1,
  id: 'p',
  status: 'complete',
  title: 'T',
  createdAt: '2026-11-29T10:00:00Z',
  sourceName: 'Screen',
  file: 'rec.webm',
  container: 'webm',
  mimeType: 'video/webm',
  videoCodec: 'vp8',
  audioCodec: 'opus',
  width: 1920,
  height: 1080,
  durationMs: 10_000
}
const SOURCE: ExportPreset = { size: 'source', quality: 'standard' }

function edits(keep: TimeRange[] = [], annotations: Annotation[] = []): Edits {
  return { version: 2, keep, annotations }
}

type PlanOverrides = Partial<Omit<PlanExportOptions, 'facts'>> & {
  readonly facts?: Partial<RecordingFacts>
}

function plan(overrides: PlanOverrides = {}) {
  return planExport({
    edits: edits(),
    preset: SOURCE,
    outputPath: 'out.mp4.part',
    ...overrides,
    facts: { ...FACTS, ...overrides.facts }
  })
}

/** The value following `flag` in the argument list. */
function arg(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag)
  return i >= 0 ? args[i + 1] : undefined
}

const rect = (id: string, startMs: number, endMs: number): Annotation => ({
  id,
  type: 'rect',
  startMs,
  endMs,
  x: 0.1,
  y: 0.1,
  w: 0.2,
  h: 0.2
})
const blur = (id: string, startMs: number, endMs: number, extra = {}): BlurAnnotation => ({
  id,
  type: 'blur',
  startMs,
  endMs,
  x: 0.25,
  y: 0.5,
  w: 0.5,
  h: 0.25,
  ...extra
})

describe('presets', () => {
  it.each([
    // size, source → output
    ['source', 1920, 1080, 1920, 1080],
    ['source', 1281, 721, 1280, 720],
    ['1080p', 3840, 2160, 1920, 1080],
    ['720p', 1920, 1080, 1280, 720],
    ['720p', 1280, 720, 1280, 720],
    ['720p', 800, 600, 800, 600], // never upscaled
    ['1080p', 1281, 721, 1280, 720], // never upscaled, evened
    ['720p', 2000, 1441, 998, 720], // aspect kept (999.3), evened down
    ['720p', 1000, 2000, 360, 720] // portrait
  ] as const)('%s of %i×%i is %i×%i', (size, w, h, ow, oh) => {
    expect(outputDimensions({ width: w, height: h }, size)).toEqual({ width: ow, height: oh })
  })

  it('parses presets and names the bad field', () => {
    expect(parseExportPreset(undefined)).toEqual({ size: 'source', quality: 'standard' })
    expect(parseExportPreset({ size: '720p', quality: 'high' })).toEqual({
      size: '720p',
      quality: 'high'
    })
    expect(() => parseExportPreset({ size: '4k' })).toThrow(/size "4k".*source, 1080p, 720p/)
    expect(() => parseExportPreset({ quality: 3 })).toThrow(/quality 3.*standard, high, small/)
    expect(() => parseExportPreset('720p')).toThrow(/must be an object/)
  })
})

const SMALL = { size: 'source', quality: 'small' } as const

describe('planExport: copy or encode', () => {
  it.each([
    ['h264, no edits', { videoCodec: 'h264' }, edits(), SOURCE, 'copy'],
    [
      'h264, 720p preset on a 720p source',
      { videoCodec: 'h264', width: 1280, height: 720 },
      edits(),
      { size: '720p', quality: 'high' },
      'copy'
    ],
    ['Small asks for a smaller file', { videoCodec: 'h264' }, edits(), SMALL, 'encode'],
    ['keep of the whole recording', { videoCodec: 'h264' }, edits([[0, 10_000]]), SOURCE, 'copy'],
    ['vp8', { videoCodec: 'vp8' }, edits(), SOURCE, 'encode'],
    ['trimmed', { videoCodec: 'h264' }, edits([[0, 9000]]), SOURCE, 'encode'],
    ['an annotation', { videoCodec: 'h264' }, edits([], [rect('r', 0, 1000)]), SOURCE, 'encode'],
    ['scaled', { videoCodec: 'h264' }, edits(), { size: '720p', quality: 'standard' }, 'encode'],
    ['odd size', { videoCodec: 'h264', width: 1281, height: 721 }, edits(), SOURCE, 'encode']
  ] as const)('%s → %s', (_name, facts, e, preset, mode) => {
    expect(plan({ facts, edits: e, preset }).mode).toBe(mode)
  })

  it('copy mode copies video, turns Opus into AAC and copies AAC', () => {
    const opus = plan({ facts: { videoCodec: 'h264' }, inputPath: '/p/rec.webm' })
    expect(opus.filterGraph).toBeNull()
    expect(arg(opus.args, '-i')).toBe('/p/rec.webm')
    expect(arg(opus.args, '-c:v')).toBe('copy')
    expect(arg(opus.args, '-c:a')).toBe('aac')
    expect(arg(opus.args, '-b:a')).toBe('160k')
    expect(arg(opus.args, '-movflags')).toBe('+faststart')
    expect(opus.args.at(-1)).toBe('out.mp4.part')
    const aac = plan({ facts: { videoCodec: 'h264', audioCodec: 'aac' } })
    expect(arg(aac.args, '-c:a')).toBe('copy')
    const silent = plan({ facts: { videoCodec: 'h264', audioCodec: null } })
    expect(silent.args).toContain('-an')
  })

  it('refuses facts that were never probed, and edits that keep nothing', () => {
    expect(() => plan({ facts: { width: undefined } })).toThrow(/not known yet/)
    expect(() => plan({ edits: edits([[20_000, 30_000]]) })).toThrow(/keep nothing/)
  })
})

describe('planExport: the filter graph', () => {
  it('one kept range: trim and atrim with the same bounds, no concat', () => {
    const p = plan({ edits: edits([[1500, 4250]]) })
    expect(p.filterGraph).toBe(
      '[0:v]trim=start=1.500:end=4.250,setpts=PTS-STARTPTS[vcut];' +
        '[0:a]atrim=start=1.500:end=4.250,asetpts=PTS-STARTPTS[acut];' +
        '[vcut]format=yuv420p[vout]'
    )
    expect(p.outputDurationMs).toBe(2750)
    expect(arg(p.args, '-filter_complex')).toBe(p.filterGraph)
  })

  it('three kept ranges are concatenated with their audio', () => {
    const p = plan({
      edits: edits([
        [0, 1000],
        [2000, 3000],
        [5000, 10_000]
      ])
    })
    const graph = p.filterGraph ?? ''
    for (const [s, e, i] of [
      ['0.000', '1.000', 0],
      ['2.000', '3.000', 1],
      ['5.000', '10.000', 2]
    ] as const) {
      expect(graph).toContain(`[0:v]trim=start=${s}:end=${e},setpts=PTS-STARTPTS[v${i}]`)
      expect(graph).toContain(`[0:a]atrim=start=${s}:end=${e},asetpts=PTS-STARTPTS[a${i}]`)
    }
    expect(graph).toContain('[v0][a0][v1][a1][v2][a2]concat=n=3:v=1:a=1[vcut][acut]')
    expect(p.outputDurationMs).toBe(7000)
    expect(p.args).toEqual(expect.arrayContaining(['-map', '[vout]', '-map', '[acut]']))
  })

  it('without audio: video only, no audio mapped', () => {
    const p = plan({
      facts: { audioCodec: null },
      edits: edits([
        [0, 1000],
        [2000, 3000]
      ])
    })
    expect(p.filterGraph).not.toContain('atrim')
    expect(p.filterGraph).toContain('[v0][v1]concat=n=2:v=1:a=0[vcut]')
    expect(p.args).toContain('-an')
    expect(p.args).not.toContain('[acut]')
  })

  it('no cut: no trim at all, timestamps start at zero', () => {
    const p = plan()
    expect(p.filterGraph).toBe(
      '[0:v]setpts=PTS-STARTPTS[vcut];[0:a]asetpts=PTS-STARTPTS[acut];[vcut]format=yuv420p[vout]'
    )
  })

  it('blur is enabled over its range mapped through the cuts', () => {
    // Kept 0–2 s and 4–10 s; the blur runs 1–5 s of the recording → 1–3 s of the output.
    const p = plan({
      edits: edits(
        [
          [0, 2000],
          [4000, 10_000]
        ],
        [blur('b', 1000, 5000)]
      )
    })
    expect(p.filterGraph).toContain('[vcut]split=2[vblur0base][vblur0src]')
    expect(p.filterGraph).toContain('crop=960:270:480:540,boxblur=')
    expect(p.filterGraph).toContain(
      "[vblur0base][vblur0box]overlay=480:540:enable='gte(t,1.000)*lt(t,3.000)'[vblur0]"
    )
    expect(p.overlays).toEqual([]) // blur is ffmpeg's, never a PNG
  })

  it('pixelate scales the box down and up; a blur inside a cut is left out', () => {
    const p = plan({
      edits: edits(
        [[0, 5000]],
        [blur('p', 0, 1000, { mode: 'pixelate', strength: 1 }), blur('gone', 6000, 7000)]
      )
    })
    expect(p.filterGraph).toMatch(/scale=\d+:\d+:flags=area,scale=960:270:flags=neighbor/)
    expect(p.filterGraph?.match(/split=2/g)).toHaveLength(1)
  })

  it('a callout spanning a cut is one PNG shown over the joined output range', () => {
    const p = plan({
      overlayDir: '/tmp/o',
      edits: edits(
        [
          [0, 2000],
          [4000, 10_000]
        ],
        [rect('r', 1000, 5000)]
      )
    })
    expect(p.overlays).toEqual([
      {
        annotationIds: ['r'],
        // The two sides meet at the cut on the output clock: one range.
        outputRanges: [[1000, 3000]],
        file: 'callouts-001.png'
      }
    ])
    expect(p.args).toEqual(expect.arrayContaining(['-i', '/tmp/o/callouts-001.png']))
    expect(p.filterGraph).toContain(
      "[vlimited][1:v]overlay=0:0:eof_action=repeat:enable='gte(t,1.000)*lt(t,3.000)'[vcallout0]"
    )
  })

  it('places a cropped overlay PNG where it was cut from the frame', () => {
    const p = plan({
      edits: edits([], [rect('r', 1000, 3000)]),
      overlayPositions: { 'callouts-001.png': { x: 118, y: 64 } }
    })
    expect(p.filterGraph).toContain('[vlimited][1:v]overlay=118:64:eof_action=repeat:')
  })

  it('the frame is brought to limited range before callouts are blended, only then', () => {
    // A full-range recording (Chromium's yuvj420p) would otherwise show white callouts as 235.
    const graph = plan({ edits: edits([], [rect('r', 1000, 3000)]) }).filterGraph ?? ''
    expect(graph).toContain('[vcut]format=yuv420p[vlimited];[vlimited][1:v]overlay')
    const cutOnly = plan({ edits: edits([[0, 5000]]) }).filterGraph ?? ''
    expect(cutOnly).not.toContain('vlimited')
  })

  it('callouts come after blur and before scaling; the output is scaled to the preset', () => {
    const p = plan({
      preset: { size: '720p', quality: 'high' },
      edits: edits([], [blur('b', 0, 1000), rect('r', 0, 1000)])
    })
    const graph = p.filterGraph ?? ''
    expect(graph.indexOf('boxblur')).toBeLessThan(graph.indexOf('[1:v]overlay'))
    expect(graph).toContain('[vblur0]format=yuv420p[vlimited];[vlimited][1:v]overlay')
    expect(graph).toMatch(/\[vcallout0\]scale=1280:720,setsar=1,format=yuv420p\[vout\]$/)
    expect(p.output).toEqual({ width: 1280, height: 720 })
  })

  it.each([
    [1281, 721, 'crop=1280:720:0:0,format=yuv420p', { width: 1280, height: 720 }],
    [1280, 721, 'crop=1280:720:0:0,format=yuv420p', { width: 1280, height: 720 }],
    [1280, 720, 'format=yuv420p', { width: 1280, height: 720 }]
  ])('a %i×%i source at source size ends with %s', (width, height, tail, output) => {
    const p = plan({ facts: { width, height } })
    expect(p.filterGraph?.endsWith(`[vcut]${tail}[vout]`)).toBe(true)
    expect(p.output).toEqual(output)
  })

  it.each([
    ['standard', '23', 'veryfast', '160k'],
    ['high', '18', 'medium', '192k'],
    ['small', '28', 'veryfast', '96k']
  ] as const)('quality %s: crf %s, preset %s, AAC %s', (quality, crf, x264, audio) => {
    const p = plan({ preset: { size: 'source', quality } })
    expect(arg(p.args, '-crf')).toBe(crf)
    expect(arg(p.args, '-preset')).toBe(x264)
    expect(arg(p.args, '-b:a')).toBe(audio)
    expect(arg(p.args, '-c:v')).toBe('libx264')
    expect(arg(p.args, '-pix_fmt')).toBe('yuv420p')
    expect(arg(p.args, '-progress')).toBe('pipe:1')
    expect(p.args).toContain('-nostats')
    expect(QUALITY_PARAMS[quality].crf).toBe(Number(crf))
  })
})

describe('planOverlays', () => {
  const keep = normalizeKeep([], 10_000)
  const highlight = (id: string, startMs: number, endMs: number): Annotation =>
    ({ id, type: 'highlight', startMs, endMs, x: 0.1, y: 0.1, w: 0.2, h: 0.2 }) as Annotation
  it.each([
    ['one callout', [rect('a', 1000, 2000)], [[['a'], [[1000, 2000]]]]],
    [
      'one PNG per callout, each over its own range',
      [rect('a', 0, 3000), rect('b', 2000, 4000)],
      [
        [['a'], [[0, 3000]]],
        [['b'], [[2000, 4000]]]
      ]
    ],
    [
      'spotlights are stacked first, as the editor draws them',
      [rect('a', 0, 3000), highlight('h', 0, 3000), rect('b', 0, 1000)],
      [
        [['h'], [[0, 3000]]],
        [['a'], [[0, 3000]]],
        [['b'], [[0, 1000]]]
      ]
    ],
    ['blur has no PNG', [blur('x', 0, 1000)], []]
  ] as const)('%s', (_name, annotations, expected) => {
    const got = planOverlays(annotations as unknown as Annotation[], keep).map((o) => [
      o.annotationIds,
      o.outputRanges
    ])
    expect(got).toEqual(expected)
  })

  it('files are numbered in stacking order', () => {
    const got = planOverlays([rect('a', 0, 1000), highlight('h', 0, 1000)], keep)
    expect(got.map((o) => [o.annotationIds[0], o.file])).toEqual([
      ['h', 'callouts-001.png'],
      ['a', 'callouts-002.png']
    ])
  })

  it('a callout entirely inside a cut is not drawn', () => {
    const cut = normalizeKeep(
      [
        [0, 1000],
        [5000, 10_000]
      ],
      10_000
    )
    expect(planOverlays([rect('a', 2000, 3000)], cut)).toEqual([])
  })
})

describe('helpers', () => {
  it('enable expressions are half-open', () => {
    expect(enableExpression([[1500, 2000]])).toBe("'gte(t,1.500)*lt(t,2.000)'")
  })

  it('blur boxes are even and inside the frame; tiny boxes are skipped', () => {
    const frame = { width: 321, height: 241 }
    const box = blurPixelBox(blur('b', 0, 1, { x: 0.5, y: 0.5, w: 0.5, h: 0.5 }), frame)
    expect(box).toEqual({ x: 160, y: 120, w: 160, h: 120 })
    expect(blurPixelBox(blur('b', 0, 1, { x: 0.5, y: 0.5, w: 0.001, h: 0.001 }), frame)).toBe(null)
  })

  it.each([
    ['out_time_us=1500000', 1500],
    ['out_time_ms=2500000', 2500], // older builds: microseconds despite the name
    ['out_time_us=N/A', null],
    ['out_time=00:00:01.500000', null],
    ['frame=10', null]
  ])('progress line %s → %s', (line, ms) => {
    expect(parseProgressLine(line)).toBe(ms)
  })

  it('the meaningful error line skips the generic ending', () => {
    expect(lastErrorLine('x\nrec.webm: No such file or directory\nConversion failed!\n')).toBe(
      'rec.webm: No such file or directory'
    )
    expect(lastErrorLine('')).toBe('no details')
  })

  it.each([
    [0.01, 10_000, null],
    [0.5, 10_000, 10_000],
    [0.25, 3000, 9000],
    [1, 5000, 0]
  ])('eta at %f after %i ms is %s', (fraction, elapsed, eta) => {
    expect(estimateEtaMs(fraction, elapsed)).toBe(eta)
  })
})
