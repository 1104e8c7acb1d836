/**
 * npm run bench:instant
 *
 * Instant share (issue 12): how long after Stop the link is on the clipboard and the video is
 * watchable, with Share while recording (the upload follows the recording as it is made) against
 * today's upload after Stop, for recordings of 1, 10 and 30 minutes, over a link throttled to
 * 20 Mbit/s and over plain loopback. Main's real services (no browser: tests/support/app-services)
 * against the real library server in-process on 127.0.0.1, its public URL pointing at a throttling
 * proxy (tests/support/throttle-proxy.ts) so every app request — tus POST, PATCHes, API — crosses
 * the slow link. A viewer fetches the media straight from the server (not over the uploader's link).
 *
 * Source: a 1920×1080 30 fps screen-like recording as Chromium's MediaRecorder writes it (H.264 +
 * Opus in Matroska/WebM written to a pipe: no duration, no cues) at ~2.6 Mbit/s. One minute is
 * encoded once with x264 `-preset ultrafast` at 2.5 Mbit/s (a minute or so); longer ones are that
 * minute looped by stream copy (`-stream_loop`, timestamps continue, seconds to make). All cached in
 * the temp folder.
 *
 * Each cell (length × link × path) is one round with fresh app services and data dir:
 * - `live` (Share while recording on): recording:start, then the file through recording:chunk in
 *   1 s chunks at BENCH_PACE× real time (default 5×: 13 Mbit/s, two thirds of the 20 Mbit/s link,
 *   so the link keeps up), then the clock starts and recording:stop is called.
 * - `after` (Share while recording off, today's path): the same chunks as fast as they go (not
 *   timed), the clock starts, recording:stop, at once uploads:start (the user's one click).
 * Stop → link: the clock stops when copyText receives the link. Stop → watchable: when the
 * library's media for that video first answers a Range request; it counts only if the media then
 * answers a Range in its middle (206) and ffprobe over HTTP finds the full duration (±1.5 s).
 *
 * Environment: BENCH_LENGTHS (minutes, default 1,10,30), BENCH_PACE (default 5), BENCH_MBIT (the
 * throttled link, default 20), BENCH_LINKS (throttled,unthrottled), BENCH_PATHS (live,after).
 */
import { execFile, spawn } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import http from 'node:http'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createLibraryServer, type LibraryServerInternals } from '../../server/src/app'
import { loadConfig } from '../../server/src/config'
import { locateFfmpeg } from '../../src/main/ffmpeg/locate-ffmpeg'
import type { AppServices } from '../../src/main/app-services'
import type { UploadInfo } from '../../src/shared/ipc'
import { testAppServices } from '../support/app-services'
import { startThrottleProxy, type ThrottleProxy } from '../support/throttle-proxy'

type Link = 'throttled' | 'unthrottled'
type Path = 'live' | 'after'

function list<T extends string>(name: string, fallback: string, allowed: readonly T[]): T[] {
  const items = (process.env[name] ?? fallback).split(',').map((s) => s.trim())
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw new Error(`${name}: "${item}" is not one of ${allowed}.`)
  }
  return items as T[]
}

const LENGTHS = (process.env.BENCH_LENGTHS ?? '1,10,30').split(',').map((s) => Number(s.trim()))
for (const minutes of LENGTHS) {
  if (!Number.isFinite(minutes) || minutes * 60 < 10 || minutes > 180) {
    throw new Error('BENCH_LENGTHS: minutes, each from 1/6 (10 s) to 180.')
  }
}
const PACE = Number(process.env.BENCH_PACE ?? 5)
if (!Number.isFinite(PACE) || PACE <= 0) throw new Error('BENCH_PACE must be a positive number.')
const MBIT = Number(process.env.BENCH_MBIT ?? 20)
if (!Number.isFinite(MBIT) || MBIT <= 0) throw new Error('BENCH_MBIT must be a positive number.')
const LINKS = list<Link>('BENCH_LINKS', 'throttled,unthrottled', ['throttled', 'unthrottled'])
const PATHS = list<Path>('BENCH_PATHS', 'live,after', ['live', 'after'])

