/**
 * A file of exactly `bytes` that starts as a real 2 s H.264 MP4 (faststart) and goes on with
 * random bytes: what the server benchmarks upload (the server probes the head, stores the rest).
 */
import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export async function makeSizedVideo(file: string, bytes: number): Promise<void> {
  const head = path.join(path.dirname(file), `head-${crypto.randomBytes(4).toString('hex')}.mp4`)
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240:rate=25:duration=2',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    head
  ])
  const fd = fs.openSync(file, 'w')
  try {
    fs.writeSync(fd, fs.readFileSync(head))
    let left = bytes - fs.statSync(head).size
    const block = crypto.randomBytes(8 * 1024 * 1024)
    while (left > 0) {
      const n = Math.min(left, block.length)
      fs.writeSync(fd, block, 0, n)
      left -= n
    }
  } finally {
    fs.closeSync(fd)
    fs.rmSync(head, { force: true })
  }
}
