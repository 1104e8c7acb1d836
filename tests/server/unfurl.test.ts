/**
 * Links that unfurl (issue 17): a fake chat client — fetch with `redirect: 'follow'` and a bot
 * User-Agent, read the Open Graph tags and the oEmbed discovery link, fetch that — sees the title
 * and thumbnail of an "anyone with the link" video at its `/s/` address, and one generic
 * "Sidecast video" card, with nothing of the video in the whole response, for a team video (and
 * for a link video's `/v/` address). The oEmbed endpoint's answers and refusals; escaping of
 * hostile titles and descriptions in the tags.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NewVideo, Video } from '../../server/src/db/types'
import { ffmpeg, startServer, type TestServer } from './support'

const BOT = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)'
const LINK_TITLE = 'Reconcile supplier invoices'
const LINK_DESCRIPTION = `Open the ledger, then match each invoice. ${'Step by step. '.repeat(30)}`
const TEAM_TITLE = 'Confidential payroll walkthrough'
const TEAM_DESCRIPTION = 'Salary bands for 2027'
const EVIL_TITLE = `Evil "><script>alert(1)</script> 'x' & <b>`
const EVIL_DESCRIPTION = `He said "hi" & left '><img src=x onerror=alert(2)>`

let s: TestServer
let seq = 0

function token(): string {
  seq++
  return `${'t'.repeat(40)}${String(seq).padStart(3, '0')}`
}

/** A video straight in the database (no media needed for pages and previews). */
async function addVideo(
  title: string,
  description: string,
  thumbnail: Buffer | null
): Promise<Video> {
  const id = `vid${String(++seq).padStart(13, '0')}`
  const video: NewVideo = {
    id,
    title,
    description,
    ownerId: s.user.id,
    durationMs: 4000,
    sizeBytes: 1000,
    filename: 'clip.mp4',
    mimeType: 'video/mp4',
    projectId: null,
    callouts: [],
    hasThumbnail: thumbnail !== null,
    uploadId: `upload-${id}`,
    storage: 'file',
    width: 320,
    height: 180
  }
  const made = await s.app.library.db.insertVideo(video)
  if (thumbnail) fs.writeFileSync(path.join(s.dataDir, 'thumbs', `${id}.jpg`), thumbnail)
  return made
}

async function share(video: Video): Promise<string> {
  const t = token()
  await s.app.library.db.setAccess(video.id, 'link', t)
  return t
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#96;': '`'
}

function decode(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39|#96);/g, (e) => ENTITIES[e] ?? e)
}

interface Card {
  status: number
  finalUrl: string
  body: string
  meta: Map<string, string[]>
  oembedHref: string | null
}

/** What a chat tool does with a pasted link: follow redirects, read the head's tags. */
async function unfurl(url: string): Promise<Card> {
  const res = await fetch(url, { redirect: 'follow', headers: { 'User-Agent': BOT } })
  const body = await res.text()
  const meta = new Map<string, string[]>()
  for (const tag of body.match(/<meta\s[^>]*>/g) ?? []) {
    const key = /\s(?:property|name)="([^"]*)"/.exec(tag)?.[1]
    const content = /\scontent="([^"]*)"/.exec(tag)?.[1]
    if (key === undefined || content === undefined) continue
    meta.set(key, [...(meta.get(key) ?? []), decode(content)])
  }
  const link = /<link\s[^>]*type="application\/json\+oembed"[^>]*>/.exec(body)?.[0]
  const href = link ? /\shref="([^"]*)"/.exec(link)?.[1] : undefined
  return {
    status: res.status,
    finalUrl: res.url,
    body,
    meta,
    oembedHref: href === undefined ? null : decode(href)
  }
}

function one(card: Card, key: string): string | undefined {
  const values = card.meta.get(key) ?? []
  expect(values.length, `${key} appears once`).toBeLessThanOrEqual(1)
  return values[0]
}

async function oembed(
  query: string
): Promise<{ status: number; json: Record<string, unknown>; res: Response }> {
  const res = await fetch(`${s.url}/oembed?${query}`, { headers: { 'User-Agent': BOT } })
  const text = await res.text()
  return { status: res.status, json: JSON.parse(text) as Record<string, unknown>, res }
}

let jpeg: Buffer

beforeAll(async () => {
  s = await startServer()
  const file = path.join(s.dataDir, 'fixture.jpg')
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=1', '-frames:v', '1', file])
  jpeg = fs.readFileSync(file)
}, 60_000)

afterAll(async () => {
  await s.close()
})

