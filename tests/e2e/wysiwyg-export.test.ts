/**
 * What you see is what you export: the editor's overlay (the real CalloutOverlay in headless
 * Chromium, over the source frame) against the frame the real export pipeline (resvg + ffmpeg)
 * writes at the same moment, per callout type; and the camera bubble (the real BubbleOverlay
 * playing a generated camera recording) against the export's composite of the same camera.
 * Editing in the overlay is wysiwyg-editing.test.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runExport } from '../../src/engine/run-export'
import { boundsOf } from '../../src/renderer/src/editor/overlay/geometry'
import {
  bubbleBorderPx,
  bubbleBox,
  defaultBubble,
  effectiveBubble,
  type BubbleBox
} from '../../src/shared/bubble'
import type { Annotation, Bubble, Edits } from '../../src/shared/edits'
import type { CameraFacts } from '../../src/shared/project'
import { decodeRgb, detail, framePng, meanAbsDiff, type Region, type Rgb } from './wysiwyg/images'
import {
  ALL_TIME,
  AT_MS,
  CAMERA_LEFT,
  CAMERA_RIGHT,
  FRAME,
  GRID_BLUR,
  cameraSummary,
  facts,
  makeCamera,
  openOverlaySession,
  run,
  tools,
  type OverlaySession
} from './wysiwyg/overlay-session'

/*
 * Thresholds, in levels of 0–255 per channel, chosen after measuring (the test prints what it
 * measured). Export goes through yuv420p and x264 at CRF 23, so part of any difference is the
 * encoder's own loss, which the test measures on its own: a reference export with no callout
 * showing, against the source. On the finely gridded areas of the source that alone is up to
 * about 5 levels on average. Text is rasterised by resvg in export and by Chromium in the editor
 * (the same DejaVu Sans files, slightly different anti-aliasing).
 */
/** Over the annotation's area (bounds plus halo): editor vs export, beyond the encoder's own loss. */
const AREA_LIMIT = 6
/** Over the whole frame: editor vs export. */
const FRAME_LIMIT = 3
/**
 * Over the drawn pixels alone. Higher, because yuv420p keeps colour at half resolution: a 2 px
 * saturated red line comes out of export visibly less saturated (about 20 levels on an arrow).
 */
const DRAWN_LIMIT = 30
/** The drawing shows: it changes its area by at least this much, in both pictures... */
const VISIBLE_MIN = 1.5
/** ...and at least this many pixels by more than 48 levels. */
const MIN_DRAWN_PIXELS = 200

let session: OverlaySession
let source: Rgb
/** The export with no callout showing at AT_MS: what the encoder alone does to the source. */
let reference: Rgb

/**
 * Exports `annotations` with the real pipeline and returns the output frame at AT_MS. `smart`
 * false re-encodes every frame even where smart rendering would copy the recording's packets.
 */
async function exportedFrame(
  name: string,
  annotations: Annotation[],
  smart = true,
  withCamera?: { readonly camera: CameraFacts; readonly bubble?: Bubble }
): Promise<Rgb> {
  const edits: Edits = {
    version: 2,
    keep: [],
    annotations,
    ...(withCamera?.bubble ? { bubble: withCamera.bubble } : {})
  }
  const outFile = join(session.root, 'exports', `${name}.mp4`)
  await runExport({
    projectDir: session.root,
    facts: facts(withCamera?.camera),
    edits,
    preset: { size: 'source', quality: 'standard' },
    outFile,
    ffmpegPath: tools.ffmpegPath,
    ffprobePath: tools.ffprobePath,
    smart
  })
  return decodeRgb(
    tools.ffmpegPath,
    await framePng(tools.ffmpegPath, outFile, AT_MS),
    FRAME.width,
    FRAME.height
  )
}

/** The editor's picture: a screenshot of the stage (frame + overlay) at 1 CSS px per pixel. */
async function editorFrame(
  annotations: Annotation[],
  bubble?: Parameters<OverlaySession['mount']>[0]['bubble']
): Promise<Rgb> {
  await session.mount({ annotations, ...(bubble ? { bubble } : {}) })
  // Nothing under the pointer: a hidden bubble outlines itself under a hovering pointer.
  await session.page.mouse.move(999, 599)
  const png = await session.page.locator('#stage').screenshot({ timeout: 20_000 })
  return decodeRgb(tools.ffmpegPath, png, FRAME.width, FRAME.height)
}

