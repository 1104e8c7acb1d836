/**
 * `npm run bench:record`: records 60 s of a 1920×1080 Xvfb screen with an animation playing
 * (MediaRecorder sends no frame for a still screen) at 30 fps through the harness and prints
 * dropped frames, the main-side process's memory and its CPU seconds per recorded second, and the
 * browser's CPU (every Chromium process: capture and encoding happen there). It records twice in
 * the same run, without and then with the camera (Chromium's fake camera, asked for 1280×720 at
 * 30 fps, recorded to its own file), so the camera's cost is read on one machine in one state.
 * Env: BENCH_SECONDS (default 60); BENCH_ANIMATION=full (default: the whole screen changes every
 * frame, drawn by ffplay, which itself costs about half a core here) or window (a 640×360 animation
 * on a still desktop, closer to a real walkthrough); BENCH_CAMERA=both (default), off or on.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { chromium, type Page } from 'playwright-core'
import { CAPTURE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess, type HarnessProcess } from '../support/harness-process'
import { durationSeconds, probe } from '../support/media'
import { paintRoot, startXvfb } from '../support/xvfb'
import type { RecordingFacts } from '../../src/shared/project'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60)
const FPS = 30
const ANIMATION = process.env.BENCH_ANIMATION ?? 'full'
const CAMERA = process.env.BENCH_CAMERA ?? 'both'
const CLOCK_TICKS = 100 // USER_HZ on Linux

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN)
  return kb / 1024
}

function statFields(pid: number): string[] {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
}

function cpuSeconds(pid: number): number {
  const fields = statFields(pid)
  // utime and stime are fields 14 and 15 of /proc/pid/stat (index 11, 12 after the comm field).
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

/** Chromium's browser processes: this script's children running Chromium. */
function chromiumRoots(): number[] {
  const roots: number[] = []
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    try {
      if (Number(statFields(pid)[1]) !== process.pid) continue
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? ''
      if (/chrom/i.test(command)) roots.push(pid)
    } catch {
      // Gone meanwhile.
    }
  }
  return roots
}

/** CPU seconds of the `roots` and every live process below them (Chromium's renderer, GPU…). */
function treeCpuSeconds(roots: readonly number[]): number {
  const parents = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    try {
      parents.set(pid, Number(statFields(pid)[1]))
    } catch {
      // Gone meanwhile.
    }
  }
  const inTree = (pid: number): boolean => {
    let p: number | undefined = pid
    for (let hops = 0; p && hops < 64; hops++) {
      if (roots.includes(p)) return true
      p = parents.get(p)
    }
    return false
  }
  let total = 0
  for (const pid of parents.keys()) {
    if (!inTree(pid)) continue
    try {
      total += cpuSeconds(pid)
    } catch {
      // Gone meanwhile.
    }
  }
  return total
}

interface FileFigures {
  readonly frames: number
  readonly expected: number
  readonly describe: string
  readonly sizeMb: number
}

async function fileFigures(file: string): Promise<FileFigures> {
  const probed = await probe(file, true)
  const video = probed.streams.find((s) => s.codec_type === 'video')
  const duration = durationSeconds(probed)
  return {
    frames: Number(video?.nb_read_frames ?? 0),
    expected: Math.round(duration * FPS),
    describe: `${duration.toFixed(2)} s, ${video?.width}×${video?.height} ${video?.codec_name}`,
    sizeMb: Number(probed.format.size ?? 0) / 1e6
  }
}

function droppedText(f: FileFigures): string {
  const dropped = Math.max(0, f.expected - f.frames)
  return `${f.frames} / ${f.expected} (${dropped} dropped, ${((100 * f.frames) / f.expected).toFixed(1)} %)`
}

/** Picks the first named camera in the picker (its preview then plays), or "No camera". */
async function chooseCamera(page: Page, on: boolean): Promise<void> {
  const select = page.getByRole('combobox', { name: 'Camera', exact: true })
  if (!on) {
    await select.selectOption('none')
    return
  }
  const camera = select.locator('option:not([value="none"]):not([value="default"])').first()
  await camera.waitFor({ state: 'attached', timeout: 15_000 })
  await select.selectOption((await camera.getAttribute('value')) ?? 'default')
  await page.getByLabel('Camera preview').waitFor({ timeout: 15_000 })
}

