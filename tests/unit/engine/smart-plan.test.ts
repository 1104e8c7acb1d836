import { describe, expect, it } from 'vitest'
import type { GopIndex, VideoStreamParams } from '../../../src/engine/gop-index'
import { planSmart, type SmartPlan } from '../../../src/engine/smart-plan'
import type { Annotation, Edits } from '../../../src/shared/edits'
import type { ExportPreset } from '../../../src/shared/export-preset'
import type { RecordingFacts } from '../../../src/shared/project'
import type { TimeRange } from '../../../src/shared/timeline'

const FACTS: RecordingFacts = {
  version: 1,
  id: 'p',
  status: 'complete',
  title: 'T',
  createdAt: '2026-11-29T10:00:00Z',
  sourceName: 'Screen',
  file: 'recording.mp4',
  container: 'mp4',
  mimeType: 'video/webm;codecs=h264,opus',
  videoCodec: 'h264',
  audioCodec: 'opus',
  width: 1920,
  height: 1080,
  durationMs: 10_000
}
const SOURCE: ExportPreset = { size: 'source', quality: 'standard' }

/** What Chromium's MediaRecorder writes (OpenH264): constrained baseline 3.1, full range. */
const STREAM: VideoStreamParams = {
  codec: 'h264',
  profile: 'Constrained Baseline',
  level: 31,
  width: 1920,
  height: 1080,
  pixFmt: 'yuvj420p',
  timeBase: '1/16000',
  sampleAspectRatio: '1:1',
  fieldOrder: 'progressive',
  hasBFrames: 0,
  spsIds: [0]
}

/** A 10 s recording with a keyframe every second. */
function index(overrides: Partial<GopIndex> = {}, stream: Partial<VideoStreamParams> = {}) {
  const gops = Array.from({ length: 10 }, (_, i) => ({ startMs: i * 1000, endMs: i * 1000 + 1000 }))
  return {
    stream: { ...STREAM, ...stream },
    gops,
    endMs: 10_000,
    frameMs: 1000 / 30,
    reordered: false,
    packets: 300,
    ...overrides
  } satisfies GopIndex
}

function rect(startMs: number, endMs: number): Annotation {
  return {
    ...{ id: `r${startMs}`, type: 'rect', startMs, endMs },
    ...{ x: 0.1, y: 0.1, w: 0.2, h: 0.2, color: '#ff0000', strokeWidth: 0.01 }
  } as Annotation
}

function edits(keep: TimeRange[] = [], annotations: Annotation[] = []): Edits {
  return { version: 2, keep, annotations }
}

/** The segments as `kind start-end` in source ms, compact for tables. */
function shape(plan: SmartPlan): string[] {
  if (!plan.smart) return [`full: ${plan.reason}`]
  return plan.segments.map((s) => `${s.kind} ${s.sourceStartMs}-${s.sourceEndMs}`)
}

