import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  CALLOUT_FONT_FILES,
  fontDir,
  geometryBounds,
  rasterizeOverlay,
  rasterizeOverlayCropped,
  renderOverlayPixels,
  type RasterPixels
} from '../../src/engine/callout-raster'
import { drawOverlay } from '../../src/shared/callouts/draw'
import type { Annotation } from '../../src/shared/edits'
import { SidecastError } from '../../src/shared/errors'

const W = 640
const H = 360
const time = { startMs: 0, endMs: 1000 }

const RED = [255, 0, 0] as const
const GREEN = [0, 160, 0] as const
const NAVY = [31, 58, 147] as const
const ORANGE = [255, 170, 0] as const
const SHADE = [51, 102, 153] as const

// Laid out so that no two overlap; pixel boxes in the comments are at 640×360.
const rect: Annotation = {
  id: 'rect',
  type: 'rect',
  ...{ x: 0.05, y: 0.05, w: 0.25, h: 0.25 }, // 32..192 × 18..108
  color: '#ff0000',
  strokeWidth: 0.012,
  ...time
}
const step: Annotation = {
  id: 'step',
  type: 'step',
  ...{ x: 0.5, y: 0.15, n: 1 }, // centre 320,54; radius ≈ 25
  color: '#00a000',
  fontSize: 0.08,
  ...time
}
const callout: Annotation = {
  id: 'callout',
  type: 'callout',
  ...{ x: 0.65, y: 0.05, w: 0.3, h: 0.3 }, // 416..608 × 18..126
  text: 'Hello world from Sidecast',
  pointX: 0.6,
  pointY: 0.5,
  color: '#1f3a93',
  fontSize: 0.05,
  ...time
}
const arrow: Annotation = {
  id: 'arrow',
  type: 'arrow',
  ...{ x1: 0.1, y1: 0.9, x2: 0.3, y2: 0.6 }, // 64,324 → 192,216
  color: '#ffaa00',
  strokeWidth: 0.02,
  ...time
}
const highlight: Annotation = {
  id: 'highlight',
  type: 'highlight',
  ...{ x: 0.4, y: 0.55, w: 0.2, h: 0.3 }, // 256..384 × 198..306
  color: '#336699',
  dim: 0.6,
  ...time
}
const blur: Annotation = {
  id: 'blur',
  type: 'blur',
  ...{ x: 0.75, y: 0.6, w: 0.2, h: 0.3 }, // 480..608 × 216..324
  ...time
}
const ALL = [rect, step, callout, arrow, highlight, blur]

const fonts = fontDir()

function render(annotations: Annotation[]): RasterPixels {
  const svg = drawOverlay(annotations, { width: W, height: H }, { pixelPlaceholders: false })
  return renderOverlayPixels(svg, { fontDir: fonts })
}

function pixel(image: RasterPixels, x: number, y: number): [number, number, number, number] {
  const i = (Math.round(y) * image.width + Math.round(x)) * 4
  const p = image.pixels
  return [p[i] ?? -1, p[i + 1] ?? -1, p[i + 2] ?? -1, p[i + 3] ?? -1]
}

function isColor(
  rgba: readonly number[],
  rgb: readonly number[],
  tolerance = 3,
  alpha = 255
): boolean {
  return (
    Math.abs((rgba[3] ?? 0) - alpha) <= tolerance &&
    rgb.every((c, i) => Math.abs((rgba[i] ?? 0) - c) <= tolerance)
  )
}

/** Pixels in [x0, x1) × [y0, y1) that satisfy `test`. */
function countIn(
  image: RasterPixels,
  box: readonly [number, number, number, number],
  test: (rgba: [number, number, number, number]) => boolean
): number {
  let n = 0
  for (let y = box[1]; y < box[3]; y++) {
    for (let x = box[0]; x < box[2]; x++) if (test(pixel(image, x, y))) n++
  }
  return n
}

