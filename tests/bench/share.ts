/**
 * npm run bench:share
 *
 * From "Stop recording" to the link on the clipboard, through main's real services (no browser:
 * the browser side of recording is bench:record's), against the real library server started
 * in-process on 127.0.0.1 with a temp data dir, a user and a token.
 *
 * Source: a BENCH_SECONDS (default 60) s 1920×1080 30 fps screen-like recording as Chromium's
 * MediaRecorder writes it (H.264 + Opus, or VP8 + Opus with BENCH_CODEC=vp8; written to a pipe
 * like a live stream, so no duration or cues), at Chromium's default 2.5 Mbit/s; generated once
 * and cached in the temp folder.
 *
 * Each of BENCH_ROUNDS (default 5) rounds, with fresh app services and data dir: recording:start,
 * the file fed through recording:chunk in 1 s chunks (not timed), then the clock starts,
 * recording:stop, at once uploads:start(projectId, {}) (the user's one click), and the clock
 * stops when copyText receives the link. Median, min and max of the rounds, with the phases.
 *
 * Throughput: the upload phase's bytes/s (best round) against a plain HTTP PUT of the same file
 * to a tiny Node http server on 127.0.0.1 writing it to disk (best of max(3, rounds), one after
 * each round so both sides see the same disk cache). Both servers run in this process, like the
 * library server does, so client and server share one event loop on both sides.
 */
import { spawn } from 'node:child_process'
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync
} from 'node:fs'
import { open } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createLibraryServer, type LibraryServerInternals } from '../../server/src/app'
import { loadConfig } from '../../server/src/config'
import { locateFfmpeg } from '../../src/main/ffmpeg/locate-ffmpeg'
import type { AppServices } from '../../src/main/app-services'
import type { UploadInfo } from '../../src/shared/ipc'
import { testAppServices } from '../support/app-services'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const CODEC = process.env.BENCH_CODEC ?? 'h264'
if (!Number.isInteger(SECONDS) || SECONDS < 2) throw new Error('BENCH_SECONDS must be at least 2.')
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('BENCH_ROUNDS must be at least 1.')
if (CODEC !== 'h264' && CODEC !== 'vp8') throw new Error('BENCH_CODEC must be "h264" or "vp8".')
const FPS = 30
/** Chromium's MediaRecorder default video bit rate. */
const VIDEO_KBPS = 2500
/** What the app's recorder asks MediaRecorder for (see src/renderer/src/recorder/mime-type.ts). */
const MIME = CODEC === 'h264' ? 'video/webm;codecs=h264,opus' : 'video/webm;codecs=vp8,opus'
/** Time limits: one round's stop-to-link, and everything else that waits. */
const ROUND_TIMEOUT_MS = Math.max(120_000, SECONDS * 3000)
const PUT_TIMEOUT_MS = 120_000

const found = locateFfmpeg({ settingPath: '' })
if (!found.ok || !found.path) throw new Error(`No ffmpeg: ${found.problem ?? 'unknown problem'}`)
const FFMPEG = found.path

const cacheDir = join(tmpdir(), 'sidecast-bench-share-cache')
const work = mkdtempSync(join(tmpdir(), 'sidecast-bench-share-'))
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