const FPS = 30
/** Chromium's MediaRecorder default video bit rate. */
const VIDEO_KBPS = 2500
/** What the app's recorder asks MediaRecorder for (see src/renderer/src/recorder/mime-type.ts). */
const MIME = 'video/webm;codecs=h264,opus'
/** The served video's duration may differ from the recording's by this much (last frames). */
const DURATION_SLACK_S = 1.5
/** How often the viewer asks whether the video is watchable. */
const POLL_MS = 50
/** Behind at Stop by no more than this many seconds of recording: the link kept up. */
const KEPT_UP_S = 3

const found = locateFfmpeg({ settingPath: '' })
if (!found.ok || !found.path) throw new Error(`No ffmpeg: ${found.problem ?? 'unknown problem'}`)
const FFMPEG = found.path
const FFPROBE = process.env.SIDECAST_TEST_FFPROBE ?? 'ffprobe'

const cacheDir = join(tmpdir(), 'sidecast-bench-instant-cache')
const work = mkdtempSync(join(tmpdir(), 'sidecast-bench-instant-'))
const cleanups: (() => Promise<unknown> | unknown)[] = []
process.on('exit', () => rmSync(work, { recursive: true, force: true }))
process.on('SIGINT', () => process.exit(130))

/** Rejects when `promise` has not settled in `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s.`)), ms)
    })
  ]).finally(() => clearTimeout(timer))
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs ffmpeg with its output to `file` (through a pipe, as MediaRecorder writes). */
async function ffmpegToFile(args: string[], file: string, limitMs: number): Promise<void> {
  const part = `${file}.part`
  const child = spawn(FFMPEG, ['-hide_banner', '-loglevel', 'error', ...args, 'pipe:1'], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs)
  try {
    await pipeline(child.stdout, createWriteStream(part))
    const code = await exited
    if (code !== 0) throw new Error(`ffmpeg exited ${code}: ${stderr}`)
  } catch (error) {
    rmSync(part, { force: true })
    throw error
  } finally {
    clearTimeout(killer)
  }
  renameSync(part, file)
}

/** The cached one-minute recording every length is made of. */
async function baseMinute(): Promise<string> {
  mkdirSync(cacheDir, { recursive: true })
  const file = join(cacheDir, `screen-60s-h264-${VIDEO_KBPS}k-ultrafast.webm`)
  if (existsSync(file)) return file
  process.stdout.write(`generating the 60 s 1080p source minute (cached in ${cacheDir})…\n`)
  // Moving panels and a busy 960×540 window (a test pattern) over a light background, as in
  // bench:share, encoded with ultrafast so that making it takes about as long as it lasts.
  const graph = [
    `color=c=0xf4f5f7:s=1920x1080:r=${FPS}[bg]`,
    `testsrc2=s=960x540:r=${FPS}[pattern]`,
    `color=c=0x3b82f6:s=600x80:r=${FPS}[bar]`,
    `color=c=0x1f2937:s=360x420:r=${FPS}[panel]`,
    "[bg][pattern]overlay=x='100+mod(t*120,800)':y='160+80*sin(t)'[a]",
    "[a][bar]overlay=x='1920-mod(t*200,2520)':y=900[b]",
    "[b][panel]overlay=x=1400:y='300+200*sin(t/3)',format=yuv420p[v]"
  ].join(';')
  // prettier-ignore
  await ffmpegToFile([
    '-f', 'lavfi', '-i', 'nullsrc=s=16x16',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-filter_complex', graph, '-map', '[v]', '-map', '1:a', '-t', '60',
    '-c:v', 'libx264', '-preset', 'ultrafast',
    '-b:v', `${VIDEO_KBPS}k`, '-maxrate', `${VIDEO_KBPS * 1.2}k`, '-bufsize', `${VIDEO_KBPS * 2}k`,
    '-g', String(FPS * 4),
    '-c:a', 'libopus', '-b:a', '128k',
    // ffmpeg's WebM muxer takes no H.264; Chromium's H.264 WebM is Matroska with a WebM doctype.
    '-f', 'matroska'
  ], file, 600_000)
  return file
}