describe('planSmart: which GOPs are copied', () => {
  it.each<[string, Edits, string[]]>([
    ['no edits: one copy', edits(), ['copy 0-10000']],
    [
      'a callout inside one GOP re-encodes only that GOP',
      edits([], [rect(3200, 3700)]),
      ['copy 0-3000', 'encode 3000-4000', 'copy 4000-10000']
    ],
    [
      'a callout across a keyframe re-encodes both GOPs',
      edits([], [rect(3500, 4500)]),
      ['copy 0-3000', 'encode 3000-5000', 'copy 5000-10000']
    ],
    [
      'a callout ending exactly on a keyframe leaves the next GOP copied',
      edits([], [rect(3000, 4000)]),
      ['copy 0-3000', 'encode 3000-4000', 'copy 4000-10000']
    ],
    [
      'a cut re-encodes from the cut point to the next keyframe',
      edits([
        [0, 2500],
        [4300, 10_000]
      ]),
      ['copy 0-2000', 'encode 2000-2500', 'encode 4300-5000', 'copy 5000-10000']
    ],
    [
      'a cut on keyframes copies everything',
      edits([
        [0, 2000],
        [5000, 10_000]
      ]),
      ['copy 0-2000', 'copy 5000-10000']
    ],
    [
      'a trim to the middle of GOPs',
      edits([[1500, 8200]]),
      ['encode 1500-2000', 'copy 2000-8000', 'encode 8000-8200']
    ],
    [
      'a blur over two seconds and a highlight',
      edits(
        [],
        [
          { ...rect(6100, 8100), type: 'blur' } as Annotation,
          { ...rect(100, 200), type: 'highlight' } as Annotation
        ]
      ),
      ['encode 0-1000', 'copy 1000-6000', 'encode 6000-9000', 'copy 9000-10000']
    ]
  ])('%s', (_name, e, expected) => {
    expect(shape(planSmart({ facts: FACTS, edits: e, preset: SOURCE, index: index() }))).toEqual(
      expected
    )
  })

  it('places each stretch on the output clock and says what share is copied', () => {
    const plan = planSmart({
      facts: FACTS,
      edits: edits(
        [
          [0, 2500],
          [4300, 10_000]
        ],
        [rect(7200, 7400)]
      ),
      preset: SOURCE,
      index: index()
    })
    if (!plan.smart) throw new Error(plan.reason)
    expect(plan.outputDurationMs).toBe(8200)
    expect(plan.videoDurationMs).toBe(8200)
    expect(plan.segments.map((s) => [s.outputStartMs, s.durationMs])).toEqual([
      [0, 2000],
      [2000, 500],
      [2500, 700],
      [3200, 2000],
      [5200, 1000],
      [6200, 2000]
    ])
    expect(plan.joinsMs).toEqual([2000, 2500, 3200, 5200, 6200])
    expect(plan.copiedFraction).toBeCloseTo(6000 / 8200, 6)
    expect(plan.encoding).toEqual({
      profile: 'baseline',
      level: '3.1',
      pixFmt: 'yuvj420p',
      sar: '1:1',
      spsId: 1,
      timeBase: '1:16000',
      gopFrames: 60
    })
  })

  it('the first keyframe a little late still starts the first GOP at 0; the last GOP reaches the end', () => {
    const gops = [
      { startMs: 7, endMs: 1000 },
      { startMs: 1000, endMs: 9_990 }
    ]
    const plan = planSmart({
      facts: FACTS,
      edits: edits(),
      preset: SOURCE,
      index: index({ gops, endMs: 9_990 })
    })
    expect(shape(plan)).toEqual(['copy 0-10000'])
    // The copied last GOP brings the video's own end, 10 ms short of the facts' duration.
    expect(plan.smart && plan.videoDurationMs).toBe(9_990)
  })

  it('a stretch without a frame is not encoded: its time goes to the one before', () => {
    const frameTimesMs = Array.from({ length: 300 }, (_, i) => Math.round((i * 1000) / 30))
    const plan = planSmart({
      facts: FACTS,
      edits: edits([
        [0, 2500],
        [2990, 9000],
        [9020, 10_000]
      ]),
      preset: SOURCE,
      index: index({ frameTimesMs })
    })
    if (!plan.smart) throw new Error(plan.reason)
    // 2990–3000 holds no frame (frames at 2967 and 3000): the encoded stretch before it lasts longer.
    expect(
      plan.segments.map((s) => [
        s.kind,
        s.sourceStartMs,
        s.sourceEndMs,
        s.outputStartMs,
        s.durationMs
      ])
    ).toEqual([
      ['copy', 0, 2000, 0, 2000],
      ['encode', 2000, 2500, 2000, 510],
      ['copy', 3000, 9000, 2510, 6000],
      ['encode', 9020, 10_000, 8510, 980]
    ])
    expect(plan.outputDurationMs).toBe(9490)
  })

  it('a frameless stretch at the very start gives its time to the next one', () => {
    const frameTimesMs = Array.from({ length: 300 }, (_, i) => Math.round((i * 1000) / 30))
    const plan = planSmart({
      facts: FACTS,
      edits: edits([[1990, 10_000]]),
      preset: SOURCE,
      index: index({ frameTimesMs })
    })
    if (!plan.smart) throw new Error(plan.reason)
    expect(
      plan.segments.map((s) => [s.kind, s.sourceStartMs, s.outputStartMs, s.durationMs])
    ).toEqual([['copy', 2000, 0, 8010]])
  })

  it('picks a parameter-set id the recording does not use, and x264 profiles by family', () => {
    const plan = (stream: Partial<VideoStreamParams>) =>
      planSmart({
        facts: FACTS,
        edits: edits([], [rect(0, 10)]),
        preset: SOURCE,
        index: index({}, stream)
      })
    const enc = (p: SmartPlan) => (p.smart ? p.encoding : null)
    expect(enc(plan({ spsIds: [0, 1, 2] }))?.spsId).toBe(3)
    expect(enc(plan({ spsIds: [5] }))?.spsId).toBe(0)
    expect(enc(plan({ profile: 'High', level: 40, pixFmt: 'yuv420p' }))).toMatchObject({
      profile: 'high',
      level: '4',
      pixFmt: 'yuv420p'
    })
    expect(enc(plan({ profile: 'Main', sampleAspectRatio: '0:1' }))).toMatchObject({
      profile: 'main',
      sar: null
    })
  })
})

