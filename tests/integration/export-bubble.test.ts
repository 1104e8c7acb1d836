/**
 * The camera bubble in the export (issue 15), through real ffmpeg on generated sources: a blue
 * screen and a red camera (started 400 ms after the screen, stopped 600 ms before its end), each
 * with a white flash at the same moment of the recording's clock. Checks: the bubble's pixels
 * inside its box and the screen's everywhere else (box corners included: the mask is a shape,
 * not the square), the camera centre-cropped, a thin light border; the two flashes in the same
 * output frame after a cut; no bubble before the camera starts, after it stops or where it is
 * hidden; a rounded square covering spots a circle leaves out; the smart render re-encoding only
 * where the bubble shows and drawing it in sync there; a missing camera file exporting without
 * the bubble and saying so; no stream copy while a bubble shows.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runExport, type ExportResult } from '../../src/engine/run-export'
import { bubbleBox, defaultBubble } from '../../src/shared/bubble'
import type { Annotation, Bubble, Edits } from '../../src/shared/edits'
import type { ExportPreset } from '../../src/shared/export-preset'
import type { RecordingFacts } from '../../src/shared/project'
import type { TimeRange } from '../../src/shared/timeline'
import {
  brightOnsets,
  brightnessTrack,
  colourAt,
  isBlue,
  isRed,
  makeCameraProject,
  type CameraProject
} from './helpers/bubble-fixtures'
import { testFfmpeg } from './helpers/media-fixtures'

const tools = testFfmpeg()
const SYSTEM_FFMPEG = '/usr/bin/ffmpeg'
const root = mkdtempSync(join(tmpdir(), 'sidecast-bubble-test-'))
const SOURCE: ExportPreset = { size: 'source', quality: 'standard' }
const FRAME_MS = 1000 / 30

/** The cut: recording 1–2 s, before both flashes (recording 3 s → output 2 s). */
const KEEP: TimeRange[] = [
  [0, 1000],
  [2000, 6000]
]
const OFFSET_MS = 400
/** The bubble's box on the 320×240 frame: x 16, y 96, side 120 (border 2). */
const PLACED = { x: 0.05, y: 0.4, size: 0.5 }
const BOX = { x: 16, y: 96, size: 120 }

afterAll(() => rmSync(root, { recursive: true, force: true }))

let project: CameraProject

beforeAll(async () => {
  project = await makeCameraProject(tools, join(root, 'camera'), {
    // Blue, with a white flash over frames 90–95 (recording 3.0 s).
    screen:
      "color=c=blue:size=320x240:rate=30,drawbox=c=white:t=fill:enable='gte(t,2.99)*lt(t,3.19)'",
    seconds: 6,
    width: 320,
    height: 240,
    // Red at 25 fps with a green bar on its left tenth (the centre crop cuts it off), and a
    // white flash at camera 2.6 s = recording 3.0 s with the offset.
    camera:
      'color=c=red:size=160x120:rate=25,drawbox=x=0:y=0:w=16:h=120:c=green:t=fill,' +
      "drawbox=c=white:t=fill:enable='gte(t,2.59)*lt(t,2.79)'",
    cameraSeconds: 5,
    offsetMs: OFFSET_MS
  })
}, 60_000)

function bubble(extra: Partial<Bubble> = {}): Bubble {
  return { ...PLACED, shape: 'circle', hidden: [], ...extra }
}

function edits(b: Bubble | undefined, keep: TimeRange[] = KEEP): Edits {
  return { version: 2, keep, annotations: [], ...(b ? { bubble: b } : {}) }
}

async function exportOf(
  e: Edits,
  out: string,
  extra: { ffmpegPath?: string; facts?: RecordingFacts; dir?: string } = {}
): Promise<ExportResult> {
  const dir = extra.dir ?? project.dir
  return runExport({
    projectDir: dir,
    facts: extra.facts ?? project.facts,
    edits: e,
    preset: SOURCE,
    outFile: join(dir, 'exports', out),
    ffmpegPath: extra.ffmpegPath ?? tools.ffmpegPath,
    ffprobePath: tools.ffprobePath
  })
}

const centre = { x: BOX.x + BOX.size / 2 - 1, y: BOX.y + BOX.size / 2 - 1 }

async function centreColour(file: string, atMs: number): Promise<[number, number, number]> {
  return colourAt(tools, file, atMs, centre.x, centre.y, 4)
}

/** First onset after `afterMs`, in the bubble's centre and in a spot of the screen. */
async function flashes(file: string, afterMs: number): Promise<{ camera: number; screen: number }> {
  const [camera, screen] = await Promise.all([
    brightnessTrack(tools, file, { x: BOX.x + 50, y: BOX.y + 50, size: 20 }),
    brightnessTrack(tools, file, { x: 260, y: 20, size: 20 })
  ])
  const first = (track: Parameters<typeof brightOnsets>[0]): number =>
    brightOnsets(track).find((t) => t > afterMs) ?? Number.NaN
  return { camera: first(camera), screen: first(screen) }
}