/** The cached recording of `seconds`: the minute looped by stream copy. */
async function source(seconds: number): Promise<string> {
  const minute = await baseMinute()
  if (seconds === 60) return minute
  const file = join(cacheDir, `screen-${seconds}s-h264-${VIDEO_KBPS}k-ultrafast.webm`)
  if (existsSync(file)) return file
  process.stdout.write(`making the ${seconds} s source from the minute…\n`)
  // prettier-ignore
  await ffmpegToFile([
    '-stream_loop', '-1', '-i', minute, '-t', String(seconds),
    '-map', '0', '-c', 'copy', '-f', 'matroska'
  ], file, 600_000)
  return file
}

interface Library {
  readonly server: LibraryServerInternals
  readonly proxy: ThrottleProxy
  readonly token: string
}

/** The library server, its public URL (links, tus Locations) being the throttling proxy's. */
async function startLibrary(): Promise<Library> {
  let port = 0
  const proxy = await startThrottleProxy({ target: () => port })
  cleanups.push(() => proxy.close())
  const dataDir = join(work, 'library')
  // prettier-ignore
  const config = loadConfig([
    '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--public-url', proxy.url
  ], {})
  const server = await createLibraryServer(config, { log: (m) => console.error(`[library] ${m}`) })
  cleanups.push(() => server.close())
  port = Number(new URL(server.url).port)
  const db = server.library.db
  const user = await db.createUser('bench', 'bench-password', false)
  const token = (await db.createToken(user.id, 'bench')).token
  return { server, proxy, token }
}

/** One request straight to the library server (as a viewer, not over the uploader's link). */
function request(
  library: Library,
  method: string,
  path: string,
  headers: Record<string, string> = {}
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${library.server.url}${path}`,
      { method, headers: { Authorization: `Bearer ${library.token}`, ...headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks)
          })
        )
        res.on('error', reject)
      }
    )
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out.`)))
    req.on('error', reject)
    req.end()
  })
}

/** The duration ffprobe finds reading the media over HTTP, in seconds. */
function probeOverHttp(library: Library, videoId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // prettier-ignore
    execFile(FFPROBE, [
      '-v', 'error', '-headers', `Authorization: Bearer ${library.token}\r\n`,
      '-show_entries', 'format=duration', '-of', 'csv=p=0',
      `${library.server.url}/media/${encodeURIComponent(videoId)}`
    ], { timeout: 60_000 }, (error, stdout) => {
      if (error) reject(error)
      else resolve(Number(stdout.trim()))
    })
  })
}

/**
 * Polls the media of `videoId` until a viewer can watch all `seconds` of it; resolves when it
 * first answered. Problems seen on the way (a wrong duration…) are kept for the timeout's message.
 */
async function watchable(
  library: Library,
  videoId: string,
  seconds: number,
  limitMs: number
): Promise<number> {
  const deadline = performance.now() + limitMs
  const media = `/media/${encodeURIComponent(videoId)}`
  let last = 'the media never answered'
  while (performance.now() < deadline) {
    const head = await request(library, 'GET', media, { Range: 'bytes=0-0' })
    const answeredAt = performance.now()
    const total = Number(/\/(\d+)$/.exec(head.headers['content-range'] ?? '')?.[1])
    if (head.status === 206 && total > 1) {
      const middle = Math.floor(total / 2)
      const mid = await request(library, 'GET', media, {
        Range: `bytes=${middle}-${middle + 1023}`
      })
      const duration = await probeOverHttp(library, videoId).catch(() => NaN)
      if (mid.status !== 206 || mid.body.length !== Math.min(1024, total - middle)) {
        last = `a Range in the middle answered ${mid.status} with ${mid.body.length} bytes`
      } else if (!(Math.abs(duration - seconds) <= DURATION_SLACK_S)) {
        last = `ffprobe found ${duration} s of ${seconds} s`
      } else return answeredAt
    } else last = `the media answered ${head.status}`
    await sleep(POLL_MS)
  }
  throw new Error(`The video was not watchable in ${limitMs / 1000} s: ${last}.`)
}

/** Thrown when Share while recording did not start an upload with the recording. */
class NoLivePath extends Error {}

