/**
 * Walkthrough requests, pure parts: linkify (only http/https linked, everything escaped, trailing
 * punctuation left out, the link opens safely), the request fields as checked for the pages and
 * the API (limits naming the field, control characters, tags), the tag filter, "how long ago",
 * and the Upload-Metadata `answers` key.
 */
import { describe, expect, it } from 'vitest'
import { LEARN_LIMITS } from '../../../src/shared/learn'
import { checkRequestFields, tagFilter } from '../../../server/src/api/requests'
import { linkedParagraphs, linkify } from '../../../server/src/pages/learn/linkify'
import { ageText } from '../../../server/src/pages/learn/requests-view'
import { MetadataError, validateMetadata } from '../../../server/src/uploads/metadata'

const REL = 'rel="noopener noreferrer nofollow" target="_blank"'

/** The hrefs of the links in `markup`. */
function hrefs(markup: string): string[] {
  return [...markup.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1] as string)
}

describe('linkify', () => {
  it('links http and https addresses, escaped, opening safely', () => {
    const out = linkify('See https://example.test/a?b=1&c=2 and http://x.test.').value
    expect(out).toBe(
      `See <a href="https://example.test/a?b=1&amp;c=2" ${REL}>https://example.test/a?b=1&amp;c=2</a>` +
        ` and <a href="http://x.test/" ${REL}>http://x.test</a>.`
    )
  })

  it('leaves trailing punctuation and unopened brackets out of the address', () => {
    const out = linkify('(see https://wiki.test/Foo_(bar)), then https://a.test/x!?" end').value
    expect(hrefs(out)).toEqual(['https://wiki.test/Foo_(bar)', 'https://a.test/x'])
    expect(out).toContain('</a>), then')
    expect(out).toContain('</a>!?&quot; end')
  })

  it('never links javascript:, data: or other schemes, and escapes them as text', () => {
    for (const text of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'https://',
      'http://<script>'
    ]) {
      const out = linkify(text).value
      expect(out, text).not.toContain('<a ')
      expect(out, text).not.toContain('<script')
    }
  })

  it('links only the http part of a javascript: text that contains one', () => {
    const out = linkify('javascript:alert(1)//https://x.test/').value
    expect(hrefs(out)).toEqual(['https://x.test/'])
    expect(out.startsWith('javascript:alert(1)//<a ')).toBe(true)
  })

  it('escapes quotes and brackets inside an address: no attribute breaks out', () => {
    const out = linkify(`https://x.test/a"onmouseover="alert(1)'b<img src=x>`).value
    expect(out).not.toMatch(/<img/)
    expect(out).not.toMatch(/"onmouseover/)
    const [href] = hrefs(out)
    expect(href).toBe('https://x.test/a%22onmouseover=%22alert(1)&#39;b')
    expect(out).toContain('&lt;img src=x&gt;')
  })

  it('escapes the text around the links', () => {
    const out = linkify('<b>bold</b> & "quoted" https://a.test').value
    expect(out.startsWith('&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; <a ')).toBe(true)
  })

  it('makes paragraphs and line breaks, links in each', () => {
    const out = linkedParagraphs('one https://a.test\ntwo\n\n\nthree <i>').value
    expect(out).toBe(
      `<p>one <a href="https://a.test/" ${REL}>https://a.test</a><br />two</p><p>three &lt;i&gt;</p>`
    )
  })

  it('takes a huge text without a link in bounded time and leaves an overlong URL as text', () => {
    const long = `https://a.test/${'x'.repeat(3000)}`
    expect(linkify(long).value).not.toContain('<a ')
    const big = 'https:// '.repeat(20_000)
    expect(linkify(big).value).not.toContain('<a ')
  })
})

