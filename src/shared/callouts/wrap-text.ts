/**
 * Line wrapping for callout text without measuring glyphs: the same estimate runs in the editor
 * and in export, so both break lines at the same words (measuring would differ per engine).
 */

/**
 * Average advance of a bold DejaVu Sans glyph as a fraction of the font size, for mixed-case
 * prose. Slightly generous so real lines rarely overflow; the bubble clips them anyway.
 */
export const AVERAGE_GLYPH_WIDTH = 0.62

export interface WrapOptions {
  /** Room for text in pixels (the bubble's width minus padding). */
  readonly maxWidth: number
  /** Font size in pixels. */
  readonly fontSize: number
  /** At most this many lines; the last kept line ends with an ellipsis when text was dropped. */
  readonly maxLines: number
}

/** Splits `text` into lines that fit `maxWidth`, keeping the user's own line breaks. */
export function wrapText(text: string, options: WrapOptions): string[] {
  const maxChars = Math.max(
    1,
    Math.floor(options.maxWidth / (options.fontSize * AVERAGE_GLYPH_WIDTH))
  )
  const lines: string[] = []
  for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
    let line = ''
    for (const word of paragraph.split(/[ \t]+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word
      if ([...candidate].length <= maxChars) {
        line = candidate
        continue
      }
      if (line) lines.push(line)
      // A word longer than a line (a URL, a path) is broken rather than left to overflow.
      let rest = [...word]
      while (rest.length > maxChars) {
        lines.push(rest.slice(0, maxChars).join(''))
        rest = rest.slice(maxChars)
      }
      line = rest.join('')
    }
    lines.push(line)
  }
  // Blank lines at the very end add height but show nothing.
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()

  const maxLines = Math.max(0, Math.floor(options.maxLines))
  if (lines.length <= maxLines) return lines
  const kept = lines.slice(0, maxLines)
  if (maxLines > 0) {
    const last = [...(kept[maxLines - 1] ?? '')]
    kept[maxLines - 1] = `${last
      .slice(0, Math.max(0, maxChars - 1))
      .join('')
      .trimEnd()}…`
  }
  return kept
}