interface Cell {
  readonly minutes: number
  readonly link: Link
  readonly path: Path
  /** recording:stop called → the link on the clipboard, ms. */
  readonly linkMs: number
  /** recording:stop called → the media first answered with the whole video, ms. */
  readonly watchMs: number
  /** recording:stop called → recording:stop resolved (finished project), ms. */
  readonly stopMs: number
  /** recording:stop called → every byte on the server (the upload's bytesSent reached its total). */
  readonly allSentMs: number | null
  /** recording:stop called → the upload done (the server finished the video), ms. */
  readonly doneMs: number | null
  /** Bytes of the recording not yet on the server when Stop was pressed (live only). */
  readonly behindBytes: number | null
  /** True when the link was known before Stop (live: the reservation's URL). */
  readonly linkBeforeStop: boolean
  /** The recording's bytes, and the wall time it took to feed them. */
  readonly bytes: number
  readonly feedMs: number
}

/** Feeds `file` through recording:chunk in 1 s chunks, at `pace`× real time (Infinity: at once). */
async function feed(
  services: AppServices,
  projectId: string,
  file: string,
  seconds: number,
  pace: number,
  onChunk: (seq: number) => void | Promise<void>
): Promise<number> {
  const handle = await open(file, 'r')
  try {
    const size = (await handle.stat()).size
    // One MediaRecorder timeslice (1 s) worth of bytes per chunk.
    const chunk = Math.ceil(size / seconds)
    const started = performance.now()
    let seq = 0
    for (let offset = 0; offset < size; offset += chunk) {
      if (Number.isFinite(pace)) {
        const due = started + (seq * 1000) / pace
        const wait = due - performance.now()
        if (wait > 0) await sleep(wait)
      }
      const buffer = new Uint8Array(Math.min(chunk, size - offset))
      await handle.read(buffer, 0, buffer.byteLength, offset)
      await services.handlers['recording:chunk'](projectId, seq++, buffer)
      await onChunk(seq)
    }
    return size
  } finally {
    await handle.close()
  }
}

