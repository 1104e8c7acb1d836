/**
 * npm run bench:server
 *
 * 1. Upload throughput: a BENCH_MB (default 500) MB file over loopback with tus-js-client at a few
 *    chunk sizes, against a plain HTTP PUT of the same file to a tiny Node server that writes it
 *    to disk. Both servers run as their own processes on this machine; the ratio is tus ÷ PUT
 *    (goal ≥ 0.9). The file is a real (faststart) MP4 followed by random bytes, so the library
 *    accepts it and the timing includes the server's ffprobe check, thumbnail and database write.
 * 2. The library page with 1,000 videos: median of 20 `GET /` with a session (goal < 50 ms),
 *    measured at the client over loopback (an upper bound of the server's time).
 *
 * Env: BENCH_MB, BENCH_CHUNKS (comma-separated MiB, "all" = one PATCH; default "8,64,all").
 */
import { spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tus from 'tus-js-client'
import { openLibraryDb } from '../../server/src/db/open'
import { makeSizedVideo } from './sized-video'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const MB = Number(process.env.BENCH_MB ?? 500)
const CHUNKS = (process.env.BENCH_CHUNKS ?? '8,64,all').split(',').map((c) => c.trim())
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-bench-server-'))
const children: ChildProcess[] = []

function cleanup(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM')
  fs.rmSync(work, { recursive: true, force: true })
}
process.on('exit', cleanup)
process.on('SIGINT', () => process.exit(130))

function startProcess(
  cmd: string,
  args: string[],
  cwd: string,
  pattern: RegExp,
  env = {}
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  children.push(child)
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = pattern.exec(out)
      if (m) resolve({ url: m[1] as string, child })
    })
    child.on('exit', (code) => reject(new Error(`${cmd} exited (${code}): ${out}`)))
  })
}

const PUT_SERVER = `
const http = require('http'); const fs = require('fs'); const path = require('path');
const dir = process.argv[1]; let n = 0;
const server = http.createServer((req, res) => {
  const out = fs.createWriteStream(path.join(dir, 'put-' + (n++)));
  req.pipe(out);
  out.on('finish', () => { res.writeHead(201); res.end(); });
});
server.listen(0, '127.0.0.1', () => console.log('PUT server: http://127.0.0.1:' + server.address().port));
`

function putOnce(url: string, file: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const u = new URL(url)
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: 'PUT',
        path: '/upload',
        headers: { 'Content-Length': size, 'Content-Type': 'application/octet-stream' }
      },
      (res) => {
        res.resume()
        res.on('end', () =>
          res.statusCode === 201
            ? resolve(performance.now() - t0)
            : reject(new Error(`PUT ${res.statusCode}`))
        )
      }
    )
    req.on('error', reject)
    fs.createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(req)
  })
}

function tusOnce(
  endpoint: string,
  token: string,
  file: string,
  size: number,
  chunk: string
): Promise<{ ms: number; url: string; processMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const upload = new tus.Upload(fs.createReadStream(file), {
      endpoint,
      uploadSize: size,
      chunkSize: chunk === 'all' ? Infinity : Number(chunk) * 1024 * 1024,
      retryDelays: [],
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: 'bench.mp4', title: `Bench ${chunk}` },
      onError: reject,
      onSuccess: (payload) => {
        const url = payload.lastResponse.getHeader('Sidecast-Video-Url') ?? ''
        const timing = /dur=([\d.]+)/.exec(payload.lastResponse.getHeader('Server-Timing') ?? '')
        resolve({ ms: performance.now() - t0, url, processMs: Number(timing?.[1] ?? 0) })
      }
    })
    upload.start()
  })
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

