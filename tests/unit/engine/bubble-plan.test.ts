import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  bubbleSvgs,
  cameraSeekFor,
  cameraPtsExpression,
  cameraSelectExpression,
  planBubble,
  type BubbleSource
} from '../../../src/engine/bubble-plan'
import { planExport } from '../../../src/engine/export-plan'
import type { GopIndex } from '../../../src/engine/gop-index'
import { cameraForExport } from '../../../src/engine/run-export'
import { encodeSegmentArgs } from '../../../src/engine/smart-commands'
import { planSmart } from '../../../src/engine/smart-plan'
import type { Annotation, Bubble, Edits } from '../../../src/shared/edits'
import type { ExportPreset } from '../../../src/shared/export-preset'
import type { CameraFacts, RecordingFacts } from '../../../src/shared/project'
import { normalizeKeep, type TimeRange } from '../../../src/shared/timeline'

const CAMERA: CameraFacts = {
  file: 'camera.webm',
  container: 'webm',
  mimeType: 'video/webm;codecs=vp8',
  deviceName: 'Cam',
  offsetMs: 400,
  durationMs: 5000
}
const FACTS: RecordingFacts = {
  version: 1,
  id: 'p',
  status: 'complete',
  title: 'T',
  createdAt: '2026-12-03T10:00:00Z',
  sourceName: 'Screen',
  file: 'recording.mp4',
  container: 'mp4',
  mimeType: 'video/webm;codecs=h264,opus',
  videoCodec: 'h264',
  audioCodec: 'opus',
  width: 1920,
  height: 1080,
  durationMs: 6000,
  camera: CAMERA
}
const SOURCE: ExportPreset = { size: 'source', quality: 'standard' }
const KEEP: TimeRange[] = [
  [0, 1000],
  [2000, 6000]
]
/** Box on 1920×1080: x 96, y 432, side 540. */
const PLACED: Bubble = { x: 0.05, y: 0.4, size: 0.5, shape: 'circle', hidden: [] }

function source(camera: Partial<CameraFacts> | null = {}): BubbleSource {
  return {
    width: 1920,
    height: 1080,
    durationMs: 6000,
    ...(camera ? { camera: { ...CAMERA, ...camera } } : {})
  }
}

function edits(keep: TimeRange[], bubble?: Bubble, annotations: Annotation[] = []): Edits {
  return { version: 2, keep, annotations, ...(bubble ? { bubble } : {}) }
}

const rect = (id: string, startMs: number, endMs: number): Annotation =>
  ({ id, type: 'rect', startMs, endMs, x: 0.6, y: 0.1, w: 0.2, h: 0.2 }) as Annotation