async function cell(
  library: Library,
  minutes: number,
  link: Link,
  path: Path,
  file: string
): Promise<Cell> {
  const seconds = Math.round(minutes * 60)
  const live = path === 'live'
  const dataDir = mkdtempSync(join(work, `app-${minutes}m-${link}-${path}-`))
  const bytesPerSecond = (MBIT * 1e6) / 8
  library.proxy.setRate(link === 'throttled' ? bytesPerSecond : null)
  let copied: (at: number, text: string) => void = () => undefined
  const clipboard = new Promise<{ at: number; text: string }>((resolve) => {
    copied = (at, text) => resolve({ at, text })
  })
  const services = testAppServices({
    dataDir,
    env: {
      SIDECAST_LIBRARY_URL: library.proxy.url,
      SIDECAST_LIBRARY_TOKEN: library.token,
      SIDECAST_SHARE_WHILE_RECORDING: live ? '1' : '0'
    },
    adapters: { copyText: (text) => copied(performance.now(), text) }
  })
  let videoId: string | null = null
  try {
    await within(services.startup(), 30_000, 'Starting the app services')
    const { projectId } = await services.handlers['recording:start']({
      mimeType: MIME,
      sourceName: 'Entire screen'
    })
    let latest: UploadInfo | undefined
    // After Stop: when every byte was on the server, and when the upload was done.
    let t0 = Infinity
    let allSentAt: number | null = null
    let doneAt: number | null = null
    const stopListening = services.uploads.onChange((info) => {
      if (info.projectId !== projectId) return
      latest = info
      const now = performance.now()
      if (now < t0) return
      const allSent =
        info.live === 'processing' ||
        info.state === 'done' ||
        (info.bytesTotal !== null && info.bytesSent >= info.bytesTotal)
      if (allSent && allSentAt === null) allSentAt = now
      if (info.state === 'done' && doneAt === null) doneAt = now
    })
    // The feed's time limit: the pace, with room for a busy machine.
    const feedLimit = live ? ((seconds * 1000) / PACE) * 2 + 120_000 : 600_000
    const feedStarted = performance.now()
    const bytes = await within(
      feed(services, projectId, file, seconds, live ? PACE : Infinity, async (seq) => {
        // Share while recording starts the upload with the recording: by the fifth second (and
        // ten seconds of waiting) it must be there, or this build has no live path.
        if (live && seq === 5) {
          const deadline = performance.now() + 10_000
          while (!latest?.live && performance.now() < deadline) await sleep(50)
          if (!latest?.live) {
            throw new NoLivePath('Share while recording started no live upload with the recording.')
          }
        }
      }),
      feedLimit,
      'Feeding the recording'
    )
    const feedMs = performance.now() - feedStarted
    const atStop = latest
    const behindBytes = live ? bytes - (atStop?.bytesSent ?? 0) : null
    const linkBeforeStop = Boolean(live && atStop?.url)

    // Everything after Stop gets the time the slow link needs for the whole file, three times.
    const limitMs = Math.max(300_000, link === 'throttled' ? (bytes / bytesPerSecond) * 3000 : 0)
    t0 = performance.now()
    const stopped = services.handlers['recording:stop'](projectId, {}).then((summary) => ({
      summary,
      at: performance.now()
    }))
    // Awaited below; this keeps an early failure from being an unhandled rejection meanwhile.
    stopped.catch(() => undefined)
    if (!live) {
      await within(stopped, limitMs, 'Finishing the recording')
      await services.handlers['uploads:start'](projectId, {})
    }
    const { at: linkAt, text } = await within(clipboard, limitMs, 'Stop → link')
    const prefix = `${library.proxy.url}/v/`
    if (!text.startsWith(prefix)) {
      throw new Error(`The clipboard got ${text}, not a link of the library (${prefix}…).`)
    }
    videoId = decodeURIComponent(text.slice(prefix.length))
    const watchAt = await watchable(library, videoId, seconds, limitMs)
    const { summary, at: stopAt } = await within(stopped, limitMs, 'Finishing the recording')
    if (summary.durationMs == null || Math.abs(summary.durationMs - seconds * 1000) > 1500) {
      throw new Error(`The finished recording lasts ${summary.durationMs} ms, not ${seconds} s.`)
    }
    stopListening()
    return {
      minutes,
      link,
      path,
      linkMs: linkAt - t0,
      watchMs: watchAt - t0,
      stopMs: stopAt - t0,
      allSentMs: allSentAt === null ? null : allSentAt - t0,
      doneMs: doneAt === null ? null : doneAt - t0,
      behindBytes,
      linkBeforeStop,
      bytes,
      feedMs
    }
  } finally {
    await within(services.shutdown(), 60_000, 'Shutting the app services down').catch(
      (error: unknown) => console.error(error)
    )
    rmSync(dataDir, { recursive: true, force: true })
    // The library keeps no 600 MB videos between rounds.
    if (videoId) await request(library, 'DELETE', `/api/videos/${encodeURIComponent(videoId)}`)
  }
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

function behind(c: Cell): string {
  if (c.behindBytes === null) return '—'
  const perSecond = c.bytes / (c.minutes * 60)
  return `${mib(Math.max(0, c.behindBytes))} (${(c.behindBytes / perSecond).toFixed(1)} s)`
}

function linkName(link: Link): string {
  return link === 'throttled' ? `${MBIT} Mbit/s` : 'loopback'
}

function pathName(path: Path): string {
  return path === 'live' ? `share while recording (${PACE}×)` : 'upload after Stop'
}

async function main(): Promise<void> {
  const load = (): string =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')
  const loadAtStart = load()
  const library = await startLibrary()
  const cells: Cell[] = []
  const missing: string[] = []
  let noLive: string | null = null
  for (const minutes of LENGTHS) {
    const file = await source(Math.round(minutes * 60))
    for (const link of LINKS) {
      for (const path of PATHS) {
        const name = `${minutes} min, ${linkName(link)}, ${pathName(path)}`
        if (path === 'live' && noLive) {
          missing.push(`${name}: ${noLive}`)
          continue
        }
        process.stdout.write(`${name}…\n`)
        try {
          const c = await cell(library, minutes, link, path, file)
          cells.push(c)
          process.stdout.write(
            `  Stop → link ${s(c.linkMs)}, → watchable ${s(c.watchMs)}; behind at Stop ${behind(c)}\n`
          )
        } catch (error) {
          if (!(error instanceof NoLivePath)) throw error
          noLive = error.message
          missing.push(`${name}: ${noLive}`)
          process.stdout.write(`  ${noLive}\n`)
        }
      }
    }
  }
  const loadAtEnd = load()

  const rows = cells.map((c) => {
    const keptUp =
      c.behindBytes === null
        ? '—'
        : c.behindBytes <= (c.bytes / (c.minutes * 60)) * KEPT_UP_S
          ? 'yes'
          : 'no'
    return [
      `${c.minutes} min (${mib(c.bytes)})`,
      linkName(c.link),
      pathName(c.path),
      s(c.linkMs),
      s(c.watchMs),
      c.allSentMs === null ? '?' : s(c.allSentMs),
      c.doneMs === null ? '?' : s(c.doneMs),
      s(c.stopMs),
      behind(c),
      keptUp,
      c.path === 'live' ? (c.linkBeforeStop ? 'yes' : 'no') : '—'
    ]
  })
  const header = [
    'recording',
    'link',
    'path',
    'Stop → link',
    'Stop → watchable',
    '→ all bytes sent',
    '→ upload done',
    '→ finished project',
    'behind at Stop',
    'kept up',
    'link before Stop'
  ]
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cols: string[]): string =>
    `| ${cols.map((col, i) => col.padEnd(widths[i] ?? 0)).join(' | ')} |`
  const table = [
    line(header),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.map(line)
  ]

  const ratios: string[] = []
  for (const link of LINKS) {
    const pick = (path: Path): Cell | undefined =>
      cells.find((c) => c.minutes === 10 && c.link === link && c.path === path)
    const live = pick('live')
    const after = pick('after')
    if (live && after) {
      ratios.push(
        `  10 min over ${linkName(link)}: Stop → link ${(live.linkMs / after.linkMs).toPrecision(2)}, ` +
          `Stop → watchable ${(live.watchMs / after.watchMs).toPrecision(2)} of upload after Stop`
      )
    }
  }
  const goals = cells
    .filter((c) => c.path === 'live')
    .map((c) => {
      const kept =
        c.behindBytes !== null && c.behindBytes <= (c.bytes / (c.minutes * 60)) * KEPT_UP_S
      return (
        `  ${c.minutes} min, ${linkName(c.link)}: link ${c.linkMs <= 1000 ? 'met' : 'NOT met'} ` +
        `(${s(c.linkMs)} ≤ 1 s); watchable ` +
        (kept
          ? `${c.watchMs <= 5000 ? 'met' : 'NOT met'} (${s(c.watchMs)} ≤ 5 s)`
          : 'n/a (fell behind)')
      )
    })

  const out = [
    '',
    `bench:instant: 1920×1080 ${FPS} fps H.264/Opus (${MIME}), ~${VIDEO_KBPS} kbit/s video, no edits`,
    `  live path fed at ${PACE}× real time in 1 s chunks; upload-after-Stop fed at once (not timed)`,
    `  throttled link ${MBIT} Mbit/s (upload direction, tests/support/throttle-proxy.ts); one round per cell`,
    `  load average at start ${loadAtStart}, at end ${loadAtEnd}; ${new Date().toISOString()}`,
    '',
    ...table,
    '',
    ...(ratios.length ? ['Ratio to upload after Stop:', ...ratios, ''] : []),
    ...(goals.length
      ? ['Goals (link ≤ 1 s; watchable ≤ 5 s when the link kept up):', ...goals, '']
      : []),
    ...(missing.length ? ['Not measured:', ...missing.map((m) => `  ${m}`), ''] : [])
  ]
  process.stdout.write(`${out.join('\n')}\n`)
}

async function cleanup(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    await within(Promise.resolve().then(fn), 15_000, 'Cleaning up').catch((error: unknown) =>
      console.error(error)
    )
  }
}

main().then(
  async () => {
    await cleanup()
    process.exit(0)
  },
  async (error: unknown) => {
    console.error(error)
    await cleanup()
    process.exit(1)
  }
)
