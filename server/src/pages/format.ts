/** Small formatting helpers for the library pages (pure, no I/O). */
import { html, type SafeHtml } from './html'

/** 75_000 → "1:15"; 3_723_000 → "1:02:03"; null → "". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return ''
  const total = Math.floor(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const ss = String(s).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** "1 minute 15 seconds" for screen readers. */
export function spokenDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return ''
  const total = Math.floor(ms / 1000)
  const parts: string[] = []
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  if (h) parts.push(plural(h, 'hour'))
  if (m) parts.push(plural(m, 'minute'))
  if (s || parts.length === 0) parts.push(plural(s, 'second'))
  return parts.join(' ')
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? word : many}`
}

const DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC'
})

/** Formatted UTC days by their `YYYY-MM-DD` (formatting is the slow part of a page of dates). */
const DAYS = new Map<string, string>()
const MAX_DAYS = 2000

/** "12 Mar 2025" for the date's UTC day, from DAYS when that day was formatted before. */
function dayOf(date: Date, iso: string): string {
  const day = iso.slice(0, 10)
  let text = DAYS.get(day)
  if (text === undefined) {
    text = DATE.format(date)
    if (DAYS.size >= MAX_DAYS) DAYS.clear()
    DAYS.set(day, text)
  }
  return text
}

/** A stamp as `Date.toISOString` writes it (what the database stores): taken as it is. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** A `<time>` element: "12 Mar 2025" with the full ISO stamp in `datetime`. */
export function timeTag(iso: string | null | undefined): SafeHtml {
  if (!iso) return html``
  const known = CANONICAL.test(iso) ? DAYS.get(iso.slice(0, 10)) : undefined
  if (known !== undefined) return html`<time datetime="${iso}">${known}</time>`
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return html`${iso}`
  const stamp = date.toISOString()
  return html`<time datetime="${stamp}">${dayOf(date, stamp)}</time>`
}

export function formatDate(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : dayOf(date, date.toISOString())
}

/** Plain text → paragraphs; blank lines separate paragraphs, single newlines become <br>. */
export function paragraphs(text: string): SafeHtml {
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter((b) => b.length > 0)
  return html`${blocks.map((block) => {
    const lines = block.split('\n')
    return html`<p>${lines.map((line, i) => (i === 0 ? html`${line}` : html`<br />${line}`))}</p>`
  })}`
}