describe('planBubble: when and which camera frames', () => {
  it('maps the camera through the cuts with its offset, and shows it where it has pictures', () => {
    const plan = planBubble(
      source(),
      { ...PLACED, hidden: [[4500, 5000]] },
      normalizeKeep(KEEP, 6000)
    )
    expect(plan).not.toBeNull()
    // Camera pictures on the recording's clock: 0.4–5.4 s. Kept: 0–1 s, 2–6 s.
    expect(plan!.pieces).toEqual([
      // Camera 0–0.6 s → recording 0.4–1 s → output 0.4–1 s.
      { fromMs: 0, toMs: 600, shiftMs: 400 },
      // Camera 1.6–5 s → recording 2–5.4 s → output 1–4.4 s.
      { fromMs: 1600, toMs: 5000, shiftMs: -600 }
    ])
    // Shown 0.4–4.5 s and 5–5.4 s of the recording; the cut joins 0.4–1 and 2–4.5 s up.
    expect(plan!.outputRanges).toEqual([
      [400, 3500],
      [4000, 4400]
    ])
    expect(plan!.box).toEqual({ x: 96, y: 432, size: 540 })
    expect(plan!.borderPx).toBe(11)
    expect(plan!.radiusPx).toBe(270)
    expect(plan!.cameraFile).toBe('camera.webm')
    expect(plan!.cameraSeekMs).toBe(0)
  })

  it('a camera that started before the screen is taken from its offset in, and the frame showing then', () => {
    const plan = planBubble(
      source({ offsetMs: -500, durationMs: 10_000 }),
      PLACED,
      normalizeKeep([], 6000)
    )
    // From 250 ms earlier (BUBBLE_LEAD_MS): the frame showing at output 0 was taken before it.
    expect(plan!.pieces).toEqual([{ fromMs: 250, toMs: 6500, shiftMs: -500 }])
    expect(plan!.outputRanges).toEqual([[0, 6000]])
  })

  it('a hidden stretch entirely inside a cut leaves one output range', () => {
    const plan = planBubble(
      source(),
      { ...PLACED, hidden: [[1200, 1800]] },
      normalizeKeep(KEEP, 6000)
    )
    expect(plan!.outputRanges).toEqual([[400, 4400]])
  })

  it('a stretch of a smart render: the camera opened at the stretch, on its own clock', () => {
    // Stretch 2–4 s of the recording; the camera seeked to camera 1.6 s (= recording 2 s).
    const plan = planBubble(source(), PLACED, normalizeKeep([[2000, 4000]], 6000), 1600)
    expect(plan!.pieces).toEqual([{ fromMs: 0, toMs: 2000, shiftMs: 0 }])
    expect(plan!.outputRanges).toEqual([[0, 2000]])
    expect(plan!.cameraSeekMs).toBe(1600)
  })

  it('a stretch opens the camera a little before its start, never before the camera’s own', () => {
    expect(cameraSeekFor({ offsetMs: 400 }, 2000)).toBe(1350)
    expect(cameraSeekFor({ offsetMs: 400 }, 500)).toBe(0)
    expect(cameraSeekFor({ offsetMs: -500 }, 0)).toBe(250)
    expect(cameraSeekFor(undefined, 2000)).toBe(0)
    const plan = planBubble(source(), PLACED, normalizeKeep([[2000, 4000]], 6000), 1350)
    expect(plan!.pieces).toEqual([{ fromMs: 0, toMs: 2250, shiftMs: -250 }])
  })

  it.each<[string, BubbleSource, Bubble, TimeRange[]]>([
    ['no camera', source(null), PLACED, []],
    ['a camera of unknown length', source({ durationMs: undefined }), PLACED, []],
    ['hidden everywhere', source(), { ...PLACED, hidden: [[0, 6000]] }, []],
    [
      'shown only inside the cut',
      source(),
      {
        ...PLACED,
        hidden: [
          [0, 1000],
          [2000, 6000]
        ]
      },
      KEEP
    ],
    ['the camera only inside the cut', source({ offsetMs: 1100, durationMs: 800 }), PLACED, KEEP]
  ])('no bubble: %s', (_name, src, bubble, keep) => {
    expect(planBubble(src, bubble, normalizeKeep(keep, 6000))).toBeNull()
  })

  it('the default bubble (none placed) is drawn, hidden where the camera was off', () => {
    const plan = planBubble(
      source({ offRanges: [[1000, 2000]] }),
      undefined,
      normalizeKeep([], 6000)
    )
    expect(plan!.shape).toBe('circle')
    expect(plan!.outputRanges).toEqual([
      [400, 1000],
      [2000, 5400]
    ])
  })
})

describe('the camera filters', () => {
  it('select takes the pieces, setpts moves each onto the output clock', () => {
    const pieces = [
      { fromMs: 0, toMs: 600, shiftMs: 400 },
      { fromMs: 1600, toMs: 5000, shiftMs: -600 },
      { fromMs: 5500, toMs: 6000, shiftMs: 0 }
    ]
    expect(cameraSelectExpression(pieces)).toBe(
      "'gte(t,0.000)*lt(t,0.600)+gte(t,1.600)*lt(t,5.000)+gte(t,5.500)*lt(t,6.000)'"
    )
    expect(cameraPtsExpression(pieces)).toBe(
      "'(if(lt(T,0.600),T+0.400,if(lt(T,5.000),T-0.600,T)))/TB'"
    )
  })

  it('the mask is the shape at the box size; the ring is drawn inside its edge', () => {
    const box = { x: 0, y: 0, size: 100 }
    const circle = bubbleSvgs({ box, radiusPx: 50, borderPx: 2, borderColor: '#ffffff' })
    expect(circle.mask).toContain('width="100" height="100"')
    expect(circle.mask).toContain('rx="50"')
    expect(circle.ring).toContain('x="1" y="1" width="98" height="98" rx="49"')
    expect(circle.ring).toContain('stroke="#ffffff" stroke-width="2"')
    const rounded = bubbleSvgs({ box, radiusPx: 20, borderPx: 2, borderColor: '#ffffff' })
    expect(rounded.mask).toContain('rx="20"')
  })
})