/** The cached source, made on first use (a minute or so at 60 s). */
async function source(): Promise<string> {
  mkdirSync(cacheDir, { recursive: true })
  const file = join(cacheDir, `screen-${SECONDS}s-${CODEC}-${VIDEO_KBPS}k.webm`)
  if (existsSync(file)) return file
  process.stdout.write(
    `generating the ${SECONDS} s 1080p ${CODEC} source (cached in ${cacheDir})…\n`
  )
  // Moving panels and a busy 960×540 window (a test pattern) over a light background: a desktop
  // with something going on, which MediaRecorder's 2.5 Mbit/s is about right for.
  const graph = [
    `color=c=0xf4f5f7:s=1920x1080:r=${FPS}[bg]`,
    `testsrc2=s=960x540:r=${FPS}[pattern]`,
    `color=c=0x3b82f6:s=600x80:r=${FPS}[bar]`,
    `color=c=0x1f2937:s=360x420:r=${FPS}[panel]`,
    "[bg][pattern]overlay=x='100+mod(t*120,800)':y='160+80*sin(t)'[a]",
    "[a][bar]overlay=x='1920-mod(t*200,2520)':y=900[b]",
    "[b][panel]overlay=x=1400:y='300+200*sin(t/3)',format=yuv420p[v]"
  ].join(';')
  const rate = [
    '-b:v',
    `${VIDEO_KBPS}k`,
    '-maxrate',
    `${VIDEO_KBPS * 1.2}k`,
    '-bufsize',
    `${VIDEO_KBPS * 2}k`
  ]
  // prettier-ignore
  const video = CODEC === 'h264'
    ? ['-c:v', 'libx264', '-preset', 'veryfast', ...rate, '-g', String(FPS * 4)]
    : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', ...rate, '-g', String(FPS * 4)]
  // ffmpeg's WebM muxer takes no H.264; Chromium's H.264 WebM is Matroska with a WebM doctype.
  // prettier-ignore
  const args = [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'nullsrc=s=16x16',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-filter_complex', graph, '-map', '[v]', '-map', '1:a',
    '-t', String(SECONDS),
    ...video,
    '-c:a', 'libopus', '-b:a', '128k',
    '-f', CODEC === 'h264' ? 'matroska' : 'webm', 'pipe:1'
  ]
  const part = `${file}.part`
  const child = spawn(FFMPEG, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), Math.max(300_000, SECONDS * 10_000))
  try {
    // A pipe, as MediaRecorder's output is: no duration, no cues, nothing rewritten at the end.
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
  return file
}

interface Library {
  readonly server: LibraryServerInternals
  readonly token: string
  /** verify + thumbnail + save of each finished upload (the server's onUploadFinish), in ms. */
  readonly processMs: number[]
}

async function startLibrary(): Promise<Library> {
  const dataDir = join(work, 'library')
  const config = loadConfig(['--port', '0', '--host', '127.0.0.1', '--data', dataDir], {})
  const server = await createLibraryServer(config, { log: (m) => console.error(`[library] ${m}`) })
  cleanups.push(() => server.close())
  const db = server.library.db
  const user = await db.createUser('bench', 'bench-password', false)
  const token = (await db.createToken(user.id, 'bench')).token
  // The processing time the tus handler reports in Server-Timing, read at the source.
  const processMs: number[] = []
  const processor = server.processor
  const finalize = processor.finalizeOrRetry.bind(processor)
  processor.finalizeOrRetry = async (uploadId, attempt = 0) => {
    const started = performance.now()
    const outcome = await finalize(uploadId, attempt)
    if (attempt === 0) processMs.push(performance.now() - started)
    return outcome
  }
  return { server, token, processMs }
}

interface PutServer {
  readonly url: string
}

