/**
 * HTML building for the library pages: every interpolated value is escaped unless it was
 * produced by `html` itself or explicitly marked with `raw` (only for markup we wrote).
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;'
}

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (ch) => ESCAPES[ch] ?? ch)
}

/** A piece of markup that is already safe to send as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

/** Marks markup written by us (never user text) as safe. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup)
}

/** A value that may appear inside `html`: text is escaped, SafeHtml is kept, lists are joined. */
export type HtmlValue =
  SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[]

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false || value === true) return ''
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('')
  return escapeHtml(String(value))
}

/**
 * Tagged template: html`<p>${userText}</p>` escapes `userText`. Booleans, null and undefined
 * render as nothing, so `${cond && html`...`}` works.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? ''
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + (strings[i + 1] ?? '')
  }
  return new SafeHtml(out)
}
