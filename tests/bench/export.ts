/**
 * npm run bench:export
 *
 * A BENCH_SECONDS (default 60) s 1920×1080 30 fps screen-like source (light background, moving
 * panels and a test pattern, a tone), H.264/Opus in Matroska as Chromium's recorder can make it;
 * generated once and cached in the temp folder. Then:
 *
 * 1. Export with 5 callouts (rect, arrow, callout, step, highlight), 1 blur and 2 cuts, Source
 *    size, Standard quality, through runExport — against the very ffmpeg command it generated,
 *    run by hand on the same overlay PNGs. Overhead ratio = Sidecast ÷ by hand (goal ≤ 1.05).
 *    Realtime factor = output duration ÷ Sidecast's wall time (goal ≥ 4× on 2 cores).
 * 2. The no-edit copy path on the same H.264 file against `cp` of it (ratio).
 * 3. Smart rendering (issue 14) on a BENCH_SMART_SECONDS (default 600) s 1920×1080 recording
 *    shaped like Chromium's MediaRecorder output (H.264 Constrained Baseline, full range, a
 *    keyframe every second, Opus, Matroska/WebM; generated once and cached): three callouts of
 *    3 s, one blur of 5 s and two cuts, exported smart and full in the same run, then the no-edit
 *    copy path on the same file. Goals: smart ≥ 10× faster than full and ≥ 30× real time on two
 *    cores; the copy path ≥ 100× real time.
 *
 * 4. The camera bubble (issue 15): the same BENCH_SECONDS source with a 1280×720 30 fps VP8
 *    camera recording beside it (as Chromium records a camera; generated once and cached), its
 *    first frame 300 ms in. The edited export of step 1 (full re-encode) without the camera and
 *    with it (the default bubble, shown throughout), alternating, medians; then the no-edit
 *    export of each (the stream copy without the camera; with it the bubble must be drawn).
 *
 * Steps 1–2 measure the full re-encode (smart rendering off), as before smart rendering.
 * Env: BENCH_SECONDS, BENCH_ROUNDS, BENCH_SMART_SECONDS, BENCH_PARTS (any of `full`, `smart`,
 * `bubble`; the default `full,smart,bubble`).
 */
import { execFile, spawn } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { promisify } from 'node:util'
import type { ExportPlan } from '../../src/engine/export-plan'
import { runExport, type ExportResult } from '../../src/engine/run-export'
import { locateFfmpeg } from '../../src/main/ffmpeg/locate-ffmpeg'
import { QUALITY_PARAMS } from '../../src/engine/presets'
import { CACHE_FOLDER, preparedAudio } from '../../src/engine/timeline-audio'
import { emptyEdits, type Edits } from '../../src/shared/edits'
import type { RecordingFacts } from '../../src/shared/project'

const run = promisify(execFile)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60)
if (!Number.isFinite(SECONDS) || SECONDS < 5) throw new Error('BENCH_SECONDS must be at least 5')
const DURATION_MS = SECONDS * 1000
/** Alternating timed rounds of each side after the warm-up; medians are reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

const SMART_SECONDS = Number(process.env.BENCH_SMART_SECONDS ?? 600)
if (!Number.isFinite(SMART_SECONDS) || SMART_SECONDS < 60) {
  throw new Error('BENCH_SMART_SECONDS must be at least 60')
}
const PARTS = new Set(
  (process.env.BENCH_PARTS ?? 'full,smart,bubble').split(',').map((p) => p.trim())
)

const found = locateFfmpeg({ settingPath: '' })
if (!found.ok || !found.path) throw new Error(`no ffmpeg: ${found.problem ?? 'unknown'}`)
const FFMPEG = found.path
/** The bundled ffprobe is another package's: passed to runExport as the app passes it. */
const FFPROBE = found.ffprobePath ?? undefined

