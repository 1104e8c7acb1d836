/**
 * Runs one export: rasterises the callout PNGs the plan asks for, renders into `<out>.part`, and
 * renames it into place only when it is complete, so a half-written export never looks like a
 * finished one. Cancel and failure remove the partial file.
 *
 * Smart rendering first (smart-plan.ts): copy the GOPs no edit touches, re-encode the rest,
 * verify. When it cannot be proven safe for this file — or it fails, or its result does not
 * verify — the export falls back by itself to the full re-encode (export-plan.ts), and the
 * result's `render` says which it did and why.
 */
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { drawOverlay } from '../shared/callouts/draw'
import type { Edits } from '../shared/edits'
import { SidecastError } from '../shared/errors'
import type { RecordingFacts } from '../shared/project'
import type { RenderSummary } from '../shared/ipc'
import { ffprobeBeside } from './smart-probes'
import { runFfmpegArgs } from './run-ffmpeg'
import { probeGopIndex } from './smart-probes'
import { verifyRender } from './render-verify'
import { planSmart, type SmartPlan } from './smart-plan'
import { smartRender, type SmartStep } from './smart-render'
import {
  fontDir as defaultFontDir,
  rasterizeOverlayCropped,
  rasterizeShape
} from './callout-raster'
import { bubbleShownOnRecording, bubbleSvgs, type BubblePlan } from './bubble-plan'
import {
  COMMON_HEAD,
  COMMON_TAIL,
  planExport,
  type ExportPlan,
  type OverlayPlan,
  type OverlayPosition
} from './export-plan'
import { QUALITY_PARAMS } from './presets'
import { CACHE_FOLDER, exportAudio, type TimelineAudio } from './timeline-audio'
import { normalizeKeep } from '../shared/timeline'
import type { ExportPreset } from '../shared/export-preset'

export interface ExportProgress {
  /** 0–1 of the output written. */
  readonly fraction: number
  /** Output time written so far, ms. */
  readonly outTimeMs: number
  /** Estimated time left, ms, or null until there is enough progress to tell. */
  readonly etaMs: number | null
}

export interface RunExportOptions {
  /** The project folder; the recording is `facts.file` inside it. */
  readonly projectDir: string
  readonly facts: RecordingFacts
  readonly edits: Edits
  readonly preset: ExportPreset
  /** The finished MP4's path; its folder is created when missing. */
  readonly outFile: string
  /** Absolute path of the ffmpeg binary (see locateFfmpeg). */
  readonly ffmpegPath: string
  readonly onProgress?: (progress: ExportProgress) => void
  /** Cancels the export: ffmpeg is stopped and the partial file removed; rejects 'cancelled'. */
  readonly signal?: AbortSignal
  /** Folder of the callout fonts; default fontDir(). */
  readonly fontDir?: string
  /** Called with the plan before ffmpeg starts (the benchmark reruns its command by hand). */
  readonly onPlan?: (plan: ExportPlan) => void
  /**
   * Smart rendering (copy what no edit touches); default true. False forces a full re-encode of
   * every frame (`SIDECAST_SMART_RENDER=0`, `npm run render -- --full`).
   */
  readonly smart?: boolean
  /** ffprobe for the GOP index; default: the one beside `ffmpegPath` (ffprobeBeside). */
  readonly ffprobePath?: string
  /** Called with the smart plan when there is one (the benchmark reports it). */
  readonly onSmartPlan?: (plan: SmartPlan) => void
  /** Runs on the smart result before it is verified; tests break it here to prove the fallback. */
  readonly beforeVerify?: (file: string) => Promise<void>
  /**
   * Where the recording's prepared audio is kept (timeline-audio.ts); default the project's
   * `cache/`. Null encodes the audio whole, as before prepared audio.
   */
  readonly cacheDir?: string | null
  /** How long each smart-rendering step took, ms (the benchmark shows where the time goes). */
  readonly onStep?: (step: SmartStep, ms: number) => void
}

export interface ExportResult {
  readonly outFile: string
  readonly sizeBytes: number
  /** The output's planned length, ms. */
  readonly durationMs: number
  /** `copy`: stream copy of an unedited recording; `smart`: copied and re-encoded stretches; `encode`: full re-encode. */
  readonly mode: ExportPlan['mode'] | 'smart'
  /** How it was rendered, for the export dialog. */
  readonly render: RenderSummary
  /**
   * How its audio was made: `spliced` from the prepared audio (timeline-audio.ts), `encoded`
   * whole, `copied` (already AAC), `none`; with why it was encoded when splicing was tried.
   */
  readonly audio: { readonly how: 'spliced' | 'encoded' | 'copied' | 'none'; readonly why?: string }
  /**
   * The camera bubble, for a recording with a camera (absent without one): `shown` when it is
   * composited somewhere in the output; else why not (hidden everywhere, cut, camera file
   * missing, camera length unknown), in words the export dialog can show.
   */
  readonly bubble?: { readonly shown: boolean; readonly why?: string }
}