/** Pixel region of an annotation's drawing: its bounds (with a callout's tip) plus the halo. */
function regionOf(a: Annotation): Region {
  if (a.type === 'highlight') return { x: 0, y: 0, w: FRAME.width, h: FRAME.height }
  const b = boundsOf(a, FRAME)
  let left = b.x
  let top = b.y
  let right = b.x + b.w
  let bottom = b.y + b.h
  if (a.type === 'callout' && a.pointX !== undefined && a.pointY !== undefined) {
    left = Math.min(left, a.pointX)
    top = Math.min(top, a.pointY)
    right = Math.max(right, a.pointX)
    bottom = Math.max(bottom, a.pointY)
  }
  const m = 4
  return {
    x: left * FRAME.width - m,
    y: top * FRAME.height - m,
    w: (right - left) * FRAME.width + 2 * m,
    h: (bottom - top) * FRAME.height + 2 * m
  }
}

interface Drawn {
  /** Mean difference between editor and export over the drawn pixels. */
  readonly mean: number
  /** Pixels the editor changed from the source. */
  readonly editorPixels: number
  /** Pixels export changed from the reference. */
  readonly exportPixels: number
}

/**
 * The drawn pixels: those the editor changed from the source, or export from the reference, by
 * more than 48 levels in a channel.
 */
function drawnPixels(editor: Rgb, exported: Rgb, region: Region): Drawn {
  let sum = 0
  let count = 0
  let editorPixels = 0
  let exportPixels = 0
  const x0 = Math.max(0, Math.floor(region.x))
  const y0 = Math.max(0, Math.floor(region.y))
  const x1 = Math.min(FRAME.width, Math.ceil(region.x + region.w))
  const y1 = Math.min(FRAME.height, Math.ceil(region.y + region.h))
  const at = (img: Rgb, i: number): number => img.data[i] as number
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * FRAME.width + x) * 3
      let inEditor = false
      let inExport = false
      for (let c = i; c < i + 3; c++) {
        if (Math.abs(at(editor, c) - at(source, c)) > 48) inEditor = true
        if (Math.abs(at(exported, c) - at(reference, c)) > 48) inExport = true
      }
      if (inEditor) editorPixels++
      if (inExport) exportPixels++
      if (!inEditor && !inExport) continue
      for (let c = i; c < i + 3; c++) sum += Math.abs(at(editor, c) - at(exported, c))
      count += 3
    }
  }
  return { mean: sum / Math.max(1, count), editorPixels, exportPixels }
}

/** With SIDECAST_WYSIWYG_DUMP=<folder>, the pictures compared are kept there to look at. */
async function dump(name: string, pictures: Record<string, Rgb>): Promise<void> {
  const folder = process.env.SIDECAST_WYSIWYG_DUMP
  if (!folder) return
  mkdirSync(folder, { recursive: true })
  for (const [kind, img] of Object.entries(pictures)) {
    const raw = join(session.root, `${name}-${kind}.rgb`)
    writeFileSync(raw, img.data)
    // prettier-ignore
    await run(tools.ffmpegPath, [
      '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${img.width}x${img.height}`,
      '-i', raw, join(folder, `${name}-${kind}.png`)
    ], { timeout: 30_000 })
  }
}

const CASES: { name: string; annotation: Annotation }[] = [
  {
    name: 'rect',
    annotation: { id: 'r', type: 'rect', ...ALL_TIME, x: 0.06, y: 0.08, w: 0.3, h: 0.3 }
  },
  {
    name: 'thick yellow rect',
    annotation: {
      id: 'r2',
      type: 'rect',
      ...ALL_TIME,
      x: 0.5,
      y: 0.45,
      w: 0.3,
      h: 0.35,
      color: '#ffc53d',
      strokeWidth: 0.012
    }
  },
  {
    name: 'arrow',
    annotation: { id: 'a', type: 'arrow', ...ALL_TIME, x1: 0.15, y1: 0.85, x2: 0.45, y2: 0.45 }
  },
  {
    name: 'callout',
    annotation: {
      id: 'c',
      type: 'callout',
      ...ALL_TIME,
      x: 0.52,
      y: 0.06,
      w: 0.42,
      h: 0.2,
      text: 'Open the Share menu, then Copy link',
      pointX: 0.45,
      pointY: 0.5
    }
  },
  {
    name: 'large light callout',
    annotation: {
      id: 'c2',
      type: 'callout',
      ...ALL_TIME,
      x: 0.05,
      y: 0.55,
      w: 0.5,
      h: 0.25,
      text: 'Größe & "Quotes" <ok>',
      color: '#ffffff',
      fontSize: 0.05
    }
  },
  {
    name: 'step',
    annotation: { id: 's', type: 'step', ...ALL_TIME, x: 0.8, y: 0.7, n: 3, fontSize: 0.05 }
  },
  {
    name: 'highlight',
    annotation: { id: 'h', type: 'highlight', ...ALL_TIME, x: 0.3, y: 0.3, w: 0.35, h: 0.4 }
  }
]