/** A plain HTTP PUT target that writes the body to disk (one file, overwritten). */
async function startPutServer(): Promise<PutServer> {
  const dir = join(work, 'put')
  mkdirSync(dir)
  const server = http.createServer((req, res) => {
    const out = createWriteStream(join(dir, 'upload'))
    pipeline(req, out).then(
      () => res.writeHead(201).end(),
      () => res.writeHead(500).end()
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  )
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** Milliseconds for one PUT of `file`. */
function putOnce(target: PutServer, file: string): Promise<number> {
  const size = statSync(file).size
  const sent = new Promise<number>((resolve, reject) => {
    const started = performance.now()
    const req = http.request(
      `${target.url}/upload`,
      {
        method: 'PUT',
        headers: { 'Content-Length': size, 'Content-Type': 'application/octet-stream' }
      },
      (res) => {
        res.resume()
        res.on('end', () =>
          res.statusCode === 201
            ? resolve(performance.now() - started)
            : reject(new Error(`The PUT server answered ${res.statusCode}.`))
        )
      }
    )
    req.on('error', reject)
    pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), req).catch(reject)
  })
  return within(sent, PUT_TIMEOUT_MS, 'A plain PUT')
}

interface Round {
  /** recording:stop called → the link on the clipboard. */
  readonly totalMs: number
  /** recording:stop called → resolved (remux, probe, thumbnail). */
  readonly stopMs: number
  /** uploads:start called → the queue's "uploading". */
  readonly queueMs: number
  /** "uploading" → "done" (tus POST, PATCHes, the server's processing, the link stored). */
  readonly sendMs: number
  /** The server's verify + thumbnail + save, inside sendMs. */
  readonly processMs: number
  /** uploads:start called → "done". */
  readonly uploadMs: number
  /** "done" → copyText. */
  readonly announceMs: number
  readonly bytes: number
  /** The finished recording (kept until the round's PUT). */
  readonly file: string
  readonly dataDir: string
}

async function feed(services: AppServices, file: string): Promise<string> {
  const { projectId } = await services.handlers['recording:start']({
    mimeType: MIME,
    sourceName: 'Entire screen'
  })
  const handle = await open(file, 'r')
  try {
    const size = (await handle.stat()).size
    // One MediaRecorder timeslice (1 s) worth of bytes per chunk.
    const chunk = Math.ceil(size / SECONDS)
    let seq = 0
    for (let offset = 0; offset < size; offset += chunk) {
      const buffer = new Uint8Array(Math.min(chunk, size - offset))
      await handle.read(buffer, 0, buffer.byteLength, offset)
      await services.handlers['recording:chunk'](projectId, seq++, buffer)
    }
  } finally {
    await handle.close()
  }
  return projectId
}

async function round(n: number, src: string, library: Library): Promise<Round> {
  const dataDir = join(work, `app-${n}`)
  mkdirSync(dataDir)
  let copied: (at: number, text: string) => void = () => undefined
  const link = new Promise<{ at: number; text: string }>((resolve) => {
    copied = (at, text) => resolve({ at, text })
  })
  const services = testAppServices({
    dataDir,
    env: { SIDECAST_LIBRARY_URL: library.server.url, SIDECAST_LIBRARY_TOKEN: library.token },
    adapters: { copyText: (text) => copied(performance.now(), text) }
  })
  try {
    await within(services.startup(), 30_000, 'Starting the app services')
    const projectId = await within(feed(services, src), ROUND_TIMEOUT_MS, 'Feeding the recording')
    const states = new Map<UploadInfo['state'], number>()
    const stopListening = services.uploads.onChange((info) => {
      if (info.projectId === projectId && !states.has(info.state)) {
        states.set(info.state, performance.now())
      }
    })
    const processedBefore = library.processMs.length

    const t0 = performance.now()
    const summary = await within(
      services.handlers['recording:stop'](projectId, {}),
      ROUND_TIMEOUT_MS,
      'Finishing the recording'
    )
    const stopped = performance.now()
    const upload = await services.handlers['uploads:start'](projectId, {})
    const { at: linkAt, text } = await within(link, ROUND_TIMEOUT_MS, 'Stop → link')
    stopListening()

    const [info] = (await services.handlers['uploads:list']()).filter((u) => u.id === upload.id)
    const uploadingAt = states.get('uploading')
    const doneAt = states.get('done')
    if (!info || info.state !== 'done' || !uploadingAt || !doneAt) {
      throw new Error(`Round ${n}: the upload did not go queued → uploading → done.`)
    }
    if (text !== info.url || !text.startsWith(library.server.url)) {
      throw new Error(`Round ${n}: the clipboard got ${text}, not the library link ${info.url}.`)
    }
    if (summary.durationMs == null || Math.abs(summary.durationMs - SECONDS * 1000) > 1000) {
      throw new Error(`Round ${n}: the finished recording lasts ${summary.durationMs} ms.`)
    }
    const facts = await services.projects.readFacts(projectId)
    const file = join(services.projects.projectDir(projectId), facts.file)
    const bytes = statSync(file).size
    if (info.bytesTotal !== bytes) {
      throw new Error(`Round ${n}: uploaded ${info.bytesTotal} bytes of a ${bytes} byte file.`)
    }
    return {
      totalMs: linkAt - t0,
      stopMs: stopped - t0,
      queueMs: uploadingAt - stopped,
      sendMs: doneAt - uploadingAt,
      processMs: library.processMs[processedBefore] ?? NaN,
      uploadMs: doneAt - stopped,
      announceMs: linkAt - doneAt,
      bytes,
      file,
      dataDir
    }
  } finally {
    await within(services.shutdown(), 30_000, 'Shutting the app services down')
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2
}

async function main(): Promise<void> {
  const src = await source()
  const library = await startLibrary()
  const put = await startPutServer()
  const rounds: Round[] = []
  const putMs: { ms: number; bytes: number }[] = []
  const runPut = async (file: string): Promise<void> => {
    putMs.push({ ms: await putOnce(put, file), bytes: statSync(file).size })
  }

  for (let n = 1; n <= ROUNDS; n++) {
    const r = await round(n, src, library)
    rounds.push(r)
    process.stdout.write(`round ${n}/${ROUNDS}: stop → link ${(r.totalMs / 1000).toFixed(2)} s\n`)
    // The same file, straight after, from the same disk cache.
    await runPut(r.file)
    if (n < ROUNDS) rmSync(r.dataDir, { recursive: true, force: true })
  }
  const last = rounds[rounds.length - 1]
  if (!last) throw new Error('No round ran.')
  while (putMs.length < 3) await runPut(last.file)

  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`
  const stat = (pick: (r: Round) => number): string => {
    const values = rounds.map(pick)
    return `${s(median(values)).padStart(8)} ${s(Math.min(...values)).padStart(8)} ${s(Math.max(...values)).padStart(8)}`
  }
  const rate = (bytes: number, ms: number): number => bytes / 1024 / 1024 / (ms / 1000)
  const bestUpload = Math.max(...rounds.map((r) => rate(r.bytes, r.uploadMs)))
  const bestSend = Math.max(...rounds.map((r) => rate(r.bytes, r.sendMs - r.processMs)))
  const bestPut = Math.max(...putMs.map((p) => rate(p.bytes, p.ms)))
  const srcSize = statSync(src).size
  const mbps = (srcSize * 8) / SECONDS / 1e6

  const label = (text: string): string => `  ${text.padEnd(52)}`
  const lines = [
    '',
    `bench:share: ${SECONDS} s 1920×1080 ${FPS} fps ${CODEC}/opus recording (${MIME}), no edits`,
    `  source ${mb(srcSize)} (${mbps.toFixed(2)} Mbit/s), fed in ${SECONDS} chunks of 1 s; finished file ${mb(last.bytes)}`,
    `  library server in-process on ${library.server.url}; ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}`,
    '',
    `${label('')}${'median'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)}`,
    `${label('Stop → link on the clipboard')}${stat((r) => r.totalMs)}`,
    `${label('  stop → finished project (remux, probe, thumbnail)')}${stat((r) => r.stopMs)}`,
    `${label('  upload start → done')}${stat((r) => r.uploadMs)}`,
    `${label('    upload start → sending (queue)')}${stat((r) => r.queueMs)}`,
    `${label('    sending → done (tus + server)')}${stat((r) => r.sendMs)}`,
    `${label('      of which server verify+thumbnail+save')}${stat((r) => r.processMs)}`,
    `${label('  done → link on the clipboard')}${stat((r) => r.announceMs)}`,
    '',
    `Upload throughput over loopback (best of ${rounds.length} uploads, best of ${putMs.length} PUTs)`,
    `${label('plain HTTP PUT to disk')}${bestPut.toFixed(0).padStart(8)} MiB/s`,
    `${label('upload phase (upload start → done)')}${bestUpload.toFixed(0).padStart(8)} MiB/s  ratio ${(bestUpload / bestPut).toFixed(2)}`,
    `${label('bytes alone (sending → done − server processing)')}${bestSend.toFixed(0).padStart(8)} MiB/s  ratio ${(bestSend / bestPut).toFixed(2)}`,
    ''
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
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