/** Whether smart rendering is on for this environment: `SIDECAST_SMART_RENDER=0` turns it off. */
export function smartRenderEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env.SIDECAST_SMART_RENDER?.trim().toLowerCase()
  return !(value === '0' || value === 'false' || value === 'off' || value === 'no')
}

/** ETA from elapsed wall time; null early on, when a guess would jump around. */
export function estimateEtaMs(fraction: number, elapsedMs: number): number | null {
  if (fraction < 0.02 || elapsedMs < 500) return null
  if (fraction >= 1) return 0
  return Math.round((elapsedMs * (1 - fraction)) / fraction)
}

/** Rasterises each overlay cropped to what it draws; returns where each one goes in the frame. */
async function writeOverlays(
  overlays: readonly OverlayPlan[],
  dir: string,
  edits: Edits,
  frame: { width: number; height: number },
  fonts: string | undefined
): Promise<Record<string, OverlayPosition>> {
  const positions: Record<string, OverlayPosition> = {}
  if (overlays.length === 0) return positions
  const fontFolder = fonts ?? defaultFontDir()
  const byId = new Map(edits.annotations.map((a) => [a.id, a]))
  for (const overlay of overlays) {
    const annotations = overlay.annotationIds.flatMap((id) => byId.get(id) ?? [])
    const svg = drawOverlay(annotations, frame, { pixelPlaceholders: false })
    const { png, box } = rasterizeOverlayCropped(svg, frame, { fontDir: fontFolder })
    await writeFile(join(dir, overlay.file), png)
    positions[overlay.file] = { x: box.x, y: box.y }
  }
  return positions
}

/**
 * The facts the export plans with: a camera whose file is missing (or whose length was never
 * probed) is left out, so the export goes on without the bubble and says why.
 */
export function cameraForExport(
  projectDir: string,
  facts: RecordingFacts
): { facts: RecordingFacts; cameraPath?: string; missing?: string } {
  const camera = facts.camera
  if (!camera) return { facts }
  const { camera: _camera, ...without } = facts
  const cameraPath = resolve(projectDir, camera.file)
  if (!existsSync(cameraPath)) {
    return {
      facts: without,
      missing: `the camera recording (${camera.file}) is missing from the project folder, so the video was exported without the camera bubble`
    }
  }
  if (!camera.durationMs || camera.durationMs <= 0) {
    return {
      facts: without,
      missing:
        "the camera recording's length is not known (it could not be read), so the video was exported without the camera bubble"
    }
  }
  return { facts, cameraPath }
}

/** What the result says about the bubble (absent without a camera). */
function bubbleOutcome(
  facts: RecordingFacts,
  planFacts: RecordingFacts,
  edits: Edits,
  plan: BubblePlan | null,
  missing: string | undefined
): ExportResult['bubble'] {
  if (!facts.camera) return undefined
  if (missing) return { shown: false, why: missing }
  if (plan) return { shown: true }
  const shown = bubbleShownOnRecording(
    {
      width: planFacts.width ?? 1,
      height: planFacts.height ?? 1,
      durationMs: planFacts.durationMs ?? 0,
      ...(planFacts.camera ? { camera: planFacts.camera } : {})
    },
    edits.bubble
  )
  return {
    shown: false,
    why: shown
      ? 'the camera bubble shows only in parts that are cut'
      : 'the camera bubble is hidden wherever the camera recorded'
  }
}

/** Draws the bubble's mask and border ring into `dir`, where the plan's graph reads them. */
async function writeBubble(plan: BubblePlan | null, dir: string): Promise<void> {
  if (!plan) return
  const { mask, ring } = bubbleSvgs(plan)
  await writeFile(join(dir, plan.maskFile), rasterizeShape(mask))
  await writeFile(join(dir, plan.ringFile), rasterizeShape(ring))
}