/** One recording of SECONDS; its figures as table rows. */
async function recordOnce(
  page: Page,
  harness: HarnessProcess,
  browserPids: readonly number[],
  dataDir: string,
  withCamera: boolean
): Promise<[string, string][]> {
  await chooseCamera(page, withCamera)
  const projects = join(dataDir, 'projects')
  const known = new Set<string>(
    (() => {
      try {
        return readdirSync(projects)
      } catch {
        return []
      }
    })()
  )
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
  const browserCpuStart = treeCpuSeconds(browserPids)
  let rssPeak = rssStart
  const began = Date.now()
  while (Date.now() - began < SECONDS * 1000) {
    await delay(500)
    rssPeak = Math.max(rssPeak, rssMb(harness.pid))
  }
  const cpuRecording = cpuSeconds(harness.pid) - cpuStart
  const browserCpu = treeCpuSeconds(browserPids) - browserCpuStart
  const rssBeforeStop = rssMb(harness.pid)
  await page.getByRole('button', { name: 'Stop recording' }).click()
  const stopClicked = Date.now()

  let facts: RecordingFacts | undefined
  while (!facts) {
    await delay(250)
    for (const id of readdirSync(projects)) {
      if (known.has(id)) continue
      const f = JSON.parse(
        readFileSync(join(projects, id, 'recording.json'), 'utf8')
      ) as RecordingFacts
      if (f.status !== 'recording') facts = f
    }
    if (Date.now() - stopClicked > 120_000)
      throw new Error('The recording did not finish in 2 minutes.')
  }
  const finishSeconds = (Date.now() - stopClicked) / 1000
  const rssEnd = rssMb(harness.pid)
  const screen = await fileFigures(join(projects, facts.id, facts.file))
  const cameraFacts = facts.camera
  const camera = cameraFacts ? await fileFigures(join(projects, facts.id, cameraFacts.file)) : null
  if (withCamera && !camera) throw new Error('The recording has no camera file.')
  await page.getByRole('button', { name: 'Start recording' }).waitFor()

  const cameraRows: [string, string][] =
    camera && cameraFacts
      ? [
          ['recorded (camera)', `${camera.describe}, ${cameraFacts.mimeType}`],
          ['camera frames in file / expected at 30 fps', droppedText(camera)],
          ['camera offset on the recording clock', `${cameraFacts.offsetMs} ms`]
        ]
      : []
  return [
    ['recorded (screen)', `${screen.describe}, ${facts.mimeType}`],
    ['screen frames in file / expected at 30 fps', droppedText(screen)],
    ...cameraRows,
    [
      'main-side RSS at start / peak / before stop / end',
      `${rssStart.toFixed(1)} / ${rssPeak.toFixed(1)} / ${rssBeforeStop.toFixed(1)} / ${rssEnd.toFixed(1)} MB`
    ],
    [
      'main-side memory growth while recording (before stop − start)',
      `${(rssBeforeStop - rssStart).toFixed(1)} MB (goal < 30 MB)`
    ],
    ['main-side CPU per recorded second', `${(cpuRecording / SECONDS).toFixed(3)} s/s`],
    [
      'browser CPU per recorded second (every Chromium process)',
      `${(browserCpu / SECONDS).toFixed(3)} s/s`
    ],
    ['stop → finished project (remux, probe, thumbnail)', `${finishSeconds.toFixed(2)} s`],
    [
      camera ? 'file size (screen + camera)' : 'file size',
      camera
        ? `${screen.sizeMb.toFixed(1)} + ${camera.sizeMb.toFixed(1)} MB`
        : `${screen.sizeMb.toFixed(1)} MB`
    ]
  ]
}

async function main(): Promise<void> {
  if (ANIMATION !== 'full' && ANIMATION !== 'window') {
    throw new Error(`BENCH_ANIMATION must be "full" or "window", not "${ANIMATION}".`)
  }
  const runs = { both: [false, true], off: [false], on: [true] }[CAMERA]
  if (!runs) throw new Error(`BENCH_CAMERA must be "both", "off" or "on", not "${CAMERA}".`)
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
    const browserPids = chromiumRoots()
    if (browserPids.length === 0) throw new Error('Chromium was not found among the processes.')
    const context = await browser.newContext({
      permissions: ['microphone', 'camera'],
      viewport: null
    })
    const page = await context.newPage()
    await page.goto(harness.url)
    await page.getByRole('button', { name: 'Start recording' }).waitFor()
    for (const withCamera of runs) {
      const rows = await recordOnce(page, harness, browserPids, dataDir, withCamera)
      const what = withCamera ? 'with the camera' : 'without a camera'
      console.log(`\nbench:record (animation: ${ANIMATION}, ${what}, ${SECONDS} s)`)
      for (const [k, v] of rows) console.log(`  ${k.padEnd(64)} ${v}`)
    }
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