describe('rasterised overlay with one annotation of each type', () => {
  const all = render(ALL)
  const withoutSpotlight = render(ALL.filter((a) => a.type !== 'highlight'))

  it('has the frame size', () => {
    expect([all.width, all.height]).toEqual([W, H])
    expect(all.pixels.length).toBe(W * H * 4)
  })

  it('rect: its colour on the outline, not in the middle', () => {
    for (const image of [all, withoutSpotlight]) {
      expect(isColor(pixel(image, 112, 18), RED)).toBe(true) // top edge
      expect(isColor(pixel(image, 32, 63), RED)).toBe(true) // left edge
      expect(isColor(pixel(image, 112, 63), RED, 60, pixel(image, 112, 63)[3])).toBe(false)
    }
    expect(pixel(withoutSpotlight, 112, 63)[3]).toBe(0)
  })

  it('rect: a dark halo just outside the outline', () => {
    // Stroke 4.3 px, halo 1.9 px each side: row 14 lies in the halo band only.
    const [r, g, b, a] = pixel(withoutSpotlight, 112, 14)
    expect(a).toBeGreaterThan(30)
    expect(Math.max(r, g, b)).toBeLessThan(60)
  })

  it('step: the badge colour inside the circle, its white number at the centre', () => {
    expect(isColor(pixel(all, 320 - 14, 54), GREEN)).toBe(true)
    expect(isColor(pixel(all, 320 + 14, 54), GREEN)).toBe(true)
    const white = countIn(all, [312, 42, 328, 66], (p) => isColor(p, [255, 255, 255], 30))
    expect(white).toBeGreaterThan(15)
  })

  it('callout: the bubble colour, and text really drawn inside it', () => {
    expect(isColor(pixel(all, 424, 26), NAVY)).toBe(true)
    const textPixels = countIn(all, [416, 18, 608, 126], (p) => isColor(p, [255, 255, 255], 30))
    expect(textPixels).toBeGreaterThan(150)
    // The text sits within the bubble: nothing white just outside it.
    const outside = countIn(all, [416, 130, 608, 150], (p) => isColor(p, [255, 255, 255], 30))
    expect(outside).toBe(0)
  })

  it('callout: the tail reaches toward the pointed-at spot', () => {
    // Tail tip at 384,180; a point a little back from the tip along the tail is bubble-coloured.
    const fromTip = countIn(all, [384, 150, 420, 178], (p) => isColor(p, NAVY, 10))
    expect(fromTip).toBeGreaterThan(20)
  })

  it('arrow: its colour along the shaft and at the head', () => {
    expect(isColor(pixel(all, 128, 270), ORANGE)).toBe(true)
    // Just behind the tip along the arrow's direction (−0.55, 0.83)·12 px.
    expect(isColor(pixel(all, 192 - 7, 216 + 10), ORANGE)).toBe(true)
  })

  it('highlight: the outside dimmed in its colour (straight alpha), the inside clear', () => {
    expect(pixel(all, 320, 252)[3]).toBe(0)
    expect(pixel(all, 270, 210)[3]).toBe(0)
    for (const [x, y] of [
      [630, 350],
      [5, 180],
      [320, 340]
    ] as const) {
      expect(isColor(pixel(all, x, y), SHADE, 3, 153), `${x},${y}: ${pixel(all, x, y)}`).toBe(true)
    }
    // A light border on the box's edge.
    const [r, g, b] = pixel(all, 320, 198)
    expect(Math.min(r, g, b)).toBeGreaterThan(150)
  })

  it('blur: nothing drawn for export (ffmpeg blurs the pixels)', () => {
    expect(countIn(withoutSpotlight, [470, 206, 618, 334], (p) => p[3] > 0)).toBe(0)
  })

  it('transparent where there is nothing', () => {
    expect(pixel(withoutSpotlight, 630, 350)[3]).toBe(0)
    expect(countIn(withoutSpotlight, [240, 200, 400, 350], (p) => p[3] > 0)).toBe(0)
  })
})