export async function runExport(options: RunExportOptions): Promise<ExportResult> {
  const { edits, preset, outFile, signal } = options
  const partFile = `${outFile}.part`
  const workDir = await mkdtemp(join(tmpdir(), 'sidecast-export-'))
  const camera = cameraForExport(options.projectDir, options.facts)
  const facts = camera.facts
  try {
    const planOptions = {
      facts,
      edits,
      preset,
      inputPath: join(options.projectDir, facts.file),
      outputPath: partFile,
      overlayDir: workDir,
      ...(camera.cameraPath ? { cameraPath: camera.cameraPath } : {})
    }
    // The overlays are known from the plan, and their crop positions only once drawn.
    const firstPlan = planExport(planOptions)
    const overlayPositions = await writeOverlays(
      firstPlan.overlays,
      workDir,
      edits,
      { width: facts.width ?? 1, height: facts.height ?? 1 },
      options.fontDir
    )
    await writeBubble(firstPlan.bubble, workDir)
    const smartWanted = options.smart !== false
    const fullPlan = planExport({ ...planOptions, overlayPositions, forceEncode: !smartWanted })
    const bubble = bubbleOutcome(options.facts, facts, edits, fullPlan.bubble, camera.missing)
    await mkdir(dirname(outFile), { recursive: true })
    const started = Date.now()
    const progress = (fraction: number, outTimeMs: number): void =>
      options.onProgress?.({
        fraction,
        outTimeMs,
        etaMs: estimateEtaMs(fraction, Date.now() - started)
      })

    let render: RenderSummary
    let mode: ExportResult['mode'] = fullPlan.mode
    let smartDone = false
    const cacheDir =
      options.cacheDir === undefined ? join(options.projectDir, CACHE_FOLDER) : options.cacheDir
    const ffprobePath = options.ffprobePath ?? ffprobeBeside(options.ffmpegPath)
    let audio: ExportResult['audio'] = !facts.audioCodec
      ? { how: 'none' }
      : facts.audioCodec === 'aac' && fullPlan.mode === 'copy'
        ? { how: 'copied' }
        : { how: 'encoded' }
    let args = fullPlan.args
    if (fullPlan.mode === 'copy') {
      render = { mode: 'smart', copiedFraction: 1, reason: null }
      if (
        facts.audioCodec &&
        facts.audioCodec !== 'aac' &&
        smartWanted &&
        cacheDir &&
        ffprobePath
      ) {
        // The prepared audio, copied (usually made in the background after Stop).
        try {
          const spliced = await exportAudio({
            ffmpegPath: options.ffmpegPath,
            ffprobePath,
            input: planOptions.inputPath,
            cacheDir,
            bitrate: QUALITY_PARAMS[preset.quality].audioBitrate,
            keepMs: normalizeKeep(edits.keep, facts.durationMs ?? 0),
            durationMs: facts.durationMs ?? 0,
            workDir,
            ...(signal ? { signal } : {}),
            onProgress: (fraction) =>
              progress(fraction * 0.9, fraction * 0.9 * fullPlan.outputDurationMs)
          })
          args = copyWithAudioArgs(planOptions.inputPath, spliced, partFile)
          audio = { how: 'spliced' }
        } catch (error) {
          if (signal?.aborted) throw error
          audio = { how: 'encoded', why: errorText(error) }
        }
      }
    } else if (!smartWanted) {
      render = { mode: 'full', copiedFraction: 0, reason: 'a full re-encode was asked for' }
    } else {
      const attempt = await trySmart(
        { ...options, facts },
        camera.cameraPath,
        fullPlan,
        overlayPositions,
        workDir,
        partFile,
        progress,
        cacheDir
      )
      render = attempt.render
      smartDone = attempt.done
      if (smartDone) {
        mode = 'smart'
        audio = attempt.audio ?? audio
      }
    }

    if (!smartDone) {
      options.onPlan?.(fullPlan)
      const runArgs = (list: readonly string[], from: number): Promise<void> =>
        runFfmpegArgs(options.ffmpegPath, list, {
          signal,
          task: 'export the video',
          errorCode: 'export-failed',
          onProgress: ({ outTimeMs }) => {
            const fraction = Math.min(1, outTimeMs / Math.max(1, fullPlan.outputDurationMs))
            progress(from + fraction * (1 - from), outTimeMs)
          }
        })
      const attempt =
        args === fullPlan.args
          ? runArgs(args, 0)
          : // The copy with the prepared audio; should it fail, the plain copy encodes the audio.
            runArgs(args, 0.9).catch((error: unknown) => {
              if (signal?.aborted) throw error
              audio = { how: 'encoded', why: errorText(error) }
              return runArgs(fullPlan.args, 0)
            })
      await attempt.catch((error: unknown) => {
        if (error instanceof SidecastError && error.code === 'export-failed') {
          throw new SidecastError(
            'export-failed',
            `The export failed (the recording is safe). ${error.message}`
          )
        }
        throw error
      })
    }
    const written = await stat(partFile).catch(() => null)
    if (!written || written.size === 0) {
      throw new SidecastError(
        'export-failed',
        'The export failed: ffmpeg finished but wrote no video. The recording is safe; try again or choose another ffmpeg in Settings.'
      )
    }
    await rename(partFile, outFile)
    options.onProgress?.({ fraction: 1, outTimeMs: fullPlan.outputDurationMs, etaMs: 0 })
    return {
      outFile,
      sizeBytes: written.size,
      durationMs: fullPlan.outputDurationMs,
      mode,
      render,
      audio,
      ...(bubble ? { bubble } : {})
    }
  } catch (error) {
    await rm(partFile, { force: true })
    throw error
  } finally {
    await rm(workDir, { recursive: true, force: true })
  }
}