describe('an "anyone with the link" video', () => {
  it('unfurls at its /s/ link with its title, description, thumbnail and oEmbed', async () => {
    const video = await addVideo(LINK_TITLE, LINK_DESCRIPTION, jpeg)
    const t = await share(video)
    const card = await unfurl(`${s.url}/s/${t}`)
    expect(card.status).toBe(200)
    expect(one(card, 'og:title')).toBe(LINK_TITLE)
    expect(one(card, 'og:type')).toBe('video.other')
    expect(one(card, 'og:site_name')).toBe('Sidecast Library')
    expect(one(card, 'og:url')).toBe(`${s.url}/s/${t}`)
    const description = one(card, 'og:description') ?? ''
    expect([...description].length).toBeLessThanOrEqual(200)
    expect(description.endsWith('…')).toBe(true)
    expect(LINK_DESCRIPTION.replace(/\s+/g, ' ').startsWith(description.slice(0, -1))).toBe(true)
    expect(one(card, 'twitter:card')).toBe('summary_large_image')

    const image = one(card, 'og:image')
    expect(image).toBe(`${s.url}/s/${t}/thumb.jpg`)
    const picture = await fetch(image!, { headers: { 'User-Agent': BOT } })
    expect(picture.status).toBe(200)
    expect(picture.headers.get('content-type')).toBe('image/jpeg')
    expect(Buffer.from(await picture.arrayBuffer()).equals(jpeg)).toBe(true)

    expect(card.oembedHref).toBe(
      `${s.url}/oembed?url=${encodeURIComponent(`${s.url}/s/${t}`)}&format=json`
    )
    const res = await fetch(card.oembedHref!, { headers: { 'User-Agent': BOT } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('cache-control')).toMatch(/no-store|private/)
    expect(await res.json()).toEqual({
      version: '1.0',
      type: 'link',
      title: LINK_TITLE,
      author_name: 'alice',
      provider_name: 'Sidecast Library',
      provider_url: s.url,
      thumbnail_url: `${s.url}/s/${t}/thumb.jpg`,
      thumbnail_width: 320,
      thumbnail_height: 180
    })
  })

  it('without a thumbnail: no og:image, a summary card, no thumbnail in oEmbed', async () => {
    const video = await addVideo('No picture', '', null)
    const t = await share(video)
    const card = await unfurl(`${s.url}/s/${t}`)
    expect(one(card, 'og:title')).toBe('No picture')
    expect(card.meta.has('og:image')).toBe(false)
    expect(one(card, 'twitter:card')).toBe('summary')
    // An empty description gets a line of words, not an empty tag.
    expect(one(card, 'og:description')).toMatch(/^A video by alice on /)
    const { status, json } = await oembed(
      `url=${encodeURIComponent(`${s.url}/s/${t}`)}&format=json&maxwidth=100`
    )
    expect(status).toBe(200)
    expect(json).toEqual({
      version: '1.0',
      type: 'link',
      title: 'No picture',
      author_name: 'alice',
      provider_name: 'Sidecast Library',
      provider_url: s.url
    })
  })

  it('is the generic card at its /v/ address: only the /s/ link unfurls with details', async () => {
    const video = await addVideo(TEAM_TITLE, TEAM_DESCRIPTION, jpeg)
    await share(video)
    const card = await unfurl(`${s.url}/v/${video.id}`)
    expect(new URL(card.finalUrl).pathname).toBe('/signin')
    expect(one(card, 'og:title')).toBe('Sidecast video')
    expect(card.body).not.toContain(TEAM_TITLE)
    expect(card.body).not.toContain(TEAM_DESCRIPTION)
    expect(card.meta.has('og:image')).toBe(false)
  })

  it('stops unfurling when its link is turned off: the page and oEmbed answer 404', async () => {
    const video = await addVideo('Soon private', 'private soon', jpeg)
    const t = await share(video)
    expect((await unfurl(`${s.url}/s/${t}`)).status).toBe(200)
    await s.app.library.db.setAccess(video.id, 'team', null)
    const card = await unfurl(`${s.url}/s/${t}`)
    expect(card.status).toBe(404)
    expect(card.body).not.toContain('Soon private')
    expect(card.meta.has('og:title')).toBe(false)
    expect((await oembed(`url=${encodeURIComponent(`${s.url}/s/${t}`)}`)).status).toBe(404)
  })
})

describe('a team video', () => {
  it('unfurls as the generic "Sidecast video" card and leaks nothing of it', async () => {
    const video = await addVideo(TEAM_TITLE, TEAM_DESCRIPTION, jpeg)
    const card = await unfurl(`${s.url}/v/${video.id}?t=5`)
    expect(card.status).toBe(200)
    expect(new URL(card.finalUrl).pathname).toBe('/signin')
    const library = new URL(s.url).host
    expect(one(card, 'og:title')).toBe('Sidecast video')
    expect(one(card, 'og:description')).toBe(`Sign in to watch it on ${library}`)
    expect(one(card, 'og:type')).toBe('video.other')
    expect(one(card, 'og:url')).toBe(`${s.url}/v/${video.id}`)
    expect(card.meta.has('og:image')).toBe(false)
    expect(one(card, 'twitter:card')).toBe('summary')
    // Nowhere in the response: not the title, description, thumbnail, nor in <title>.
    expect(card.body).not.toContain(TEAM_TITLE)
    expect(card.body).not.toContain('Confidential')
    expect(card.body).not.toContain(TEAM_DESCRIPTION)
    expect(card.body).not.toContain(`/thumbs/${video.id}`)
    expect(/<title>\s*([^<]*?)\s*<\/title>/.exec(card.body)?.[1]).toBe('Sign in · Sidecast Library')

    expect(card.oembedHref).not.toBeNull()
    const res = await fetch(card.oembedHref!, { headers: { 'User-Agent': BOT } })
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toContain('Confidential')
    expect(JSON.parse(text)).toEqual({
      version: '1.0',
      type: 'link',
      title: 'Sidecast video',
      provider_name: 'Sidecast Library',
      provider_url: s.url
    })
  })

  it('an id that does not exist unfurls the same way (no way to tell)', async () => {
    const { status, json } = await oembed(
      `url=${encodeURIComponent(`${s.url}/v/nosuchvideo00000`)}&format=json`
    )
    expect(status).toBe(200)
    expect(json.title).toBe('Sidecast video')
  })

  it('the plain sign-in page is the library card, without an oEmbed link', async () => {
    const card = await unfurl(`${s.url}/signin`)
    expect(one(card, 'og:title')).toBe('Sidecast Library')
    expect(one(card, 'og:type')).toBe('website')
    expect(card.oembedHref).toBeNull()
  })
})

describe('oEmbed refusals', () => {
  it('refuses other hosts, unknown links, other formats, missing or huge urls', async () => {
    const video = await addVideo('Refusals', '', null)
    const t = await share(video)
    const linkUrl = `${s.url}/s/${t}`
    const other = new URL(s.url)
    other.hostname = 'evil.example'
    expect((await oembed(`url=${encodeURIComponent(`${other.origin}/s/${t}`)}`)).status).toBe(404)
    expect(
      (await oembed(`url=${encodeURIComponent(linkUrl.replace('http:', 'https:'))}`)).status
    ).toBe(404)
    expect((await oembed(`url=${encodeURIComponent(`${s.url}/s/${'x'.repeat(43)}`)}`)).status).toBe(
      404
    )
    expect((await oembed(`url=${encodeURIComponent(`${s.url}/s/short`)}`)).status).toBe(404)
    expect((await oembed(`url=${encodeURIComponent(`${s.url}/collections`)}`)).status).toBe(404)
    expect((await oembed(`url=${encodeURIComponent(`${linkUrl}/media`)}`)).status).toBe(404)
    expect((await oembed(`url=not%20a%20url`)).status).toBe(404)
    const xml = await oembed(`url=${encodeURIComponent(linkUrl)}&format=xml`)
    expect(xml.status).toBe(501)
    expect((await oembed('format=json')).status).toBe(400)
    const huge = await oembed(`url=${encodeURIComponent(`${linkUrl}?${'a'.repeat(2100)}`)}`)
    expect(huge.status).toBe(400)
    expect(String(huge.json.error)).toMatch(/2048/)
    // A query and fragment on the address do not matter.
    expect((await oembed(`url=${encodeURIComponent(`${linkUrl}?t=3#x`)}`)).status).toBe(200)
    // POST is not served.
    const post = await fetch(`${s.url}/oembed?url=${encodeURIComponent(linkUrl)}`, {
      method: 'POST'
    })
    expect(post.status).toBe(405)
  })
})

describe('escaping', () => {
  it('a hostile title and description stay text in every tag and in oEmbed', async () => {
    const video = await addVideo(EVIL_TITLE, EVIL_DESCRIPTION, jpeg)
    const t = await share(video)
    const card = await unfurl(`${s.url}/s/${t}`)
    expect(card.status).toBe(200)
    expect(one(card, 'og:title')).toBe(EVIL_TITLE)
    expect(one(card, 'twitter:title')).toBe(EVIL_TITLE)
    expect(one(card, 'og:description')).toBe(EVIL_DESCRIPTION)
    expect(card.body).not.toContain('<script>alert(1)')
    expect(card.body).not.toContain('<img src=x')
    expect(card.body).not.toContain('"><script>')
    // Each tag is whole: the quotes did not end an attribute early.
    for (const tag of card.body.match(/<meta\s[^>]*>/g) ?? []) {
      expect(tag).toMatch(/^<meta (?:[a-z:-]+="[^"]*"\s*)+\/?>$/)
    }
    const { json, res } = await oembed(`url=${encodeURIComponent(`${s.url}/s/${t}`)}&format=json`)
    expect(json.title).toBe(EVIL_TITLE)
    const raw = await fetch(res.url).then((r) => r.text())
    expect(raw).not.toContain('<script>')
  })
})