const BLUR_CASES: { name: string; annotation: Annotation }[] = [
  { name: 'blur', annotation: GRID_BLUR },
  {
    name: 'pixelate',
    annotation: {
      id: 'p',
      type: 'blur',
      ...ALL_TIME,
      x: 0.55,
      y: 0.5,
      w: 0.4,
      h: 0.4,
      mode: 'pixelate',
      strength: 0.8
    }
  }
]

const measured: string[] = []

beforeAll(async () => {
  session = await openOverlaySession()
  source = await decodeRgb(tools.ffmpegPath, session.sourcePng, FRAME.width, FRAME.height)
  // A callout outside AT_MS, re-encoded in full as every case below is (each one shows all the
  // time, so smart rendering has nothing to copy); smart rendering would copy AT_MS's GOP here.
  reference = await exportedFrame(
    'reference',
    [{ id: 'later', type: 'rect', startMs: 2900, endMs: 3000, x: 0.1, y: 0.1, w: 0.1, h: 0.1 }],
    false
  )
})

afterAll(async () => {
  if (measured.length > 0) console.log(`WYSIWYG (levels of 255):\n${measured.join('\n')}`)
  await session?.close()
})

describe('the editor shows what export writes', () => {
  it.each(CASES)('$name', async ({ name, annotation }) => {
    const exported = await exportedFrame(name.replace(/\W+/g, '-'), [annotation])
    const editor = await editorFrame([annotation])
    const region = regionOf(annotation)

    await dump(name.replace(/\W+/g, '-'), { editor, export: exported })

    const area = meanAbsDiff(editor, exported, region)
    const whole = meanAbsDiff(editor, exported)
    const drawn = drawnPixels(editor, exported, region)
    const encoder = meanAbsDiff(reference, source, region)
    const exportChange = meanAbsDiff(exported, reference, region)
    const editorChange = meanAbsDiff(editor, source, region)
    measured.push(
      `  ${name.padEnd(20)} area ${area.toFixed(2)}  frame ${whole.toFixed(2)}  drawn pixels ${drawn.mean.toFixed(2)}` +
        `  (encoder alone: ${encoder.toFixed(2)} over the area; the drawing changes the area by ${exportChange.toFixed(1)} in export, ${editorChange.toFixed(1)} in the editor; ${drawn.editorPixels} px drawn in the editor, ${drawn.exportPixels} in export)`
    )

    // The drawing is really there in both, about as large, or the comparison would prove nothing.
    expect(exportChange).toBeGreaterThan(VISIBLE_MIN)
    expect(editorChange).toBeGreaterThan(VISIBLE_MIN)
    expect(drawn.editorPixels).toBeGreaterThan(MIN_DRAWN_PIXELS)
    expect(drawn.exportPixels / drawn.editorPixels).toBeGreaterThan(0.7)
    expect(drawn.exportPixels / drawn.editorPixels).toBeLessThan(1 / 0.7)
    expect(area - encoder).toBeLessThan(AREA_LIMIT)
    expect(whole).toBeLessThan(FRAME_LIMIT)
    expect(drawn.mean).toBeLessThan(DRAWN_LIMIT)
  })

  /*
   * Blur is the exception the design names: export blurs the pixels with ffmpeg (boxblur, or
   * scale down/up for pixelate) and the editor previews it with a CSS backdrop-filter blur, so
   * the two are not pixel-identical. What must hold: both hide the detail inside the box.
   */
  it.each(BLUR_CASES)('$name: both the preview and the export hide the detail', async (c) => {
    const exported = await exportedFrame(c.name, [c.annotation])
    const editor = await editorFrame([c.annotation])
    const box = regionOf(c.annotation)
    // Inside the box, clear of its edges (and of the dashed outline the editor draws there).
    const inner = { x: box.x + 12, y: box.y + 12, w: box.w - 24, h: box.h - 24 }
    const before = detail(source, inner)
    const afterExport = detail(exported, inner)
    const afterEditor = detail(editor, inner)
    measured.push(
      `  ${c.name.padEnd(20)} detail: source ${before.toFixed(2)}, export ${afterExport.toFixed(2)}, editor ${afterEditor.toFixed(2)}` +
        `  (mean diff inside ${meanAbsDiff(editor, exported, inner).toFixed(2)})`
    )
    expect(before).toBeGreaterThan(4)
    expect(afterExport).toBeLessThan(before * 0.5)
    expect(afterEditor).toBeLessThan(before * 0.5)
    // Outside the box both leave the picture alone.
    const leftStrip = c.annotation.type === 'blur' && c.annotation.x > 0.3
    const away: Region = leftStrip
      ? { x: 0, y: 0, w: 0.25 * FRAME.width, h: FRAME.height }
      : { x: 0.75 * FRAME.width, y: 0, w: 0.25 * FRAME.width, h: FRAME.height }
    expect(meanAbsDiff(editor, exported, away)).toBeLessThan(AREA_LIMIT)
  })
})