describe('request fields', () => {
  it('requires a title when asking, trims, strips control characters', () => {
    expect(checkRequestFields({ title: '  \u0000 ' }, true)).toMatchObject({ field: 'title' })
    expect(checkRequestFields({}, true)).toMatchObject({ field: 'title' })
    const ok = checkRequestFields(
      { title: ' How\u0007 do I\tfile? ', details: ' a\u0000\r\nb ', tags: '#Finance, invoices' },
      true
    )
    expect(ok).toEqual({
      fields: { title: 'How  do I file?', details: 'a\nb', tags: ['finance', 'invoices'] }
    })
  })

  it('names the field and the limit when something is too long or a tag is bad', () => {
    const title = checkRequestFields({ title: 'x'.repeat(LEARN_LIMITS.requestTitle + 1) }, true)
    expect(title).toMatchObject({ field: 'title' })
    expect('error' in title && title.error).toContain(String(LEARN_LIMITS.requestTitle))
    // Counted in characters, not UTF-16 units: 200 emoji fit.
    expect(
      checkRequestFields({ title: '😀'.repeat(LEARN_LIMITS.requestTitle) }, true)
    ).toHaveProperty('fields')
    const details = checkRequestFields(
      { title: 't', details: 'd'.repeat(LEARN_LIMITS.requestDetails + 1) },
      true
    )
    expect(details).toMatchObject({ field: 'details' })
    expect(checkRequestFields({ title: 't', tags: '<script>' }, true)).toMatchObject({
      field: 'tags'
    })
    expect(
      checkRequestFields({ title: 't', tags: Array.from({ length: 9 }, (_, i) => `t${i}`) }, true)
    ).toMatchObject({ field: 'tags' })
    expect(checkRequestFields({ title: 't', tags: ['two words'] }, true)).toMatchObject({
      field: 'tags'
    })
  })

  it('changes only the fields given when not asking', () => {
    expect(checkRequestFields({ details: 'new' }, false)).toEqual({ fields: { details: 'new' } })
    expect(checkRequestFields({ tags: [] }, false)).toEqual({ fields: { tags: [] } })
  })

  it('reads a tag filter as typed, refusing what cannot be a tag', () => {
    expect(tagFilter('#Finance')).toBe('finance')
    expect(tagFilter('c++')).toBe('c++')
    expect(tagFilter('"*')).toBeNull()
    expect(tagFilter('a b')).toBeNull()
    expect(tagFilter('NEAR(')).toBeNull()
    expect(tagFilter('')).toBeNull()
  })
})

describe('how long ago', () => {
  const now = Date.parse('2026-12-03T10:00:00Z')
  it('says it in words', () => {
    expect(ageText('2026-12-03T09:59:30Z', now)).toBe('just now')
    expect(ageText('2026-12-03T09:55:00Z', now)).toBe('5 minutes ago')
    expect(ageText('2026-12-02T10:00:00Z', now)).toBe('1 day ago')
    expect(ageText('2026-11-19T10:00:00Z', now)).toBe('2 weeks ago')
    expect(ageText('2024-12-03T10:00:00Z', now)).toBe('2 years ago')
    expect(ageText('not a date', now)).toBe('not a date')
  })
})

describe('Upload-Metadata answers', () => {
  it('takes a request id, with live, editsFollow and replaces', () => {
    expect(validateMetadata({ filename: 'a.webm', answers: 'Req_id-123' }).answers).toBe(
      'Req_id-123'
    )
    expect(validateMetadata({ filename: 'a.webm' }).answers).toBeNull()
    const both = validateMetadata({
      filename: 'a.webm',
      answers: 'abc',
      live: '1',
      editsFollow: '1',
      replaces: 'vid123'
    })
    expect(both).toMatchObject({
      answers: 'abc',
      live: true,
      editsFollow: true,
      replaces: 'vid123'
    })
  })

  it('refuses a malformed id or answers with cameraFor, naming the key', () => {
    for (const bad of ['../x', 'a b', '<script>', 'x'.repeat(65), "a'--"]) {
      expect(() => validateMetadata({ filename: 'a.webm', answers: bad }), bad).toThrow(/answers/)
    }
    expect(() =>
      validateMetadata({
        filename: 'a.webm',
        answers: 'abc',
        cameraFor: 'vid123',
        cameraOffsetMs: '0'
      })
    ).toThrow(MetadataError)
    expect(() =>
      validateMetadata({
        filename: 'a.webm',
        answers: 'abc',
        cameraFor: 'vid123',
        cameraOffsetMs: '0'
      })
    ).toThrow(/answers/)
  })
})
