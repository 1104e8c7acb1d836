/**
 * Links that unfurl (docs/learning-together.md): what a chat tool's link preview may show of a
 * library address. Only an "anyone with the link" address (`/s/:token`, its link on) shows the
 * video's title, description, author and thumbnail — its holder may watch it anyway. A team
 * video's address (`/v/:id`, whatever its access, even for an id that does not exist) is one
 * generic "Sidecast video" card: nothing of the video, not even whether it exists.
 */
import { open } from 'node:fs/promises'
import { LINK_TOKEN } from '../../api/edits'
import type { Video } from '../../db/types'
import { VIDEO_ID, type Library } from '../../library'
import { PRODUCT_NAME, titleOf, type OpenGraph } from '../layout'

/** Characters of a description a preview shows. */
export const OG_DESCRIPTION_MAX = 200
/** The longest `url` the oEmbed endpoint takes. */
export const OEMBED_URL_MAX = 2048
/** The generic card's title. */
export const GENERIC_VIDEO_TITLE = 'Sidecast video'

/** Cut to `max` code points with "…", whitespace runs made one space. */
function excerpt(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const points = [...flat]
  return points.length > max ? `${points.slice(0, max - 1).join('')}…` : flat
}

/** The library as people know it: its public address's host (and path, if any). */
export function libraryName(library: Library): string {
  try {
    const url = new URL(library.config.publicUrl)
    return `${url.host}${url.pathname.replace(/\/+$/, '')}`
  } catch {
    return PRODUCT_NAME
  }
}

/** The oEmbed endpoint's address for a page URL. */
export function oembedHref(library: Library, pageUrl: string): string {
  const params = new URLSearchParams({ url: pageUrl, format: 'json' })
  return `${library.config.publicUrl}/oembed?${params.toString()}`
}

/** The visitor's address of a video whose link is on. */
function linkAddress(library: Library, video: Video): string {
  return `${library.config.publicUrl}/s/${encodeURIComponent(video.linkToken ?? '')}`
}

/**
 * The visitor page's preview (`/s/:token`): title, the description's start, the thumbnail the
 * page itself serves (`thumb`: its path, or null when it has none).
 */
export function linkVideoOg(library: Library, video: Video, thumb: string | null): OpenGraph {
  const url = linkAddress(library, video)
  const description = excerpt(video.description, OG_DESCRIPTION_MAX)
  return {
    title: titleOf(video),
    description: description || `A video by ${video.authorName} on ${libraryName(library)}`,
    image: thumb ? `${library.config.publicUrl}${thumb}` : null,
    url,
    type: 'video.other',
    oembed: oembedHref(library, url)
  }
}

/** The generic card of a team video's address: says nothing of the video. */
export function genericVideoOg(library: Library, videoId: string): OpenGraph {
  const url = `${library.config.publicUrl}/v/${encodeURIComponent(videoId)}`
  return {
    title: GENERIC_VIDEO_TITLE,
    description: `Sign in to watch it on ${libraryName(library)}`,
    image: null,
    url,
    type: 'video.other',
    oembed: oembedHref(library, url)
  }
}

/** The sign-in page's preview: a video's generic card when `next` is a watch page, else the library's. */
export function signInOg(library: Library, next: string): OpenGraph {
  const video = /^\/v\/([^/?#]+)(?:[?#]|$)/.exec(next)
  let id: string | null = null
  try {
    id = video ? decodeURIComponent(video[1]!) : null
  } catch {
    id = null
  }
  if (id !== null && VIDEO_ID.test(id)) return genericVideoOg(library, id)
  return {
    title: PRODUCT_NAME,
    description: `Your team's recordings, on ${libraryName(library)}. Sign in to watch.`,
    image: null,
    url: `${library.config.publicUrl}/signin`,
    type: 'website',
    oembed: null
  }
}

/** What a library address is, for the oEmbed endpoint. */
export type UnfurlTarget =
  { kind: 'link'; token: string } | { kind: 'video'; videoId: string } | { kind: 'other' }

/**
 * Reads `address` as one of this library's: `<publicUrl>/s/<token>` or `<publicUrl>/v/<id>`
 * (query and fragment ignored), same scheme, host and port. Anything else is `other`.
 */
export function unfurlTarget(library: Library, address: string): UnfurlTarget {
  let url: URL
  let base: URL
  try {
    url = new URL(address)
    base = new URL(library.config.publicUrl)
  } catch {
    return { kind: 'other' }
  }
  if (url.origin !== base.origin || url.username || url.password) return { kind: 'other' }
  const prefix = base.pathname.replace(/\/+$/, '')
  if (!url.pathname.startsWith(`${prefix}/`)) return { kind: 'other' }
  const rest = url.pathname.slice(prefix.length)
  const match = /^\/(s|v)\/([^/]+)$/.exec(rest)
  if (!match) return { kind: 'other' }
  let part: string
  try {
    part = decodeURIComponent(match[2]!)
  } catch {
    return { kind: 'other' }
  }
  if (match[1] === 's')
    return LINK_TOKEN.test(part) ? { kind: 'link', token: part } : { kind: 'other' }
  return VIDEO_ID.test(part) ? { kind: 'video', videoId: part } : { kind: 'other' }
}

/**
 * Width and height of a JPEG from its start-of-frame marker (the first 64 KB), or null. The
 * thumbnails the library makes are baseline JPEGs from ffmpeg.
 */
export async function jpegSize(file: string): Promise<{ width: number; height: number } | null> {
  let bytes: Buffer
  try {
    const handle = await open(file, 'r')
    try {
      const buffer = Buffer.alloc(64 * 1024)
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
      bytes = buffer.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
  } catch {
    return null
  }
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null
  let at = 2
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null
    const marker = bytes[at + 1]!
    if (marker === 0xff) {
      at++
      continue
    }
    const length = bytes.readUInt16BE(at + 2)
    // SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = bytes.readUInt16BE(at + 5)
      const width = bytes.readUInt16BE(at + 7)
      return width > 0 && height > 0 ? { width, height } : null
    }
    at += 2 + length
  }
  return null
}
