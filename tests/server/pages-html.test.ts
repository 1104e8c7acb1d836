import { describe, expect, it } from 'vitest'
import { formatDuration, paragraphs, spokenDuration, timeTag } from '../../server/src/pages/format'
import { escapeHtml, html, raw } from '../../server/src/pages/html'
import { safeNext, sameOriginRequest } from '../../server/src/pages/http'
import type { IncomingMessage } from 'node:http'

describe('escapeHtml', () => {
  it('escapes markup, both quotes, ampersands and backticks', () => {
    expect(escapeHtml(`<script>alert("x")</script>`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    )
    expect(escapeHtml(`it's a & b \`c\``)).toBe('it&#39;s a &amp; b &#96;c&#96;')
    expect(escapeHtml('&amp;')).toBe('&amp;amp;')
  })
})

describe('html template', () => {
  it('escapes every interpolation in text and attributes', () => {
    const title = `<img src=x onerror="window.__pwned=1">`
    const out = html`<a title="${title}">${title}</a>`.value
    expect(out).not.toContain('<img')
    expect(out).not.toContain('"window')
    expect(out).toBe(
      '<a title="&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;">&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;</a>'
    )
  })

  it('keeps nested templates and raw markup, escapes strings inside lists', () => {
    const items = ['<b>', 'a & b']
    // prettier-ignore
    const out = html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>${raw('<hr>')}`.value
    expect(out).toBe('<ul><li>&lt;b&gt;</li><li>a &amp; b</li></ul><hr>')
  })

  it('renders null, undefined and booleans as nothing, numbers as text', () => {
    const show = false
    expect(html`${null}${undefined}${show && html`<p>no</p>`}${true}${42}`.value).toBe('42')
  })

  it('does not treat an object that only looks safe as safe', () => {
    const fake = { value: '<script>' } as unknown as string
    expect(html`${fake}`.value).toBe('[object Object]')
  })
})

describe('formatting', () => {
  it('formats durations as m:ss and h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00')
    expect(formatDuration(12_345)).toBe('0:12')
    expect(formatDuration(75_000)).toBe('1:15')
    expect(formatDuration(3_723_000)).toBe('1:02:03')
    expect(formatDuration(null)).toBe('')
    expect(spokenDuration(75_000)).toBe('1 minute 15 seconds')
  })

  it('turns text into escaped paragraphs', () => {
    expect(paragraphs('one <b>\ntwo\n\n\nthree & four').value).toBe(
      '<p>one &lt;b&gt;<br />two</p><p>three &amp; four</p>'
    )
  })

  it('writes a time element with the ISO stamp', () => {
    expect(timeTag('2025-03-12T10:00:00.000Z').value).toBe(
      '<time datetime="2025-03-12T10:00:00.000Z">12 Mar 2025</time>'
    )
  })
})

describe('safeNext', () => {
  it('keeps local paths and refuses everything else', () => {
    expect(safeNext('/v/abc?t=3')).toBe('/v/abc?t=3')
    expect(safeNext('/profile')).toBe('/profile')
    for (const bad of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      '',
      null,
      '/signout',
      '/\t/evil.example'
    ]) {
      expect(safeNext(bad)).toBe('/')
    }
  })
})

describe('sameOriginRequest', () => {
  const req = (headers: Record<string, string>): IncomingMessage =>
    ({ headers: { host: '127.0.0.1:8080', ...headers } }) as unknown as IncomingMessage

  it('accepts the own host and the public URL, refuses others', () => {
    const pub = 'https://library.example.com'
    expect(sameOriginRequest(req({ origin: 'http://127.0.0.1:8080' }), pub)).toBe(true)
    expect(sameOriginRequest(req({ origin: 'https://library.example.com' }), pub)).toBe(true)
    expect(sameOriginRequest(req({ origin: 'https://evil.example' }), pub)).toBe(false)
    expect(sameOriginRequest(req({ origin: 'null' }), pub)).toBe(false)
    expect(sameOriginRequest(req({ referer: 'https://evil.example/page' }), pub)).toBe(false)
    expect(sameOriginRequest(req({ referer: 'http://127.0.0.1:8080/v/x' }), pub)).toBe(true)
    // Neither header: the CSRF token decides.
    expect(sameOriginRequest(req({}), pub)).toBe(true)
  })
})