/** The mean colour of a square patch of `radius` around (x, y). */
function patchColour(
  img: Rgb,
  x: number,
  y: number,
  radius = 2
): { r: number; g: number; b: number } {
  const sum = [0, 0, 0]
  let n = 0
  for (let yy = Math.round(y) - radius; yy <= Math.round(y) + radius; yy++) {
    for (let xx = Math.round(x) - radius; xx <= Math.round(x) + radius; xx++) {
      const i = (yy * img.width + xx) * 3
      for (let c = 0; c < 3; c++) sum[c] = (sum[c] as number) + (img.data[i + c] as number)
      n++
    }
  }
  return { r: (sum[0] as number) / n, g: (sum[1] as number) / n, b: (sum[2] as number) / n }
}

/** Largest difference of one channel between two colours. */
function colourDiff(
  a: { r: number; g: number; b: number },
  b: { r: number; g: number; b: number }
): number {
  return Math.max(Math.abs(a.r - b.r), Math.abs(a.g - b.g), Math.abs(a.b - b.b))
}

/** A colour's distance from the camera's: near it means the camera shows there. */
const COLOUR_LIMIT = 24
/** The border is white: its brightest row is at least this bright in every channel. */
const BORDER_MIN = 170

describe('the camera bubble: the editor shows it where export puts it', () => {
  let camera: CameraFacts
  let cameraUrl: string

  beforeAll(async () => {
    camera = await makeCamera(session.root)
    cameraUrl = session.server.addFile('camera.webm', readFileSync(join(session.root, camera.file)))
  })

  const pictures = async (
    name: string,
    annotations: Annotation[],
    bubble: Bubble | undefined
  ): Promise<{ editor: Rgb; exported: Rgb }> => {
    const exported = await exportedFrame(name, annotations, true, { camera, bubble })
    const editor = await editorFrame(annotations, {
      camera: cameraSummary(camera, cameraUrl),
      ...(bubble ? { bubble } : {})
    })
    await dump(name, { editor, export: exported })
    return { editor, exported }
  }

  const regionOfBox = (box: BubbleBox, m = 4): Region => ({
    x: box.x - m,
    y: box.y - m,
    w: box.size + 2 * m,
    h: box.size + 2 * m
  })

  const BUBBLE_CASES: { name: string; bubble?: Bubble; annotations: Annotation[] }[] = [
    // No bubble in the edits: the default, a circle in the bottom-left corner.
    { name: 'bubble default circle', annotations: [] },
    {
      name: 'bubble rounded square under a callout',
      bubble: { x: 0.6, y: 0.08, size: 0.4, shape: 'rounded', hidden: [] },
      // A red outline across the bubble: the callouts are drawn over it in both.
      annotations: [{ id: 'over', type: 'rect', ...ALL_TIME, x: 0.55, y: 0.2, w: 0.3, h: 0.2 }]
    }
  ]

  it.each(BUBBLE_CASES)('$name', async ({ name, bubble, annotations }) => {
    const { editor, exported } = await pictures(name.replace(/\W+/g, '-'), annotations, bubble)
    const placed = effectiveBubble(bubble, FRAME, camera)
    const box = bubbleBox(placed, FRAME)
    const region = regionOfBox(box)

    const area = meanAbsDiff(editor, exported, region)
    const whole = meanAbsDiff(editor, exported)
    const drawn = drawnPixels(editor, exported, region)
    const encoder = meanAbsDiff(reference, source, region)
    const exportChange = meanAbsDiff(exported, reference, region)
    const editorChange = meanAbsDiff(editor, source, region)
    // The camera's halves, sampled clear of the border, the middle line and the callout.
    const spots = {
      left: { x: box.x + 0.25 * box.size, y: box.y + 0.7 * box.size, colour: CAMERA_LEFT },
      right: { x: box.x + 0.75 * box.size, y: box.y + 0.7 * box.size, colour: CAMERA_RIGHT }
    }
    const sampled = Object.entries(spots).map(([spot, { x, y, colour }]) => ({
      spot,
      editor: colourDiff(patchColour(editor, x, y), colour),
      exported: colourDiff(patchColour(exported, x, y), colour)
    }))
    // The border's brightest row at the top of the bubble, across its middle.
    const borderPx = bubbleBorderPx(box.size)
    const whitest = (img: Rgb): number => {
      let best = 0
      for (let y = box.y; y < box.y + borderPx + 1; y++) {
        const c = patchColour(img, box.x + box.size / 2, y, 0)
        best = Math.max(best, Math.min(c.r, c.g, c.b))
      }
      return best
    }
    // Just inside the square's corner: outside a circle (the screen shows), inside a rounded
    // square's corner radius too (radius 0.2 of the side).
    const corner = { x: box.x + 0.04 * box.size, y: box.y + 0.04 * box.size }
    const cornerEditor = colourDiff(
      patchColour(editor, corner.x, corner.y, 1),
      patchColour(source, corner.x, corner.y, 1)
    )
    const cornerExport = colourDiff(
      patchColour(exported, corner.x, corner.y, 1),
      patchColour(reference, corner.x, corner.y, 1)
    )
    measured.push(
      `  ${name.padEnd(20)} area ${area.toFixed(2)}  frame ${whole.toFixed(2)}  drawn pixels ${drawn.mean.toFixed(2)}` +
        `  (encoder alone: ${encoder.toFixed(2)}; ${drawn.editorPixels} px drawn in the editor, ${drawn.exportPixels} in export;` +
        ` camera colour off by ${sampled.map((s) => `${s.spot} ${s.editor.toFixed(0)}/${s.exported.toFixed(0)}`).join(', ')} (editor/export);` +
        ` border ${whitest(editor)}/${whitest(exported)}; corner off the screen by ${cornerEditor.toFixed(0)}/${cornerExport.toFixed(0)})`
    )

    expect(exportChange).toBeGreaterThan(VISIBLE_MIN)
    expect(editorChange).toBeGreaterThan(VISIBLE_MIN)
    expect(drawn.editorPixels).toBeGreaterThan(MIN_DRAWN_PIXELS)
    expect(drawn.exportPixels / drawn.editorPixels).toBeGreaterThan(0.85)
    expect(drawn.exportPixels / drawn.editorPixels).toBeLessThan(1 / 0.85)
    for (const s of sampled) {
      expect(s.editor, `${s.spot} half in the editor`).toBeLessThan(COLOUR_LIMIT)
      expect(s.exported, `${s.spot} half in export`).toBeLessThan(COLOUR_LIMIT)
    }
    expect(whitest(editor)).toBeGreaterThan(BORDER_MIN)
    expect(whitest(exported)).toBeGreaterThan(BORDER_MIN)
    // The mask: the screen, not the camera, in the square's corner.
    expect(cornerEditor).toBeLessThan(COLOUR_LIMIT)
    expect(cornerExport).toBeLessThan(COLOUR_LIMIT)
    expect(area - encoder).toBeLessThan(AREA_LIMIT)
    expect(whole).toBeLessThan(FRAME_LIMIT)
    expect(drawn.mean).toBeLessThan(DRAWN_LIMIT)
  })

  it('hidden at the moment: neither the editor nor export shows it', async () => {
    // Where it starts (over flat parts of the picture), hidden from 1 s to 2 s.
    const bubble: Bubble = { ...defaultBubble(FRAME), hidden: [[1000, 2000]] }
    const { editor, exported } = await pictures('bubble-hidden', [], bubble)
    const region = regionOfBox(bubbleBox(bubble, FRAME))
    const editorChange = meanAbsDiff(editor, source, region)
    const exportChange = meanAbsDiff(exported, reference, region)
    measured.push(
      `  ${'bubble hidden'.padEnd(20)} the bubble's area changed by ${editorChange.toFixed(2)} in the editor, ${exportChange.toFixed(2)} in export`
    )
    expect(editorChange).toBeLessThan(VISIBLE_MIN)
    expect(exportChange).toBeLessThan(VISIBLE_MIN)
  })
})
