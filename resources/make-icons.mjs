/**
 * Draws Sidecast's icons as PNGs with nothing but node:zlib, so they can be regenerated anywhere:
 *   node resources/make-icons.mjs
 * The mark is a rounded square with a dot: white dot when idle, red dot while recording, amber
 * pause bars while paused, a blue upward arrow while uploading. Shapes are sampled 4×4 per pixel
 * for smooth edges.
 */
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'

const here = dirname(fileURLToPath(import.meta.url))

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes) {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

function encodePng(size, rgba) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0 // no filter
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0))
  ])
}

// Shapes in unit coordinates (0..1 across the icon).
const insideRoundedSquare = (x, y, inset, radius) => {
  const lo = inset + radius
  const hi = 1 - inset - radius
  const dx = Math.max(lo - x, 0, x - hi)
  const dy = Math.max(lo - y, 0, y - hi)
  return (
    x >= inset &&
    x <= 1 - inset &&
    y >= inset &&
    y <= 1 - inset &&
    dx * dx + dy * dy <= radius * radius
  )
}
const insideCircle = (x, y, cx, cy, r) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r
const insideRect = (x, y, x0, y0, x1, y1) => x >= x0 && x <= x1 && y >= y0 && y <= y1
// An upward-pointing triangle with its tip at (cx, top) and its base from x0 to x1 at y = base.
const insideUpTriangle = (x, y, cx, top, x0, x1, base) => {
  if (y < top || y > base) return false
  const t = (y - top) / (base - top)
  return x >= cx - (cx - x0) * t && x <= cx + (x1 - cx) * t
}

const SLATE = [38, 46, 64]
const WHITE = [245, 247, 250]
const RED = [229, 72, 77]
const AMBER = [245, 165, 36]
const BLUE = [76, 163, 255]

/** Colour of one sample point, or null for transparent. */
function sample(x, y, state, inset) {
  if (!insideRoundedSquare(x, y, inset, 0.22)) return null
  if (state === 'paused') {
    if (insideRect(x, y, 0.33, 0.3, 0.45, 0.7) || insideRect(x, y, 0.55, 0.3, 0.67, 0.7))
      return AMBER
    return SLATE
  }
  if (state === 'uploading') {
    if (
      insideUpTriangle(x, y, 0.5, 0.22, 0.25, 0.75, 0.5) ||
      insideRect(x, y, 0.42, 0.48, 0.58, 0.78)
    )
      return BLUE
    return SLATE
  }
  if (insideCircle(x, y, 0.5, 0.5, 0.22)) return state === 'recording' ? RED : WHITE
  return SLATE
}

function draw(size, state, inset) {
  const rgba = Buffer.alloc(size * size * 4)
  const n = 4
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const colour = sample(
            (px + (sx + 0.5) / n) / size,
            (py + (sy + 0.5) / n) / size,
            state,
            inset
          )
          if (!colour) continue
          r += colour[0]
          g += colour[1]
          b += colour[2]
          a += 1
        }
      }
      const i = (py * size + px) * 4
      if (a > 0) {
        rgba[i] = Math.round(r / a)
        rgba[i + 1] = Math.round(g / a)
        rgba[i + 2] = Math.round(b / a)
        rgba[i + 3] = Math.round((255 * a) / (n * n))
      }
    }
  }
  return encodePng(size, rgba)
}

const outputs = [['icon.png', 512, 'idle', 0.06]]
for (const state of ['idle', 'recording', 'paused', 'uploading']) {
  outputs.push([`tray-${state}.png`, 16, state, 0.02])
  outputs.push([`tray-${state}@2x.png`, 32, state, 0.02])
}
for (const [name, size, state, inset] of outputs) {
  writeFileSync(join(here, name), draw(size, state, inset))
  console.log(`wrote resources/${name} (${size}×${size})`)
}
