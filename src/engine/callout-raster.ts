/**
 * Rasterises the callout overlay SVG (src/shared/callouts/draw.ts) for export, with resvg and
 * the DejaVu Sans files shipped in resources/fonts, so text looks the same on every machine and
 * never depends on the system's fonts.
 */
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Resvg } from '@resvg/resvg-js'
import { SidecastError } from '../shared/errors'
import { unpackedAsarPath } from './asar-path'

/** The font files the overlay's `font-family` names; the editor loads the same two. */
export const CALLOUT_FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'] as const

export interface RasterizeOptions {
  /** Folder holding CALLOUT_FONT_FILES (see fontDir()). */
  readonly fontDir: string
}

export interface RasterPixels {
  /** Straight (non-premultiplied) RGBA, row by row, 4 bytes per pixel. */
  readonly pixels: Buffer
  readonly width: number
  readonly height: number
}

function fontFiles(dir: string): string[] {
  const files = CALLOUT_FONT_FILES.map((name) => join(dir, name))
  const missing = files.filter((file) => !existsSync(file))
  if (missing.length > 0) {
    throw new SidecastError(
      'callout-font-missing',
      `The callout font is missing (${missing.join(', ')}), so callouts cannot be drawn. The recording is safe; reinstall Sidecast to restore the font.`
    )
  }
  return files
}

function parse(svg: string, options: RasterizeOptions): Resvg {
  return new Resvg(svg, {
    // Only the shipped font: system fonts differ per machine and loading them is slow.
    font: {
      fontFiles: fontFiles(options.fontDir),
      loadSystemFonts: false,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans'
    },
    // The SVG's own width/height are the frame size; never rescale.
    fitTo: { mode: 'original' },
    logLevel: 'off'
  })
}

function render(svg: string, options: RasterizeOptions): ReturnType<Resvg['render']> {
  return parse(svg, options).render()
}

/**
 * resvg hands out premultiplied RGBA; ffmpeg's `rgba` and the PNG format mean straight alpha,
 * and semi-transparent pixels (halos, the spotlight's dimming) would come out too dark.
 */
function unpremultiply(pixels: Buffer): Buffer {
  for (let i = 0; i < pixels.length; i += 4) {
    const alpha = pixels[i + 3] ?? 0
    if (alpha === 0 || alpha === 255) continue
    for (let c = i; c < i + 3; c++) {
      pixels[c] = Math.min(255, Math.round(((pixels[c] ?? 0) * 255) / alpha))
    }
  }
  return pixels
}

/** The overlay as raw straight-alpha RGBA at the SVG's own size (tests, or piping to ffmpeg). */
export function renderOverlayPixels(svg: string, options: RasterizeOptions): RasterPixels {
  const image = render(svg, options)
  return { pixels: unpremultiply(image.pixels), width: image.width, height: image.height }
}

/** The overlay as a transparent RGBA PNG at the SVG's own size. */
export function rasterizeOverlay(svg: string, options: RasterizeOptions): Buffer {
  return render(svg, options).asPng()
}

export interface FontDirOptions {
  /** Electron's `process.resourcesPath` in a packaged app. */
  readonly resourcesPath?: string
  /** Where to start looking upwards for resources/fonts; defaults to this module's folder. */
  readonly from?: string
}

/**
 * The folder with the callout fonts: in a packaged app the unpacked copy next to app.asar; in
 * development the repository's resources/fonts, found by walking up from this module (the
 * bundle in out/main and the sources in src/main/export both sit below it).
 */
export function fontDir(options: FontDirOptions = {}): string {
  const hasFonts = (dir: string): boolean => existsSync(join(dir, CALLOUT_FONT_FILES[0]))
  const candidates: string[] = []
  if (options.resourcesPath) {
    candidates.push(join(options.resourcesPath, 'app.asar.unpacked', 'resources', 'fonts'))
    candidates.push(join(options.resourcesPath, 'resources', 'fonts'))
  }
  let dir = resolve(options.from ?? dirname(fileURLToPath(import.meta.url)))
  for (;;) {
    // resvg cannot read inside app.asar (electron-builder.yml unpacks resources/fonts).
    candidates.push(unpackedAsarPath(join(dir, 'resources', 'fonts')))
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  const found = candidates.find(hasFonts)
  if (!found) {
    throw new SidecastError(
      'callout-font-missing',
      'The callout font folder (resources/fonts) was not found, so callouts cannot be drawn. The recording is safe; reinstall Sidecast to restore it.'
    )
  }
  return found
}

/** A region of the frame, in pixels. */
export interface PixelBox {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** Anti-aliasing reaches a pixel or so past the geometry's box; a little more is harmless. */
const BOUNDS_MARGIN_PX = 2

/**
 * Where an overlay draws, from resvg's geometry (strokes and text included) rather than a scan
 * of rendered pixels: widened by a small margin for anti-aliasing, to whole pixels on even
 * coordinates (the chroma grid of yuv420p), clamped to the frame; null when nothing is drawn.
 */
export function geometryBounds(
  box: { x: number; y: number; width: number; height: number } | undefined,
  frame: { readonly width: number; readonly height: number }
): PixelBox | null {
  if (!box || !(box.width > 0) || !(box.height > 0)) return null
  let x = Math.max(0, Math.floor(box.x - BOUNDS_MARGIN_PX))
  let y = Math.max(0, Math.floor(box.y - BOUNDS_MARGIN_PX))
  x -= x % 2
  y -= y % 2
  const right = Math.min(frame.width, Math.ceil(box.x + box.width + BOUNDS_MARGIN_PX))
  const bottom = Math.min(frame.height, Math.ceil(box.y + box.height + BOUNDS_MARGIN_PX))
  if (right <= x || bottom <= y) return null
  const evenRight = Math.min(frame.width, right + ((right - x) % 2))
  const evenBottom = Math.min(frame.height, bottom + ((bottom - y) % 2))
  return { x, y, width: evenRight - x, height: evenBottom - y }
}

/**
 * The overlay as a PNG cropped to what it draws, with where it goes in the frame. Export blends
 * only that area over each frame instead of a full transparent frame, and encodes a small PNG.
 * Only the box is rendered (a full 1080p render and scan cost ~90 ms per overlay). Nothing drawn
 * gives a 2×2 transparent PNG at 0,0.
 */
export function rasterizeOverlayCropped(
  svg: string,
  frame: { readonly width: number; readonly height: number },
  options: RasterizeOptions
): { png: Buffer; box: PixelBox } {
  const box = geometryBounds(parse(svg, options).innerBBox(), frame) ?? {
    x: 0,
    y: 0,
    width: Math.min(2, frame.width),
    height: Math.min(2, frame.height)
  }
  // The outer viewBox picks the box out of the full-frame drawing, at the same scale.
  const cropped =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${box.width}" height="${box.height}" ` +
    `viewBox="${box.x} ${box.y} ${box.width} ${box.height}">${svg}</svg>`
  return { png: render(cropped, options).asPng(), box }
}

/**
 * A drawing without text (the camera bubble's mask and border ring, bubble-plan.ts) as a
 * transparent RGBA PNG at the SVG's own size: anti-aliased by resvg, no fonts needed.
 */
export function rasterizeShape(svg: string): Buffer {
  return new Resvg(svg, {
    font: { loadSystemFonts: false },
    fitTo: { mode: 'original' },
    logLevel: 'off'
  })
    .render()
    .asPng()
}
