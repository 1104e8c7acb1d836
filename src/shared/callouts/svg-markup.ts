/**
 * Small helpers for writing SVG as text. The drawing is plain strings so that the same output
 * can be injected into the editor's DOM and rasterised by resvg in the main process, and so that
 * equal input always gives an equal string (tests and caches rely on that).
 */

/** Escapes text for use in XML content and in double- or single-quoted attributes. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/**
 * A number as SVG wants it: at most two decimals (sub-pixel precision beyond that changes
 * nothing visible but makes output noisy), no `-0`, and 0 for anything not finite.
 */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '0'
  const rounded = Math.round(value * 100) / 100
  return Object.is(rounded, -0) ? '0' : String(rounded)
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/

/**
 * The colour in lower case when it is a valid `#rrggbb`, else `fallback`. A colour goes into an
 * attribute unquoted by the user, so anything else is refused rather than escaped.
 */
export function safeColor(color: unknown, fallback: string): string {
  return typeof color === 'string' && HEX_COLOR.test(color) ? color.toLowerCase() : fallback
}

/** WCAG relative luminance of a `#rrggbb` colour (0 = black, 1 = white). */
export function luminance(hex: string): number {
  const channel = (offset: number): number => {
    const c = parseInt(hex.slice(offset, offset + 2), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

/** White text on dark fills, near-black text on light ones (yellow, white, light grey). */
export function textColorOn(fill: string): string {
  return luminance(fill) > 0.45 ? '#111111' : '#ffffff'
}

/** `name="value"` pairs in a fixed order; values are escaped, undefined ones are left out. */
export function attrs(
  pairs: ReadonlyArray<readonly [string, string | number | undefined]>
): string {
  return pairs
    .filter((pair): pair is readonly [string, string | number] => pair[1] !== undefined)
    .map(
      ([name, value]) => `${name}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`
    )
    .join(' ')
}

/** A rounded rectangle as a path (clockwise), so it can be combined with other sub-paths. */
export function roundedRectPath(x: number, y: number, w: number, h: number, r: number): string {
  const rr = Math.max(0, Math.min(r, w / 2, h / 2))
  if (rr === 0) return `M${num(x)} ${num(y)}H${num(x + w)}V${num(y + h)}H${num(x)}Z`
  return (
    `M${num(x + rr)} ${num(y)}` +
    `H${num(x + w - rr)}A${num(rr)} ${num(rr)} 0 0 1 ${num(x + w)} ${num(y + rr)}` +
    `V${num(y + h - rr)}A${num(rr)} ${num(rr)} 0 0 1 ${num(x + w - rr)} ${num(y + h)}` +
    `H${num(x + rr)}A${num(rr)} ${num(rr)} 0 0 1 ${num(x)} ${num(y + h - rr)}` +
    `V${num(y + rr)}A${num(rr)} ${num(rr)} 0 0 1 ${num(x + rr)} ${num(y)}Z`
  )
}

/** Points for a `<polygon points>` attribute. */
export function points(list: ReadonlyArray<readonly [number, number]>): string {
  return list.map(([x, y]) => `${num(x)},${num(y)}`).join(' ')
}
