/**
 * Plain text people typed (a request's details, a comment) as HTML with its web addresses made
 * into links. Only `http:` and `https:` addresses are linked — never `javascript:`, `data:` or
 * anything else — and every piece, the address included, goes through `html`, so quotes and
 * angle brackets in an address are escaped like any text. Links open in a new tab without
 * handing the page to the target (`rel="noopener noreferrer nofollow"`).
 */
import { html, type SafeHtml } from '../html'

/** A candidate address: http(s):// up to whitespace or an angle bracket. */
const CANDIDATE = /\bhttps?:\/\/[^\s<>]+/giu

/** Punctuation that ends a sentence rather than the address it follows. */
const TRAILING = /[.,;:!?'"*_~\u2019\u201d\u00bb]+$/u

/** The longest address linked; a longer run of characters stays text. */
const MAX_URL = 2048

/**
 * Drops what ends the sentence, not the address: trailing punctuation and closing brackets that
 * were not opened inside the address ("(see https://x.test/a_(b))." keeps "_(b)").
 */
function trimEnd(candidate: string): string {
  let url = candidate
  for (;;) {
    const before = url
    url = url.replace(TRAILING, '')
    const last = url.at(-1)
    const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' }
    const open = last === undefined ? undefined : pairs[last]
    if (open !== undefined) {
      const opened = url.split(open).length - 1
      const closed = url.split(last as string).length - 1
      if (closed > opened) url = url.slice(0, -1)
    }
    if (url === before) return url
  }
}

/** The address as a link target, or null when it is not a whole http(s) URL with a host. */
function linkTarget(text: string): string | null {
  if (text.length > MAX_URL) return null
  try {
    const url = new URL(text)
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) return null
    return url.href
  } catch {
    return null
  }
}

/** One line (or any text) with its http(s) addresses linked; everything escaped. */
export function linkify(text: string): SafeHtml {
  const parts: SafeHtml[] = []
  let at = 0
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index
    const url = trimEnd(match[0])
    const href = url.length > 'https://'.length ? linkTarget(url) : null
    if (href === null) continue
    parts.push(html`${text.slice(at, start)}`)
    parts.push(
      html`<a href="${href}" rel="noopener noreferrer nofollow" target="_blank">${url}</a>`
    )
    at = start + url.length
  }
  parts.push(html`${text.slice(at)}`)
  return html`${parts}`
}

/**
 * Plain text → paragraphs with linked addresses: blank lines separate paragraphs, single
 * newlines become `<br>` (as `paragraphs` in format.ts).
 */
export function linkedParagraphs(text: string): SafeHtml {
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter((b) => b.length > 0)
  return html`${blocks.map((block) => {
    const lines = block.split('\n')
    const body = lines.map((line, i) => (i === 0 ? linkify(line) : html`<br />${linkify(line)}`))
    // No white space added around the text: it may be shown with `white-space: pre-wrap`.
    // prettier-ignore
    return html`<p>${body}</p>`
  })}`
}