const ffmpegs: [name: string, path: string][] = [
  ['bundled ffmpeg', tools.ffmpegPath],
  ...(existsSync(SYSTEM_FFMPEG) ? [['system ffmpeg', SYSTEM_FFMPEG] as [string, string]] : [])
]

describe('export with the camera bubble', () => {
  it.each(ffmpegs)(
    'draws the camera in a circle at its box, in sync after a cut, only where it shows (%s)',
    async (name, ffmpegPath) => {
      // Hidden over recording 4.5–5 s = output 3.5–4 s.
      const result = await exportOf(
        edits(bubble({ hidden: [[4500, 5000]] })),
        `circle-${name.split(' ')[0]}.mp4`,
        { ffmpegPath }
      )
      expect(result.bubble).toEqual({ shown: true })
      expect(result.durationMs).toBe(5000)
      // The bubble shows in every GOP, so nothing can be copied.
      expect(result.render.mode).toBe('full')
      expect(result.render.reason).toMatch(/camera bubble/)
      const file = result.outFile

      // (a) Inside: the camera; its left edge is red, not the camera's green bar (centre crop).
      expect(isRed(await centreColour(file, 1500))).toBe(true)
      expect(isRed(await colourAt(tools, file, 1500, BOX.x + 6, centre.y))).toBe(true)
      // The border: light, on the box's edge.
      const border = await colourAt(tools, file, 1500, centre.x, BOX.y)
      expect(Math.min(...border)).toBeGreaterThan(170)
      // Outside the box and in the corners of its square (the circle leaves them out): screen.
      const outside = [
        [8, 8],
        [300, 220],
        [BOX.x + BOX.size + 4, centre.y],
        [centre.x, BOX.y - 6],
        [BOX.x + 2, BOX.y + 2],
        [BOX.x + BOX.size - 4, BOX.y + 2],
        [BOX.x + 2, BOX.y + BOX.size - 4],
        [BOX.x + BOX.size - 4, BOX.y + BOX.size - 4]
      ] as const
      for (const [x, y] of outside) {
        expect(isBlue(await colourAt(tools, file, 1500, x, y)), `${x},${y}`).toBe(true)
      }

      // (b) The camera's flash and the screen's land in the same output frame, after the cut.
      const { camera, screen } = await flashes(file, 1000)
      expect(Math.abs(screen - 2000)).toBeLessThanOrEqual(FRAME_MS)
      expect(Math.abs(camera - screen)).toBeLessThanOrEqual(FRAME_MS)

      // (c) No bubble before the camera's first frame (output 0.4 s), where it is hidden
      // (3.5–4 s) or after the camera stopped (recording 5.4 s = output 4.4 s); back between.
      expect(isBlue(await centreColour(file, 200))).toBe(true)
      expect(isRed(await centreColour(file, 600))).toBe(true)
      expect(isBlue(await centreColour(file, 3750))).toBe(true)
      expect(isRed(await centreColour(file, 4200))).toBe(true)
      expect(isBlue(await centreColour(file, 4700))).toBe(true)
    },
    120_000
  )

  it('a rounded square covers spots near its corners that a circle leaves out', async () => {
    const [circle, rounded] = await Promise.all([
      exportOf(edits(bubble()), 'shape-circle.mp4'),
      exportOf(edits(bubble({ shape: 'rounded' })), 'shape-rounded.mp4')
    ])
    // 11 px in along the diagonal: outside the circle (8 px past its edge), inside the rounded
    // square (radius 24 px) and clear of its border.
    const spot = { x: BOX.x + 11, y: BOX.y + 11 }
    expect(isBlue(await colourAt(tools, circle.outFile, 1500, spot.x, spot.y))).toBe(true)
    expect(isRed(await colourAt(tools, rounded.outFile, 1500, spot.x, spot.y))).toBe(true)
    // The very corner stays the screen's for both.
    expect(isBlue(await colourAt(tools, rounded.outFile, 1500, BOX.x, BOX.y))).toBe(true)
    expect(isRed(await centreColour(rounded.outFile, 1500))).toBe(true)
  }, 120_000)

  it('smart rendering re-encodes only where the bubble shows, in sync there', async () => {
    // Shown over recording 0.4–3.5 s only: the GOPs from 4 s on are copied.
    const result = await exportOf(edits(bubble({ hidden: [[3500, 6000]] })), 'smart.mp4')
    expect(result.render.mode).toBe('smart')
    expect(result.render.copiedFraction).toBeGreaterThan(0.3)
    expect(result.mode).toBe('smart')
    const file = result.outFile
    // In the re-encoded stretch after the cut (the camera opened mid-file): drawn and in sync.
    expect(isRed(await centreColour(file, 1500))).toBe(true)
    expect(isBlue(await colourAt(tools, file, 1500, BOX.x + 2, BOX.y + 2))).toBe(true)
    const { camera, screen } = await flashes(file, 1000)
    expect(Math.abs(screen - 2000)).toBeLessThanOrEqual(FRAME_MS)
    expect(Math.abs(camera - screen)).toBeLessThanOrEqual(FRAME_MS)
    // Hidden from recording 3.5 s (output 2.5 s): the re-encoded rest and the copied GOPs.
    expect(isBlue(await centreColour(file, 2800))).toBe(true)
    expect(isBlue(await centreColour(file, 3500))).toBe(true)
  }, 120_000)

  it('a recording with a camera and no edits is not stream-copied: the default bubble shows', async () => {
    const result = await exportOf(edits(undefined, []), 'default.mp4')
    expect(result.mode).not.toBe('copy')
    expect(result.bubble).toEqual({ shown: true })
    const box = bubbleBox(defaultBubble({ width: 320, height: 240 }), { width: 320, height: 240 })
    const mid = { x: box.x + box.size / 2 - 1, y: box.y + box.size / 2 - 1 }
    expect(isRed(await colourAt(tools, result.outFile, 2500, mid.x, mid.y))).toBe(true)
    expect(isBlue(await colourAt(tools, result.outFile, 2500, 300, 10))).toBe(true)
  }, 120_000)

  it.each([
    ['full', false],
    ['smart', true]
  ])(
    'a camera that started first is in the very first frame, and after a trim (%s)',
    async (name, smart) => {
      // Camera frames every 40 ms from recording −530 ms: none falls on 0 or 1000 exactly, so
      // the frame showing there was taken before the kept range starts.
      const early = await makeCameraProject(tools, join(root, `early-${name}`), {
        screen: 'color=c=blue:size=320x240:rate=30',
        seconds: 4,
        width: 320,
        height: 240,
        camera: 'color=c=red:size=160x120:rate=25',
        cameraSeconds: 5,
        offsetMs: -530
      })
      for (const keep of [[], [[1000, 4000]]] as TimeRange[][]) {
        const result = await runExport({
          projectDir: early.dir,
          facts: early.facts,
          // Hidden from 2.5 s: the stretch from 3 s on is copied when smart.
          edits: edits(bubble({ hidden: [[2500, 4000]] }), keep),
          preset: SOURCE,
          outFile: join(early.dir, 'exports', `early-${keep.length}.mp4`),
          ffmpegPath: tools.ffmpegPath,
          ffprobePath: tools.ffprobePath,
          smart
        })
        expect(result.render.mode).toBe(smart ? 'smart' : 'full')
        expect(isRed(await centreColour(result.outFile, 0)), `keep ${keep.length}`).toBe(true)
      }
    },
    120_000
  )

  it('a white callout on this full-range recording stays white, with the bubble and without', async () => {
    // A white rectangle's left stroke around x 16–32 of the 320 px frame, away from the bubble.
    const callout = {
      ...{ id: 'r', type: 'rect', startMs: 0, endMs: 6000, color: '#ffffff', strokeWidth: 0.1 },
      ...{ x: 0.05, y: 0.05, w: 0.3, h: 0.25 }
    } as Annotation
    const { camera: _camera, ...noCamera } = project.facts
    const withBubble = await exportOf(
      { ...edits(bubble()), annotations: [callout] },
      'callout-bubble.mp4'
    )
    const without = await exportOf({ ...edits(bubble()), annotations: [callout] }, 'callout.mp4', {
      facts: noCamera
    })
    expect(withBubble.bubble).toEqual({ shown: true })
    expect(without.bubble).toBeUndefined()
    for (const result of [withBubble, without]) {
      const stroke = await colourAt(tools, result.outFile, 1500, 22, 44)
      expect(Math.min(...stroke), result.outFile).toBeGreaterThan(245)
    }
  }, 120_000)

  it('a missing camera file exports without the bubble and says which file', async () => {
    const dir = join(root, 'no-camera-file')
    mkdirSync(dir, { recursive: true })
    copyFileSync(join(project.dir, 'recording.mp4'), join(dir, 'recording.mp4'))
    const facts: RecordingFacts = {
      ...project.facts,
      camera: { ...project.facts.camera!, file: 'camera-gone.webm' }
    }
    const result = await exportOf(edits(bubble()), 'missing.mp4', { dir, facts })
    expect(result.bubble?.shown).toBe(false)
    expect(result.bubble?.why).toContain('camera-gone.webm')
    expect(isBlue(await centreColour(result.outFile, 1500))).toBe(true)

    // With no edits either, it is the plain copy again.
    const copy = await exportOf(edits(undefined, []), 'missing-copy.mp4', { dir, facts })
    expect(copy.mode).toBe('copy')
    expect(copy.bubble?.shown).toBe(false)
  }, 120_000)
})