const cacheDir = join(tmpdir(), 'sidecast-bench-export-cache')
const work = mkdtempSync(join(tmpdir(), 'sidecast-bench-export-'))
process.on('exit', () => rmSync(work, { recursive: true, force: true }))
process.on('SIGINT', () => process.exit(130))

/** The cached source, made on first use (a minute or two at 60 s). */
async function source(): Promise<string> {
  mkdirSync(cacheDir, { recursive: true })
  const file = join(cacheDir, `screen-${SECONDS}s.mkv`)
  if (existsSync(file)) return file
  process.stdout.write(`generating the ${SECONDS} s 1080p source (cached in ${cacheDir})…\n`)
  // Moving panels over a light background, like windows and a cursor area on a desktop.
  const graph = [
    'color=c=0xf4f5f7:s=1920x1080:r=30[bg]',
    'testsrc2=s=480x270:r=30[pattern]',
    'color=c=0x3b82f6:s=600x80:r=30[bar]',
    'color=c=0x1f2937:s=360x420:r=30[panel]',
    "[bg][pattern]overlay=x='100+mod(t*120,1200)':y='160+80*sin(t)'[a]",
    "[a][bar]overlay=x='1920-mod(t*200,2520)':y=900[b]",
    "[b][panel]overlay=x=1400:y='300+200*sin(t/3)'[v]"
  ].join(';')
  const part = `${file}.part`
  // prettier-ignore
  await run(FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'nullsrc=s=16x16:r=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-filter_complex', graph, '-map', '[v]', '-map', '1:a',
    '-t', String(SECONDS),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-g', '60',
    '-c:a', 'libopus', '-b:a', '96k',
    '-f', 'matroska', part
  ], { maxBuffer: 16 * 1024 * 1024 })
  copyFileSync(part, file)
  rmSync(part)
  return file
}

function facts(file: string): RecordingFacts {
  return {
    version: 1,
    id: 'bench',
    status: 'complete',
    title: 'Bench',
    createdAt: '2026-11-29T10:00:00.000Z',
    sourceName: 'Generated',
    file: basename(file),
    container: 'mkv',
    mimeType: 'video/x-matroska;codecs=avc1,opus',
    videoCodec: 'h264',
    audioCodec: 'opus',
    width: 1920,
    height: 1080,
    durationMs: DURATION_MS
  }
}

/** 5 callouts, 1 blur, 2 cuts, spread over the recording whatever its length. */
function benchEdits(): Edits {
  const at = (f: number): number => Math.round(DURATION_MS * f)
  return {
    version: 2,
    keep: [
      [0, at(0.3)],
      [at(0.4), at(0.6)],
      [at(0.7), DURATION_MS]
    ],
    annotations: [
      { id: 'r', type: 'rect', startMs: at(0.05), endMs: at(0.35), x: 0.1, y: 0.1, w: 0.3, h: 0.2 },
      {
        id: 'a',
        type: 'arrow',
        startMs: at(0.1),
        endMs: at(0.5),
        x1: 0.6,
        y1: 0.6,
        x2: 0.4,
        y2: 0.3
      },
      {
        id: 'c',
        type: 'callout',
        startMs: at(0.2),
        endMs: at(0.65),
        x: 0.55,
        y: 0.1,
        w: 0.3,
        h: 0.12,
        text: 'Click here to sign in'
      },
      { id: 's', type: 'step', startMs: at(0.45), endMs: at(0.9), x: 0.8, y: 0.5, n: 1 },
      {
        id: 'h',
        type: 'highlight',
        startMs: at(0.75),
        endMs: at(0.95),
        x: 0.3,
        y: 0.3,
        w: 0.4,
        h: 0.4
      },
      { id: 'b', type: 'blur', startMs: 0, endMs: DURATION_MS, x: 0.72, y: 0.25, w: 0.2, h: 0.4 }
    ]
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint()
  const value = await work()
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value }
}

