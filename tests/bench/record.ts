/**
 * `npm run bench:record`: records 60 s of a 1920×1080 Xvfb screen with an animation playing
 * (MediaRecorder sends no frame for a still screen) at 30 fps through the harness and prints
 * dropped frames, the main-side process's memory and its CPU seconds per recorded second.
 * Env: BENCH_SECONDS (default 60); BENCH_ANIMATION=full (default: the whole screen changes every
 * frame, drawn by ffplay, which itself costs about half a core here) or window (a 640×360 animation
 * on a still desktop, closer to a real walkthrough).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { chromium } from 'playwright-core'
import { CAPTURE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess } from '../support/harness-process'
import { durationSeconds, probe } from '../support/media'
import { paintRoot, startXvfb } from '../support/xvfb'
import type { RecordingFacts } from '../../src/shared/project'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60)
const FPS = 30
const ANIMATION = process.env.BENCH_ANIMATION ?? 'full'
const CLOCK_TICKS = 100 // USER_HZ on Linux

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN)
  return kb / 1024
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  // utime and stime are fields 14 and 15 of /proc/pid/stat (index 11, 12 after the comm field).
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

async function main(): Promise<void> {
  const xvfb = await startXvfb(1920, 1080)
  paintRoot(xvfb.display, '#203040')
  const dataDir = mkdtempSync(join(tmpdir(), 'sidecast-bench-'))
  const harness = await startHarnessProcess(dataDir)
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: false,
    args: [...CAPTURE_CHROMIUM_ARGS, '--window-position=0,0', '--window-size=1100,760'],
    env: { ...process.env, DISPLAY: xvfb.display }
  })
  if (ANIMATION !== 'full' && ANIMATION !== 'window') {
    throw new Error(`BENCH_ANIMATION must be "full" or "window", not "${ANIMATION}".`)
  }
  // Something that changes every frame: over the whole screen, or in one window.
  const geometry =
    ANIMATION === 'full' ? ['-fs'] : ['-x', '640', '-y', '360', '-left', '1200', '-top', '600']
  const size = ANIMATION === 'full' ? '1920x1080' : '640x360'
  const animation = spawn(
    'ffplay',
    ['-loglevel', 'quiet', '-an', ...geometry, '-f', 'lavfi', `testsrc2=size=${size}:rate=${FPS}`],
    { env: { ...process.env, DISPLAY: xvfb.display, SDL_VIDEODRIVER: 'x11' }, stdio: 'ignore' }
  )
  try {
    const context = await browser.newContext({ permissions: ['microphone'], viewport: null })
    const page = await context.newPage()
    await page.goto(harness.url)
    await delay(2000)
    // The native radio sits under its card's label, which is what a person clicks.
    await page
      .getByRole('radio', { name: /Entire screen/ })
      .first()
      .check({ force: true })
    await page.getByRole('button', { name: 'Start recording' }).click()
    await page
      .getByRole('button', { name: /Skip/ })
      .click({ timeout: 10_000 })
      .catch(() => undefined)
    await page.getByRole('button', { name: 'Stop recording' }).waitFor({ timeout: 20_000 })

    const rssStart = rssMb(harness.pid)
    const cpuStart = cpuSeconds(harness.pid)
    let rssPeak = rssStart
    const began = Date.now()
    while (Date.now() - began < SECONDS * 1000) {
      await delay(500)
      rssPeak = Math.max(rssPeak, rssMb(harness.pid))
    }
    const cpuRecording = cpuSeconds(harness.pid) - cpuStart
    const rssBeforeStop = rssMb(harness.pid)
    await page.getByRole('button', { name: 'Stop recording' }).click()
    const stopClicked = Date.now()

    let facts: RecordingFacts | undefined
    while (!facts) {
      await delay(250)
      for (const id of readdirSync(join(dataDir, 'projects'))) {
        const f = JSON.parse(
          readFileSync(join(dataDir, 'projects', id, 'recording.json'), 'utf8')
        ) as RecordingFacts
        if (f.status !== 'recording') facts = f
      }
      if (Date.now() - stopClicked > 120_000)
        throw new Error('The recording did not finish in 2 minutes.')
    }
    const finishSeconds = (Date.now() - stopClicked) / 1000
    const rssEnd = rssMb(harness.pid)
    const file = join(dataDir, 'projects', facts.id, facts.file)
    const probed = await probe(file, true)
    const video = probed.streams.find((s) => s.codec_type === 'video')
    const frames = Number(video?.nb_read_frames ?? 0)
    const duration = durationSeconds(probed)
    const expected = Math.round(duration * FPS)

    const rows: [string, string][] = [
      [
        'recorded',
        `${duration.toFixed(2)} s, ${video?.width}×${video?.height} ${video?.codec_name}, ${facts.mimeType}`
      ],
      [
        'frames in file / expected at 30 fps',
        `${frames} / ${expected} (${Math.max(0, expected - frames)} dropped, ${((100 * frames) / expected).toFixed(1)} %)`
      ],
      [
        'main-side RSS at start / peak / before stop / end',
        `${rssStart.toFixed(1)} / ${rssPeak.toFixed(1)} / ${rssBeforeStop.toFixed(1)} / ${rssEnd.toFixed(1)} MB`
      ],
      [
        'main-side memory growth while recording (before stop − start)',
        `${(rssBeforeStop - rssStart).toFixed(1)} MB (goal < 30 MB)`
      ],
      ['main-side CPU per recorded second', `${(cpuRecording / SECONDS).toFixed(3)} s/s`],
      ['stop → finished project (remux, probe, thumbnail)', `${finishSeconds.toFixed(2)} s`],
      ['file size', `${(Number(probed.format.size ?? 0) / 1e6).toFixed(1)} MB`]
    ]
    console.log(`\nbench:record (animation: ${ANIMATION})`)
    for (const [k, v] of rows) console.log(`  ${k.padEnd(64)} ${v}`)
    await context.close()
  } finally {
    animation.kill('SIGKILL')
    await browser.close()
    await harness.stop()
    await xvfb.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