describe('planSmart: when it says a full re-encode, and why', () => {
  it.each<[string, Partial<RecordingFacts>, ExportPreset, GopIndex | null, RegExp]>([
    [
      'VP9',
      { videoCodec: 'vp9' },
      SOURCE,
      index(),
      /recording is VP9, which cannot be copied into MP4/
    ],
    ['VP8', { videoCodec: 'vp8' }, SOURCE, index(), /VP8/],
    ['a scaling size', {}, { size: '720p', quality: 'standard' }, index(), /720p size scales/],
    ['an odd size', { width: 1921 }, SOURCE, index({}, { width: 1921 }), /odd width or height/],
    ['Small quality', {}, { size: 'source', quality: 'small' }, index(), /Small quality/],
    ['no index', {}, SOURCE, null, /keyframes could not be read/],
    ['B-frames', {}, SOURCE, index({}, { hasBFrames: 2, profile: 'High' }), /B-frames/],
    ['reordered packets', {}, SOURCE, index({ reordered: true }), /B-frames/],
    ['an unknown profile', {}, SOURCE, index({}, { profile: 'High 4:4:4 Predictive' }), /profile/],
    ['4:4:4 pixels', {}, SOURCE, index({}, { pixFmt: 'yuv444p' }), /pixel format/],
    ['interlaced', {}, SOURCE, index({}, { fieldOrder: 'tt' }), /interlaced/],
    ['unreadable parameter sets', {}, SOURCE, index({}, { spsIds: [] }), /parameter sets/],
    [
      'no keyframe at the start',
      {},
      SOURCE,
      index({ gops: [{ startMs: 500, endMs: 10_000 }] }),
      /does not start with a keyframe/
    ]
  ])('%s', (_name, facts, preset, idx, reason) => {
    const plan = planSmart({ facts: { ...FACTS, ...facts }, edits: edits(), preset, index: idx })
    expect(plan.smart).toBe(false)
    if (!plan.smart) expect(plan.reason).toMatch(reason)
  })

  it('says so when every GOP has an edit in it', () => {
    const plan = planSmart({
      facts: FACTS,
      edits: edits([], [rect(0, 10_000)]),
      preset: SOURCE,
      index: index()
    })
    expect(plan).toEqual({ smart: false, reason: 'every stretch of the video has an edit in it' })
  })
})