describe('planExport with a camera', () => {
  const plan = (e: Edits, facts: RecordingFacts = FACTS, extra = {}) =>
    planExport({ facts, edits: e, preset: SOURCE, outputPath: 'out.mp4.part', ...extra })

  it('adds the camera, mask and ring inputs after the callouts and composites them', () => {
    const p = plan(edits(KEEP, PLACED, [rect('r', 0, 6000)]), FACTS, {
      overlayDir: '/tmp/w',
      cameraPath: '/project/camera.webm'
    })
    expect(p.mode).toBe('encode')
    expect(p.bubble).not.toBeNull()
    const inputs = p.args.flatMap((a, i) => (p.args[i - 1] === '-i' ? [a] : []))
    expect(inputs).toEqual([
      'recording.mp4',
      '/tmp/w/callouts-001.png',
      '/project/camera.webm',
      '/tmp/w/bubble-mask.png',
      '/tmp/w/bubble-ring.png'
    ])
    const graph = p.filterGraph!
    // Camera is input 2, mask 3, ring 4: scaled to cover the 540 px square, centre-cropped.
    expect(graph).toContain(
      "[2:v]select='gte(t,0.000)*lt(t,0.600)+gte(t,1.600)*lt(t,5.000)',setpts='(if(lt(T,0.600),T+0.400,T-0.600))/TB'," +
        'scale=540:540:force_original_aspect_ratio=increase,crop=540:540,setsar=1,format=yuva420p[bubcam]'
    )
    expect(graph).toContain('[3:v]format=yuva420p[bubmask]')
    expect(graph).toContain(
      '[bubcam][bubmask]blend=all_mode=normal:all_opacity=1:c3_opacity=0[bub]'
    )
    const enable = "enable='gte(t,0.400)*lt(t,4.400)'"
    expect(graph).toContain('[vcut]format=yuv420p[vlimited]')
    expect(graph).toContain(`[vlimited][bub]overlay=96:432:eof_action=pass:${enable}[bubbed]`)
    expect(graph).toContain(`[bubbed][4:v]overlay=96:432:eof_action=repeat:${enable}[vbubble]`)
    // Above the screen, below the callouts.
    expect(graph.indexOf('[bubbed]')).toBeLessThan(graph.indexOf('[vbubble][1:v]overlay'))
  })

  it('draws the bubble after the blur (the blur is the screen’s)', () => {
    const blur = { id: 'b', type: 'blur', startMs: 0, endMs: 6000, x: 0.1, y: 0.1, w: 0.3, h: 0.3 }
    const graph = plan(edits([], PLACED, [blur as Annotation])).filterGraph!
    expect(graph).toContain('[vblur0]format=yuv420p[vlimited]')
    expect(graph.indexOf('[vblur0]')).toBeLessThan(graph.indexOf('[bubcam]'))
  })

  it('never copies while the bubble shows; copies again when it is hidden everywhere', () => {
    expect(plan(edits([], PLACED)).mode).toBe('encode')
    expect(plan(edits([])).mode).toBe('encode')
    const hidden = plan(edits([], { ...PLACED, hidden: [[0, 6000]] }))
    expect(hidden.mode).toBe('copy')
    expect(hidden.bubble).toBeNull()
  })

  it('without a camera: no bubble, no camera input, and the copy as before', () => {
    const { camera: _camera, ...noCamera } = FACTS
    const copy = plan(edits([], PLACED), noCamera)
    expect(copy.mode).toBe('copy')
    const cut = plan(edits(KEEP, PLACED), noCamera)
    expect(cut.bubble).toBeNull()
    expect(cut.filterGraph).not.toContain('bub')
    expect(cut.args.filter((a) => a === '-i')).toHaveLength(1)
  })

  it('defaults to the facts’ camera file, relative like the recording', () => {
    const p = plan(edits([], PLACED))
    expect(p.args).toContain('camera.webm')
    expect(p.args).toContain('bubble-mask.png')
  })
})

/** 6 s, a keyframe each second. */
const INDEX: GopIndex = {
  stream: {
    codec: 'h264',
    profile: 'Constrained Baseline',
    level: 31,
    width: 1920,
    height: 1080,
    pixFmt: 'yuvj420p',
    timeBase: '1/1000',
    sampleAspectRatio: '1:1',
    fieldOrder: 'progressive',
    hasBFrames: 0,
    spsIds: [0]
  },
  gops: Array.from({ length: 6 }, (_, i) => ({ startMs: i * 1000, endMs: i * 1000 + 1000 })),
  endMs: 6000,
  frameMs: 1000 / 30,
  reordered: false,
  packets: 180
}