describe('cropping an overlay to what it draws', () => {
  const frame11x7 = { width: 11, height: 7 }

  it.each([
    ['nothing drawn', undefined, null],
    ['an empty box', { x: 3, y: 3, width: 0, height: 2 }, null],
    [
      'widened by the margin to even coordinates',
      { x: 4.5, y: 2.2, width: 1, height: 1 },
      { x: 2, y: 0, width: 6, height: 6 }
    ],
    [
      'clamped at an odd frame edge',
      { x: 9.5, y: 5.5, width: 1.5, height: 1.5 },
      { x: 6, y: 2, width: 5, height: 5 }
    ],
    ['outside the frame', { x: 20, y: 20, width: 3, height: 3 }, null]
  ])('%s', (_name, box, expected) => {
    expect(geometryBounds(box, frame11x7)).toEqual(expected)
  })

  it.each([rect, arrow, callout, step])(
    'the box holds every pixel %# draws, and little else',
    (annotation) => {
      const frame = { width: 640, height: 360 }
      const svg = drawOverlay([annotation], frame)
      const { png, box } = rasterizeOverlayCropped(svg, frame, { fontDir: fonts })
      const full = renderOverlayPixels(svg, { fontDir: fonts })
      let minX = frame.width
      let minY = frame.height
      let maxX = -1
      let maxY = -1
      for (let y = 0; y < full.height; y++) {
        for (let x = 0; x < full.width; x++) {
          if ((full.pixels[(y * full.width + x) * 4 + 3] ?? 0) === 0) continue
          minX = Math.min(minX, x)
          maxX = Math.max(maxX, x)
          minY = Math.min(minY, y)
          maxY = Math.max(maxY, y)
        }
      }
      expect(maxX).toBeGreaterThanOrEqual(0)
      expect(box.x).toBeLessThanOrEqual(minX)
      expect(box.y).toBeLessThanOrEqual(minY)
      expect(box.x + box.width).toBeGreaterThan(maxX)
      expect(box.y + box.height).toBeGreaterThan(maxY)
      // At most the margin, the even alignment and a pixel of rounding on each side.
      expect(minX - box.x).toBeLessThanOrEqual(5)
      expect(box.x + box.width - 1 - maxX).toBeLessThanOrEqual(5)
      expect([box.x % 2, box.y % 2]).toEqual([0, 0])
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([box.width, box.height])
    }
  )

  it('nothing drawn gives a 2×2 transparent PNG at the origin', () => {
    const frame = { width: 640, height: 360 }
    const { box } = rasterizeOverlayCropped(drawOverlay([], frame), frame, { fontDir: fonts })
    expect(box).toEqual({ x: 0, y: 0, width: 2, height: 2 })
  })
})

describe('rasterizeOverlay', () => {
  it('writes a PNG of the frame size', () => {
    const png = rasterizeOverlay(drawOverlay([rect], { width: 321, height: 181 }), {
      fontDir: fonts
    })
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
    // IHDR: width and height as big-endian 32-bit at bytes 16 and 20.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([321, 181])
    // Colour type 6 = RGBA.
    expect(png[25]).toBe(6)
  })

  it('fails with a clear error when the font is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'sidecast-nofont-'))
    try {
      expect(() =>
        rasterizeOverlay(drawOverlay([], { width: 4, height: 4 }), { fontDir: empty })
      ).toThrowError(SidecastError)
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })
})

describe('fontDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'sidecast-fonts-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('finds the repository fonts in development', () => {
    expect(fontDir()).toMatch(/resources[\\/]fonts$/)
  })

  it('prefers the unpacked copy next to app.asar in a packaged app', () => {
    const resources = join(root, 'packaged', 'resources')
    const unpacked = join(resources, 'app.asar.unpacked', 'resources', 'fonts')
    mkdirSync(unpacked, { recursive: true })
    for (const file of CALLOUT_FONT_FILES) copyFileSync(join(fonts, file), join(unpacked, file))
    expect(fontDir({ resourcesPath: resources, from: join(root, 'elsewhere') })).toBe(unpacked)
  })

  it('throws a SidecastError when no font folder exists', () => {
    expect(() => fontDir({ from: join(root, 'nowhere') })).toThrowError(SidecastError)
  })
})
