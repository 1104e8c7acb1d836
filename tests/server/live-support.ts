/**
 * Helpers for the instant-share tests: recordings the way MediaRecorder writes them (WebM
 * streamed to a pipe: no duration, no cues), deferred-length uploads fed piece by piece, and the
 * library pages read as a signed-in person.
 */
import { spawn } from 'node:child_process'
import { expect } from 'vitest'
import { signInWithFetch, type FetchSession } from './helpers-pages/session'
import { auth, encodeMetadata, request, type RawResponse, type TestServer } from './support'

const FFMPEG = process.env.SIDECAST_TEST_FFMPEG ?? 'ffmpeg'

/**
 * A `seconds`-long 320×240 recording as MediaRecorder streams it: H.264 + Opus in Matroska
 * (Chromium's `video/webm;codecs=h264`) or VP8 + Opus in WebM, written to a pipe, so the muxer
 * can never go back to write a duration or an index. A keyframe every second.
 */
export function makeLiveRecording(
  seconds: number,
  codec: 'h264' | 'vp8' = 'h264',
  opts: { noise?: boolean } = {}
): Promise<Buffer> {
  // Noise, losslessly: a few seconds weigh megabytes (more than one S3 part).
  const h264 = opts.noise ? ['-qp', '0', '-preset', 'ultrafast'] : ['-preset', 'veryfast']
  const video =
    codec === 'h264'
      ? ['-c:v', 'libx264', ...h264, '-pix_fmt', 'yuv420p']
      : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '400k']
  const source = opts.noise
    ? `nullsrc=size=320x240:rate=25:duration=${seconds},geq=random(1)*255:128:128`
    : `testsrc=size=320x240:rate=25:duration=${seconds}`
  const args = [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    source,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${seconds}`,
    ...video,
    '-g',
    '25',
    '-c:a',
    'libopus',
    '-shortest',
    '-f',
    codec === 'h264' ? 'matroska' : 'webm',
    '-live',
    '1',
    'pipe:1'
  ]
  return new Promise((resolve, reject) => {
    const child = spawn(FFMPEG, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let err = ''
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => (err += String(c)))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out))
      else reject(new Error(`ffmpeg failed (${code}): ${err}`))
    })
  })
}

export interface LiveUpload {
  res: RawResponse
  /** The upload's path (/api/uploads/<id>). */
  up: string
  id: string
  videoId: string
  videoUrl: string
}

/** POST /api/uploads with a deferred length and `live` = 1, as the app does at Record. */
export async function createLive(
  s: TestServer,
  meta: Record<string, string> = {},
  token = s.token
): Promise<LiveUpload> {
  const res = await request(s.url, 'POST', '/api/uploads', {
    ...auth(token),
    'Upload-Defer-Length': '1',
    'Upload-Metadata': encodeMetadata({
      filename: 'capture.webm',
      title: 'Live demo',
      live: '1',
      ...meta
    })
  })
  const location = res.headers.location ?? ''
  const up = location ? new URL(location).pathname : ''
  return {
    res,
    up,
    id: up.split('/').pop() ?? '',
    videoId: String(res.headers['sidecast-video-id'] ?? ''),
    videoUrl: String(res.headers['sidecast-video-url'] ?? '')
  }
}

/** One PATCH at `offset`; `length` declares the upload's length (the last PATCH). */
export function patchLive(
  s: TestServer,
  up: string,
  offset: number,
  body: Buffer,
  length?: number
): Promise<RawResponse> {
  return request(
    s.url,
    'PATCH',
    up,
    {
      ...auth(s.token),
      'Upload-Offset': offset,
      'Content-Type': 'application/offset+octet-stream',
      ...(length !== undefined ? { 'Upload-Length': length } : {})
    },
    body
  )
}

/** Sends `bytes` in `pieces` PATCHes without a length, as the file grows; returns the offset. */
export async function feed(
  s: TestServer,
  up: string,
  bytes: Buffer,
  pieces: number,
  from = 0
): Promise<number> {
  let offset = from
  const step = Math.ceil((bytes.length - from) / pieces)
  while (offset < bytes.length) {
    const end = Math.min(bytes.length, offset + step)
    const res = await patchLive(s, up, offset, bytes.subarray(offset, end))
    expect(res.status, res.text).toBe(204)
    expect(res.headers['upload-offset']).toBe(String(end))
    offset = end
  }
  return offset
}

/** A page as a signed-in person sees it. */
export async function page(
  s: TestServer,
  session: FetchSession,
  pathname: string
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${s.url}${pathname}`, {
    headers: { Cookie: session.cookie, Accept: 'text/html' },
    redirect: 'manual'
  })
  return { status: res.status, text: await res.text(), headers: res.headers }
}

/** Signs in alice (the uploader) and bob (a colleague). */
export async function sessions(s: TestServer): Promise<{ alice: FetchSession; bob: FetchSession }> {
  return {
    alice: await signInWithFetch(s.url, 'alice', 'alice-password'),
    bob: await signInWithFetch(s.url, 'bob', 'bob-password')
  }
}

/** The meta refresh of a page, in seconds, or null when it does not refresh itself. */
export function refreshOf(html: string): number | null {
  const match = /<meta http-equiv="refresh" content="(\d+)"/.exec(html)
  return match ? Number(match[1]) : null
}
