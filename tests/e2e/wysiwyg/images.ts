/**
 * Pixels for the WYSIWYG test: frames and screenshots decoded to RGB with ffmpeg, and the
 * measures compared (mean absolute difference, detail).
 */
import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** An RGB image, 3 bytes per pixel, row by row. */
export interface Rgb {
  readonly width: number
  readonly height: number
  readonly data: Buffer
}

/** A region in pixels. */
export interface Region {
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
}

/** The frame of `file` shown at `atMs` as a PNG (what the editor's <video> would show). */
export async function framePng(ffmpeg: string, file: string, atMs: number): Promise<Buffer> {
  // prettier-ignore
  const { stdout } = await run(ffmpeg, [
    '-v', 'error', '-i', file, '-ss', (atMs / 1000).toFixed(3), '-frames:v', '1',
    '-f', 'image2pipe', '-c:v', 'png', '-'
  ], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 })
  return stdout
}

/** Any image ffmpeg reads (a PNG here), decoded to RGB at its own size. */
export async function decodeRgb(
  ffmpeg: string,
  image: Buffer,
  width: number,
  height: number
): Promise<Rgb> {
  const child = spawn(
    ffmpeg,
    // prettier-ignore
    ['-v', 'error', '-f', 'image2pipe', '-i', '-', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 }
  )
  const out: Buffer[] = []
  let err = ''
  child.stdout.on('data', (d: Buffer) => out.push(d))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const done = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  child.stdin.end(image)
  const code = await done
  const data = Buffer.concat(out)
  if (code !== 0 || data.length !== width * height * 3) {
    throw new Error(`Could not decode a ${width}×${height} image (exit ${code}): ${err}`)
  }
  return { width, height, data }
}

function clampRegion(img: Rgb, r: Region): Region {
  const x = Math.max(0, Math.floor(r.x))
  const y = Math.max(0, Math.floor(r.y))
  const right = Math.min(img.width, Math.ceil(r.x + r.w))
  const bottom = Math.min(img.height, Math.ceil(r.y + r.h))
  return { x, y, w: Math.max(0, right - x), h: Math.max(0, bottom - y) }
}

/** Mean absolute difference per channel (0–255) over a region of two same-size images. */
export function meanAbsDiff(a: Rgb, b: Rgb, region?: Region): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('Images differ in size')
  const r = clampRegion(a, region ?? { x: 0, y: 0, w: a.width, h: a.height })
  let sum = 0
  for (let y = r.y; y < r.y + r.h; y++) {
    for (let i = (y * a.width + r.x) * 3; i < (y * a.width + r.x + r.w) * 3; i++) {
      sum += Math.abs((a.data[i] as number) - (b.data[i] as number))
    }
  }
  return sum / Math.max(1, r.w * r.h * 3)
}

function luma(img: Rgb, x: number, y: number): number {
  const i = (y * img.width + x) * 3
  return (
    0.299 * (img.data[i] as number) +
    0.587 * (img.data[i + 1] as number) +
    0.114 * (img.data[i + 2] as number)
  )
}

/** Detail: mean absolute luma step between neighbouring pixels inside a region. */
export function detail(img: Rgb, region: Region): number {
  const r = clampRegion(img, region)
  let sum = 0
  let count = 0
  for (let y = r.y; y < r.y + r.h - 1; y++) {
    for (let x = r.x; x < r.x + r.w - 1; x++) {
      const here = luma(img, x, y)
      sum += Math.abs(luma(img, x + 1, y) - here) + Math.abs(luma(img, x, y + 1) - here)
      count += 2
    }
  }
  return sum / Math.max(1, count)
}