function spawnAndWait(binary: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${binary} exited ${code}: ${stderr}`))
    )
  })
}

/**
 * The planned command, pointed at copies of its overlay PNGs (runExport deletes its own temp
 * folder) and at another output file. Called from onPlan, while the PNGs still exist.
 */
function keepCommand(plan: ExportPlan, dir: string, out: string): string[] {
  const overlayInputs = plan.args.filter((arg) =>
    plan.overlays.some((o) => basename(arg) === o.file)
  )
  const overlayDir = overlayInputs[0] ? dirname(overlayInputs[0]) : null
  if (overlayDir) {
    for (const name of readdirSync(overlayDir))
      copyFileSync(join(overlayDir, name), join(dir, name))
  }
  const output = plan.args.at(-1) ?? ''
  return plan.args.map((arg, i) => {
    if (i === plan.args.length - 1 && arg === output) return out
    return overlayDir && arg.startsWith(overlayDir)
      ? join(dir, arg.slice(overlayDir.length + 1))
      : arg
  })
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`

async function fullPart(): Promise<void> {
  const src = await source()
  const projectDir = join(work, 'project')
  mkdirSync(projectDir)
  copyFileSync(src, join(projectDir, basename(src)))
  const recording = facts(src)
  const handDir = join(work, 'by-hand')
  mkdirSync(handDir)

  // 1. Edited export vs the same command by hand. The first export is a warm-up (it also hands
  // over the command); then the two alternate and the medians count, so neither side pays for a
  // cold disk cache or a noisy neighbour alone.
  let handArgs: string[] = []
  const edited = (n: number): Promise<{ ms: number; value: ExportResult }> =>
    timed(() =>
      runExport({
        projectDir,
        facts: recording,
        edits: benchEdits(),
        preset: { size: 'source', quality: 'standard' },
        outFile: join(work, `sidecast-${n}.mp4`),
        ffmpegPath: FFMPEG,
        ...(FFPROBE ? { ffprobePath: FFPROBE } : {}),
        smart: false,
        onPlan: (plan) => {
          if (n === 0) handArgs = keepCommand(plan, handDir, join(work, 'by-hand.mp4'))
        }
      })
    )
  const warmUp = await edited(0)
  if (warmUp.value.mode !== 'encode') throw new Error('expected the edited export to encode')
  if (handArgs.some((arg) => arg.endsWith('.part'))) throw new Error('output path not replaced')
  const sidecastRuns: number[] = []
  const handRuns: number[] = []
  for (let i = 1; i <= ROUNDS; i++) {
    handRuns.push((await timed(() => spawnAndWait(FFMPEG, ['-y', ...handArgs]))).ms)
    sidecastRuns.push((await edited(i)).ms)
  }
  const sidecast = { ms: median(sidecastRuns), value: warmUp.value }
  const byHand = { ms: median(handRuns) }
  const outputMs = warmUp.value.durationMs

  // 2. No edits, H.264 source: stream copy vs cp.
  const copy = await timed(() =>
    runExport({
      projectDir,
      facts: recording,
      edits: emptyEdits(),
      preset: { size: 'source', quality: 'standard' },
      outFile: join(work, 'copy.mp4'),
      ffmpegPath: FFMPEG,
      ...(FFPROBE ? { ffprobePath: FFPROBE } : {})
    })
  )
  if (copy.value.mode !== 'copy') throw new Error(`expected the copy path, got ${copy.value.mode}`)
  const cp = await timed(() =>
    spawnAndWait('cp', [join(projectDir, basename(src)), join(work, 'cp.mkv')])
  )

  const mb = (file: string): string => `${(statSync(file).size / 1024 / 1024).toFixed(1)} MB`
  const lines = [
    `source: ${SECONDS} s 1920×1080 30 fps H.264/Opus MKV (${mb(src)}); ffmpeg ${FFMPEG}`,
    `edited export (5 callouts, 1 blur, 2 cuts; Source size, Standard) → ${fmt(outputMs)} of video`,
    `  Sidecast (runExport), median of ${ROUNDS}: ${fmt(sidecast.ms)}`,
    `  same ffmpeg command by hand, median:   ${fmt(byHand.ms)}`,
    `  overhead ratio:              ${(sidecast.ms / byHand.ms).toFixed(3)} (goal ≤ 1.05)`,
    `  realtime factor:             ${(outputMs / sidecast.ms).toFixed(2)}× (goal ≥ 4×)`,
    `no-edit copy path (H.264 source → MP4, ${mb(join(work, 'copy.mp4'))})`,
    `  Sidecast (stream copy):      ${fmt(copy.ms)}`,
    `  cp of the same file:         ${fmt(cp.ms)}`,
    `  ratio:                       ${(copy.ms / cp.ms).toFixed(2)}`
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

/** Length of the encoded clip the smart-rendering source repeats. */
const CLIP_SECONDS = 60

/**
 * The cached MediaRecorder-like source for smart rendering: what Chromium's recorder writes for
 * H.264 (Constrained Baseline, full-range yuvj420p, a keyframe every second as the recorder asks
 * for, Opus, Matroska with a millisecond timebase). A 60 s clip is encoded and then repeated by
 * stream copy (every GOP is closed, so the joins are clean): encoding ten minutes of 1080p on a
 * busy two-core machine took most of an hour.
 */
async function recorderLikeSource(): Promise<string> {
  mkdirSync(cacheDir, { recursive: true })
  const file = join(cacheDir, `recorder-like-${SMART_SECONDS}s.mkv`)
  if (existsSync(file)) return file
  process.stdout.write(
    `generating the ${SMART_SECONDS} s 1080p MediaRecorder-like source (cached in ${cacheDir})…\n`
  )
  const clip = join(cacheDir, `recorder-like-clip-${CLIP_SECONDS}s.mkv`)
  if (!existsSync(clip)) {
    const graph = [
      'color=c=0xf4f5f7:s=1920x1080:r=30[bg]',
      'testsrc2=s=480x270:r=30[pattern]',
      'color=c=0x3b82f6:s=600x80:r=30[bar]',
      "[bg][pattern]overlay=x='100+mod(t*120,1200)':y='160+80*sin(t)'[a]",
      "[a][bar]overlay=x='1920-mod(t*200,2520)':y=900[v]"
    ].join(';')
    const clipPart = `${clip}.part`
    // prettier-ignore
    await run(FFMPEG, [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'nullsrc=s=16x16:r=30',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-filter_complex', graph, '-map', '[v]', '-map', '1:a',
      '-t', String(CLIP_SECONDS),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-level', '4.0',
      '-pix_fmt', 'yuvj420p', '-b:v', '4300k', '-maxrate', '5000k', '-bufsize', '5000k',
      '-g', '30', '-keyint_min', '30', '-sc_threshold', '0',
      '-c:a', 'libopus', '-b:a', '128k',
      '-f', 'matroska', clipPart
    ], { maxBuffer: 16 * 1024 * 1024 })
    copyFileSync(clipPart, clip)
    rmSync(clipPart)
  }
  const list = join(cacheDir, 'recorder-like-list.txt')
  const repeats = Math.ceil(SMART_SECONDS / CLIP_SECONDS)
  writeFileSync(list, `file '${clip}'\n`.repeat(repeats))
  const part = `${file}.part`
  // A Matroska remux by this ffmpeg moves the video 7 ms later each time (Opus's pre-skip), and
  // smart rendering rightly refuses a recording whose first keyframe is not at its start: the
  // video input is moved back so the copy starts as the encoded clip does.
  // prettier-ignore
  await run(FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-itsoffset', '-0.007', '-f', 'concat', '-safe', '0', '-i', list,
    '-f', 'concat', '-safe', '0', '-i', list,
    '-map', '0:v', '-map', '1:a', '-t', String(SMART_SECONDS),
    '-c', 'copy', '-f', 'matroska', part
  ], { maxBuffer: 16 * 1024 * 1024 })
  copyFileSync(part, file)
  rmSync(part)
  rmSync(list)
  return file
}

/** Three callouts of 3 s, one blur of 5 s, two cuts (of 20 s and 10 s), spread over the file. */
function smartEdits(durationMs: number): Edits {
  const at = (f: number): number => Math.round(durationMs * f)
  return {
    version: 2,
    keep: [
      [0, at(0.3)],
      [at(0.3) + 20_000, at(0.7)],
      [at(0.7) + 10_000, durationMs]
    ],
    annotations: [
      {
        id: 'c1',
        type: 'callout',
        startMs: at(0.1) + 400,
        endMs: at(0.1) + 3_400,
        x: 0.55,
        y: 0.1,
        w: 0.3,
        h: 0.12,
        text: 'Click here to sign in'
      },
      {
        id: 'c2',
        type: 'arrow',
        startMs: at(0.45) + 700,
        endMs: at(0.45) + 3_700,
        x1: 0.6,
        y1: 0.6,
        x2: 0.4,
        y2: 0.3
      },
      {
        id: 'c3',
        type: 'rect',
        startMs: at(0.8),
        endMs: at(0.8) + 3_000,
        x: 0.1,
        y: 0.1,
        w: 0.3,
        h: 0.2
      },
      {
        id: 'b1',
        type: 'blur',
        startMs: at(0.6) + 250,
        endMs: at(0.6) + 5_250,
        x: 0.72,
        y: 0.25,
        w: 0.2,
        h: 0.4
      }
    ]
  }
}

async function smartPart(): Promise<void> {
  const src = await recorderLikeSource()
  const durationMs = SMART_SECONDS * 1000
  const projectDir = join(work, 'smart-project')
  mkdirSync(projectDir)
  copyFileSync(src, join(projectDir, basename(src)))
  const recording: RecordingFacts = {
    ...facts(src),
    mimeType: 'video/webm;codecs=h264,opus',
    durationMs
  }
  const edits = smartEdits(durationMs)
  /** The last smart export's steps and their times (the audio runs beside the video ones). */
  const steps: string[] = []
  const exportWith = (
    smart: boolean,
    name: string
  ): Promise<{ ms: number; value: ExportResult }> => {
    // Every 10 % of a run: on a busy machine the full export's rate is known long before its end.
    const started = Date.now()
    steps.length = 0
    let reported = 0
    return timed(() =>
      runExport({
        projectDir,
        facts: recording,
        edits,
        preset: { size: 'source', quality: 'standard' },
        outFile: join(work, name),
        ffmpegPath: FFMPEG,
        ...(FFPROBE ? { ffprobePath: FFPROBE } : {}),
        smart,
        onStep: (step, ms) => {
          steps.push(`${step} ${(ms / 1000).toFixed(1)} s`)
        },
        onProgress: ({ fraction, outTimeMs }) => {
          if (fraction < reported + 0.1) return
          reported = Math.floor(fraction * 10) / 10
          const s = (Date.now() - started) / 1000
          process.stdout.write(
            `    ${smart ? 'smart' : 'full'} ${Math.round(fraction * 100)} % after ${s.toFixed(0)} s ` +
              `(${(outTimeMs / 1000 / s).toFixed(1)}× real time so far, load ${loadavg()[0]!.toFixed(1)})\n`
          )
        }
      })
    )
  }
  const mb = (file: string): string => `${(statSync(file).size / 1024 / 1024).toFixed(1)} MB`
  const load = (): string => `load ${loadavg()[0]!.toFixed(1)}`
  const rt = (run: { ms: number; value: ExportResult }): string =>
    `${(run.value.durationMs / run.ms).toFixed(1)}×`
  const say = (line: string): boolean => process.stdout.write(`${line}\n`)
  // Each figure as soon as it is known: the full export takes minutes on a busy machine.
  say(
    `smart rendering: ${SMART_SECONDS} s 1920×1080 MediaRecorder-like H.264/Opus (${mb(src)}), ` +
      '3 callouts of 3 s, 1 blur of 5 s, 2 cuts'
  )
  // What Sidecast does in the background when a recording is finished: the recording's audio,
  // encoded to AAC once (timeline-audio.ts), which every later export copies from.
  const cacheDir = join(projectDir, CACHE_FOLDER)
  const input = join(projectDir, basename(src))
  const prepare = await timed(() =>
    preparedAudio({
      ffmpegPath: FFMPEG,
      input,
      cacheDir,
      bitrate: QUALITY_PARAMS.standard.audioBitrate,
      // As the app's background job after Stop passes it: a 10-minute recording in two halves.
      durationMs
    })
  )
  say(
    `  audio prepared once per recording (in the background after Stop): ${fmt(prepare.ms)}, ` +
      `${(durationMs / prepare.ms).toFixed(1)}× real time (${load()})`
  )
  const audioHow = (run: { value: ExportResult }): string =>
    `audio ${run.value.audio.how}${run.value.audio.why ? ` (${run.value.audio.why})` : ''}`
  const smart = await exportWith(true, 'smart.mp4')
  const render = smart.value.render
  const how =
    render.mode === 'smart'
      ? `smart, ${(render.copiedFraction * 100).toFixed(1)} % copied, ${audioHow(smart)}`
      : `FELL BACK to full: ${render.reason ?? '?'}`
  say(
    `  smart export (${how}) → ${fmt(smart.value.durationMs)}: ${fmt(smart.ms)}, ` +
      `${rt(smart)} real time (goal ≥ 30×; ${load()})`
  )
  say(`    steps: ${steps.join(', ')}`)
  const copy = await timed(() =>
    runExport({
      projectDir,
      facts: recording,
      edits: emptyEdits(),
      preset: { size: 'source', quality: 'standard' },
      outFile: join(work, 'smart-copy.mp4'),
      ffmpegPath: FFMPEG,
      ...(FFPROBE ? { ffprobePath: FFPROBE } : {})
    })
  )
  say(
    `  no-edit copy path (${copy.value.mode}, ${audioHow(copy)}, ${mb(join(work, 'smart-copy.mp4'))}): ` +
      `${fmt(copy.ms)}, ${rt(copy)} real time (goal ≥ 100×; ${load()})`
  )
  // An export started before the background job is done waits for it (or starts it).
  rmSync(cacheDir, { recursive: true, force: true })
  const cold = await exportWith(true, 'smart-cold.mp4')
  say(
    `  smart export with the audio not yet prepared (${audioHow(cold)}): ${fmt(cold.ms)}, ` +
      `${rt(cold)} real time (${load()})`
  )
  say(`    steps: ${steps.join(', ')}`)
  const full = await exportWith(false, 'full.mp4')
  say(
    `  full export (${full.value.render.mode}): ${fmt(full.ms)}, ${rt(full)} real time (${load()})`
  )
  say(`  smart vs full: ${(full.ms / smart.ms).toFixed(1)}× faster (goal ≥ 10×)`)
}

/** The cached camera recording: 1280×720 30 fps VP8 WebM, a moving pattern, BENCH_SECONDS long. */
async function cameraSource(): Promise<string> {
  mkdirSync(cacheDir, { recursive: true })
  const file = join(cacheDir, `camera-${SECONDS}s-720p.webm`)
  if (existsSync(file)) return file
  process.stdout.write(
    `generating the ${SECONDS} s 720p camera recording (cached in ${cacheDir})…\n`
  )
  const part = `${file}.part`
  // prettier-ignore
  await run(FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=30', '-t', String(SECONDS),
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '2500k', '-g', '60',
    '-f', 'webm', part
  ], { maxBuffer: 16 * 1024 * 1024 })
  copyFileSync(part, file)
  rmSync(part)
  return file
}

async function bubblePart(): Promise<void> {
  const src = await source()
  const camera = await cameraSource()
  const projectDir = join(work, 'bubble-project')
  mkdirSync(projectDir)
  copyFileSync(src, join(projectDir, basename(src)))
  copyFileSync(camera, join(projectDir, 'camera.webm'))
  const ffprobe = FFPROBE ?? 'ffprobe'
  // prettier-ignore
  const probed = await run(ffprobe, [
    '-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', camera
  ])
  const plain = facts(src)
  const withCamera: RecordingFacts = {
    ...plain,
    camera: {
      file: 'camera.webm',
      container: 'webm',
      mimeType: 'video/webm;codecs=vp8',
      deviceName: 'Generated camera',
      offsetMs: 300,
      videoCodec: 'vp8',
      width: 1280,
      height: 720,
      durationMs: Math.round(Number(probed.stdout.trim()) * 1000)
    }
  }
  const say = (line: string): boolean => process.stdout.write(`${line}\n`)
  const load = (): string => `load ${loadavg()[0]!.toFixed(1)}`
  const exportOf = (
    recording: RecordingFacts,
    edits: Edits,
    name: string
  ): Promise<{ ms: number; value: ExportResult }> =>
    timed(() =>
      runExport({
        projectDir,
        facts: recording,
        edits,
        preset: { size: 'source', quality: 'standard' },
        outFile: join(work, name),
        ffmpegPath: FFMPEG,
        ...(FFPROBE ? { ffprobePath: FFPROBE } : {}),
        // The edited export as in step 1; the no-edit one as the app does it.
        smart: edits.annotations.length === 0
      })
    )
  say(
    `camera bubble: ${SECONDS} s 1920×1080 source + ${SECONDS} s 1280×720 30 fps VP8 camera ` +
      '(default bubble: circle, 22 % of the height, shown throughout)'
  )
  // Alternating, after one warm-up each, so neither side alone pays for a busy moment.
  const edited = benchEdits()
  await exportOf(plain, edited, 'bubble-warm-without.mp4')
  const warm = await exportOf(withCamera, edited, 'bubble-warm-with.mp4')
  if (warm.value.bubble?.shown !== true) {
    throw new Error(`expected the bubble to be drawn: ${JSON.stringify(warm.value.bubble)}`)
  }
  const without: number[] = []
  const withBubble: number[] = []
  const loads: string[] = []
  for (let i = 1; i <= ROUNDS; i++) {
    without.push((await exportOf(plain, edited, `bubble-without-${i}.mp4`)).ms)
    withBubble.push((await exportOf(withCamera, edited, `bubble-with-${i}.mp4`)).ms)
    loads.push(loadavg()[0]!.toFixed(1))
  }
  const outputMs = warm.value.durationMs
  const a = median(without)
  const b = median(withBubble)
  say(`  edited export (5 callouts, 1 blur, 2 cuts; full re-encode) → ${fmt(outputMs)} of video`)
  say(
    `    without the camera, median of ${ROUNDS}: ${fmt(a)}, ${(outputMs / a).toFixed(2)}× real time`
  )
  say(
    `    with the bubble,    median of ${ROUNDS}: ${fmt(b)}, ${(outputMs / b).toFixed(2)}× real time`
  )
  say(`    bubble cost: ×${(b / a).toFixed(2)} (+${fmt(b - a)}); loads ${loads.join(', ')}`)
  const copy = await exportOf(plain, emptyEdits(), 'bubble-copy.mp4')
  const drawn = await exportOf(withCamera, emptyEdits(), 'bubble-noedit.mp4')
  say(
    `  no edits: without the camera ${copy.value.mode} ${fmt(copy.ms)}; with the bubble ` +
      `${drawn.value.mode} (${drawn.value.render.reason ?? 'smart'}) ${fmt(drawn.ms)}, ` +
      `${(drawn.value.durationMs / drawn.ms).toFixed(2)}× real time (${load()})`
  )
}

process.stdout.write(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`
)
if (PARTS.has('full')) await fullPart()
if (PARTS.has('smart')) await smartPart()
if (PARTS.has('bubble')) await bubblePart()