async function main(): Promise<void> {
  const size = Math.round(MB * 1024 * 1024)
  const file = path.join(work, 'upload.mp4')
  console.log(`Preparing a ${MB} MB file…`)
  await makeSizedVideo(file, size)

  // The library server as its own process, with a user and a token.
  const data = path.join(work, 'library')
  const db = await openLibraryDb({ file: path.join(data, 'library.db') })
  const user = await db.createUser('bench', 'bench-password', true)
  const token = (await db.createToken(user.id, 'bench')).token
  await db.close()
  const library = await startProcess(
    path.join(ROOT, 'node_modules/.bin/tsx'),
    ['src/main.ts', '--port', '0', '--data', data, '--max-upload-size', `${MB * 2 + 100}MB`],
    path.join(ROOT, 'server'),
    /Sidecast library: (http:\/\/\S+)/
  )
  const putDir = path.join(work, 'put')
  fs.mkdirSync(putDir)
  const put = await startProcess(
    process.execPath,
    ['-e', PUT_SERVER, putDir],
    work,
    /PUT server: (http:\/\/\S+)/
  )

  const rate = (ms: number): number => size / 1024 / 1024 / (ms / 1000)
  // Warm-up, then alternate runs so disk cache effects hit both sides alike.
  await putOnce(put.url, file, size)
  const putTimes: number[] = []
  const tusTimes = new Map<string, number[]>()
  const processTimes = new Map<string, number[]>()
  for (let round = 0; round < 2; round++) {
    putTimes.push(await putOnce(put.url, file, size))
    fs.rmSync(putDir, { recursive: true, force: true })
    fs.mkdirSync(putDir)
    for (const chunk of CHUNKS) {
      const r = await tusOnce(`${library.url}/api/uploads`, token, file, size, chunk)
      if (!r.url) throw new Error('no Sidecast-Video-Url on the final response')
      tusTimes.set(chunk, [...(tusTimes.get(chunk) ?? []), r.ms])
      processTimes.set(chunk, [...(processTimes.get(chunk) ?? []), r.processMs])
    }
  }
  const putBest = Math.min(...putTimes)
  console.log(`\nUpload of ${MB} MB over loopback (best of 2):`)
  console.log(
    `  plain HTTP PUT to disk      ${rate(putBest).toFixed(0).padStart(5)} MB/s  (${(putBest / 1000).toFixed(2)} s)`
  )
  for (const chunk of CHUNKS) {
    const times = tusTimes.get(chunk) ?? [Infinity]
    const best = Math.min(...times)
    const processMs = (processTimes.get(chunk) ?? [])[times.indexOf(best)] ?? 0
    const label = chunk === 'all' ? 'one PATCH' : `${chunk} MiB chunks`
    console.log(
      `  tus-js-client, ${label.padEnd(12)} ${rate(best).toFixed(0).padStart(5)} MB/s  (${(best / 1000).toFixed(2)} s)  ratio ${(putBest / best).toFixed(2)}${putBest / best >= 0.9 ? '' : '  (below the 0.9 goal)'}; of which verify+thumbnail+save ${processMs.toFixed(0)} ms, bytes alone ratio ${(putBest / (best - processMs)).toFixed(2)}`
    )
  }

  // The library page with 1,000 videos.
  library.child.kill('SIGTERM')
  await new Promise((r) => library.child.once('exit', r))
  const db2 = await openLibraryDb({ file: path.join(data, 'library.db') })
  const t = Date.now()
  for (let i = 0; i < 1000; i++) {
    await db2.insertVideo({
      id: crypto.randomBytes(12).toString('base64url'),
      title: `Walkthrough ${i}: <how> to do thing ${i % 37}`,
      description: `Description ${i} `.repeat(10),
      ownerId: user.id,
      durationMs: 60_000 + i,
      sizeBytes: 1_000_000 + i,
      filename: `video-${i}.mp4`,
      mimeType: 'video/mp4',
      projectId: null,
      callouts: [{ text: `callout ${i}`, startMs: 0, endMs: 1000 }],
      hasThumbnail: false,
      uploadId: crypto.randomBytes(16).toString('hex'),
      storage: 'file',
      createdAt: new Date(t - i * 60_000).toISOString()
    })
  }
  const session = await db2.createSession(user.id)
  await db2.close()
  const lib2 = await startProcess(
    path.join(ROOT, 'node_modules/.bin/tsx'),
    ['src/main.ts', '--port', '0', '--data', data],
    path.join(ROOT, 'server'),
    /Sidecast library: (http:\/\/\S+)/
  )
  const cookie = `sidecast_session=${session.id}`
  const timePage = async (q: string): Promise<{ ms: number; status: number; bytes: number }> => {
    const t0 = performance.now()
    const res = await fetch(`${lib2.url}/${q}`, { headers: { cookie } })
    const body = await res.arrayBuffer()
    return { ms: performance.now() - t0, status: res.status, bytes: body.byteLength }
  }
  for (let i = 0; i < 5; i++) await timePage('')
  for (const [label, q] of [
    ['GET /', ''],
    ['GET /?q=thing', '?q=thing'],
    ['GET /?q=callout 99', '?q=callout%2099']
  ] as const) {
    const runs: { ms: number; status: number; bytes: number }[] = []
    for (let i = 0; i < 20; i++) runs.push(await timePage(q))
    if (runs.some((r) => r.status !== 200)) throw new Error(`${label} answered ${runs[0]?.status}`)
    const m = median(runs.map((r) => r.ms))
    console.log(
      `\nLibrary page with 1,000 videos, ${label}: median ${m.toFixed(1)} ms of 20 (${runs[0]?.bytes} bytes)${m < 50 ? '' : '  (above the 50 ms goal)'}`
    )
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