/**
 * Plans and runs a smart render into `partFile`; `done` false (with the reason) when the file
 * must be made by a full re-encode instead. Only a cancel is thrown.
 */
async function trySmart(
  options: RunExportOptions,
  cameraPath: string | undefined,
  fullPlan: ExportPlan,
  overlayPositions: Readonly<Record<string, OverlayPosition>>,
  workDir: string,
  partFile: string,
  progress: (fraction: number, outTimeMs: number) => void,
  cacheDir: string | null
): Promise<{ done: boolean; render: RenderSummary; audio?: ExportResult['audio'] }> {
  const { facts, edits, preset, signal } = options
  const full = (reason: string): { done: boolean; render: RenderSummary } => ({
    done: false,
    render: { mode: 'full', copiedFraction: 0, reason }
  })
  const input = join(options.projectDir, facts.file)
  const ffprobePath = options.ffprobePath ?? ffprobeBeside(options.ffmpegPath)
  let plan: SmartPlan = planSmart({ facts, edits, preset, index: null })
  // Cheap refusals (codec, size, quality) need no probe.
  if (!plan.smart && plan.reason !== "the recording's keyframes could not be read") {
    return full(plan.reason)
  }
  if (!ffprobePath) return full('ffprobe was not found next to ffmpeg')
  try {
    const index = await probeGopIndex(ffprobePath, input, signal)
    plan = planSmart({ facts, edits, preset, index })
  } catch (error) {
    if (signal?.aborted) throw error
    return full(`the recording's keyframes could not be read (${errorText(error)})`)
  }
  options.onSmartPlan?.(plan)
  if (!plan.smart) return full(plan.reason)

  const overlays = new Map<string, { file: string; at: OverlayPosition }>()
  for (const o of fullPlan.overlays) {
    const id = o.annotationIds[0]
    if (id) overlays.set(id, { file: o.file, at: overlayPositions[o.file] ?? { x: 0, y: 0 } })
  }
  const smartDir = join(workDir, 'smart')
  await mkdir(smartDir, { recursive: true })
  const outputMs = plan.outputDurationMs
  let audio: ExportResult['audio'] = facts.audioCodec
    ? { how: cacheDir ? 'spliced' : 'encoded' }
    : { how: 'none' }
  try {
    await smartRender({
      plan,
      facts,
      edits,
      preset,
      ffmpegPath: options.ffmpegPath,
      ffprobePath,
      cacheDir,
      onAudioFallback: (why) => {
        audio = { how: 'encoded', why }
      },
      ...(options.onStep ? { onStep: options.onStep } : {}),
      input,
      output: partFile,
      workDir: smartDir,
      overlays,
      overlayDir: workDir,
      ...(cameraPath ? { cameraPath } : {}),
      signal,
      // The last few percent are the verification.
      onProgress: (fraction) => progress(fraction * 0.97, fraction * outputMs)
    })
    await options.beforeVerify?.(partFile)
    const verifyStarted = performance.now()
    const problem = await verifyRender({
      ffmpegPath: options.ffmpegPath,
      ffprobePath,
      file: partFile,
      plan,
      signal
    })
    options.onStep?.('verify', performance.now() - verifyStarted)
    if (problem) {
      await rm(partFile, { force: true })
      return full(`the fast export did not verify: ${problem}`)
    }
  } catch (error) {
    if (signal?.aborted || (error instanceof SidecastError && error.code === 'cancelled')) {
      throw error
    }
    await rm(partFile, { force: true })
    return full(`the fast export failed: ${errorText(error)}`)
  } finally {
    await rm(smartDir, { recursive: true, force: true })
  }
  return {
    done: true,
    render: { mode: 'smart', copiedFraction: plan.copiedFraction, reason: null },
    audio
  }
}

/** The no-edit copy: the recording's video and the prepared audio, both copied. */
export function copyWithAudioArgs(input: string, audio: TimelineAudio, output: string): string[] {
  // prettier-ignore
  return [
    ...COMMON_HEAD,
    // The video keeps the recording's own times (ffmpeg would otherwise move them by the file's
    // start, which the audio input does not share), so the audio lands on the same clock.
    '-copyts',
    '-i', input,
    '-itsoffset', audio.offsetSeconds, '-f', 'aac', '-i', audio.file,
    '-map', '0:v:0', '-map', '1:a:0', '-c', 'copy',
    ...COMMON_TAIL, output
  ]
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