describe('smart rendering with the bubble', () => {
  it('re-encodes the GOPs where the bubble shows, copies the rest', () => {
    const plan = planSmart({
      facts: FACTS,
      edits: edits([], { ...PLACED, hidden: [[2500, 6000]] }),
      preset: SOURCE,
      index: INDEX
    })
    if (!plan.smart) throw new Error(plan.reason)
    expect(plan.segments.map((s) => `${s.kind} ${s.sourceStartMs}-${s.sourceEndMs}`)).toEqual([
      'encode 0-3000',
      'copy 3000-6000'
    ])
  })

  it('says so when the bubble shows in every GOP', () => {
    const plan = planSmart({ facts: FACTS, edits: edits([], PLACED), preset: SOURCE, index: INDEX })
    expect(plan).toEqual({
      smart: false,
      reason: 'the camera bubble is shown in every stretch of the video'
    })
  })

  it('without a camera the bubble touches nothing', () => {
    const { camera: _camera, ...noCamera } = FACTS
    const plan = planSmart({
      facts: noCamera,
      edits: edits([], PLACED),
      preset: SOURCE,
      index: INDEX
    })
    expect(plan.smart && plan.copiedFraction).toBe(1)
  })

  it('a re-encoded stretch opens the camera at its own start and draws it on its own clock', () => {
    const { args } = encodeSegmentArgs({
      facts: FACTS,
      edits: edits(KEEP, { ...PLACED, hidden: [[4000, 6000]] }),
      preset: SOURCE,
      segment: {
        kind: 'encode',
        sourceStartMs: 2000,
        sourceEndMs: 4000,
        outputStartMs: 1000,
        durationMs: 2000
      },
      encoding: {
        profile: 'baseline',
        level: '3.1',
        pixFmt: 'yuvj420p',
        sar: '1:1',
        spsId: 1,
        timeBase: '1:1000',
        gopFrames: 60
      },
      input: '/p/recording.mp4',
      output: '/w/encode-0001.mkv',
      overlays: new Map(),
      overlayDir: '/w',
      cameraPath: '/p/camera.webm'
    })
    const at = args.indexOf('/p/camera.webm')
    // Camera 1.6 s is recording 2 s, the stretch's start; opened 250 ms before for the frame
    // already showing then.
    expect(args.slice(at - 3, at + 1)).toEqual(['-ss', '1.350000', '-i', '/p/camera.webm'])
    expect(args).toContain('/w/bubble-mask.png')
    const graph = args[args.indexOf('-filter_complex') + 1]!
    expect(graph).toContain("select='gte(t,0.000)*lt(t,2.250)',setpts='(T-0.250)/TB'")
    expect(graph).toContain("enable='gte(t,0.000)*lt(t,2.000)'")
    // The stretch keeps the source's full range at its end.
    expect(graph).toMatch(/format=yuvj420p,setsar=1:1\[vout\]$/)
  })

  it('a stretch where the bubble does not show has no camera input', () => {
    const { args } = encodeSegmentArgs({
      facts: FACTS,
      edits: edits([], { ...PLACED, hidden: [[0, 6000]] }, [rect('r', 5500, 5800)]),
      preset: SOURCE,
      segment: {
        kind: 'encode',
        sourceStartMs: 5000,
        sourceEndMs: 6000,
        outputStartMs: 5000,
        durationMs: 1000
      },
      encoding: {
        profile: 'baseline',
        level: '3.1',
        pixFmt: 'yuvj420p',
        sar: null,
        spsId: 1,
        timeBase: '1:1000',
        gopFrames: 60
      },
      input: '/p/recording.mp4',
      output: '/w/encode-0001.mkv',
      overlays: new Map(),
      overlayDir: '/w',
      cameraPath: '/p/camera.webm'
    })
    expect(args).not.toContain('/p/camera.webm')
  })
})

describe('cameraForExport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sidecast-camera-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps a camera whose file is there, with its path', () => {
    writeFileSync(join(dir, 'camera.webm'), 'x')
    const found = cameraForExport(dir, FACTS)
    expect(found.facts.camera).toEqual(CAMERA)
    expect(found.cameraPath).toBe(join(dir, 'camera.webm'))
    expect(found.missing).toBeUndefined()
  })

  it('leaves out a camera whose file is missing, naming the file', () => {
    const found = cameraForExport(dir, { ...FACTS, camera: { ...CAMERA, file: 'camera.mkv' } })
    expect(found.facts.camera).toBeUndefined()
    expect(found.missing).toContain('camera.mkv')
  })

  it('leaves out a camera of unknown length', () => {
    writeFileSync(join(dir, 'camera.webm'), 'x')
    const { durationMs: _d, ...unknown } = CAMERA
    const found = cameraForExport(dir, { ...FACTS, camera: unknown })
    expect(found.facts.camera).toBeUndefined()
    expect(found.missing).toMatch(/length is not known/)
  })

  it('a recording without a camera is as it is', () => {
    const { camera: _camera, ...noCamera } = FACTS
    expect(cameraForExport(dir, noCamera)).toEqual({ facts: noCamera })
  })
})
