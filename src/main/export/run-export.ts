/**
 * Runs one export: rasterises the callout PNGs the plan asks for, runs the planned ffmpeg job
 * into `<out>.part`, and renames it into place only when it is complete, so a half-written
 * export never looks like a finished one. Cancel and failure remove the partial file.
 */
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { drawOverlay } from '../../shared/callouts/draw'
import type { Edits } from '../../shared/edits'
import { SidecastError } from '../../shared/errors'
import type { RecordingFacts } from '../../shared/project'
import { runFfmpegArgs } from '../ffmpeg/run-ffmpeg'
import { fontDir as defaultFontDir, rasterizeOverlayCropped } from './callout-raster'
import { planExport, type ExportPlan, type OverlayPlan, type OverlayPosition } from './export-plan'
import type { ExportPreset } from '../../shared/export-preset'

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
}

export interface ExportResult {
  readonly outFile: string
  readonly sizeBytes: number
  /** The output's planned length, ms. */
  readonly durationMs: number
  readonly mode: ExportPlan['mode']
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

export async function runExport(options: RunExportOptions): Promise<ExportResult> {
  const { facts, edits, preset, outFile, signal } = options
  const partFile = `${outFile}.part`
  const workDir = await mkdtemp(join(tmpdir(), 'sidecast-export-'))
  try {
    const planOptions = {
      facts,
      edits,
      preset,
      inputPath: join(options.projectDir, facts.file),
      outputPath: partFile,
      overlayDir: workDir
    }
    // The overlays are known from the plan, and their crop positions only once drawn.
    const overlayPositions = await writeOverlays(
      planExport(planOptions).overlays,
      workDir,
      edits,
      { width: facts.width ?? 1, height: facts.height ?? 1 },
      options.fontDir
    )
    const plan = planExport({ ...planOptions, overlayPositions })
    await mkdir(dirname(outFile), { recursive: true })
    options.onPlan?.(plan)
    const started = Date.now()
    await runFfmpegArgs(options.ffmpegPath, plan.args, {
      signal,
      task: 'export the video',
      errorCode: 'export-failed',
      onProgress: ({ outTimeMs }) => {
        const fraction = Math.min(1, outTimeMs / Math.max(1, plan.outputDurationMs))
        options.onProgress?.({
          fraction,
          outTimeMs,
          etaMs: estimateEtaMs(fraction, Date.now() - started)
        })
      }
    }).catch((error: unknown) => {
      if (error instanceof SidecastError && error.code === 'export-failed') {
        throw new SidecastError(
          'export-failed',
          `The export failed (the recording is safe). ${error.message}`
        )
      }
      throw error
    })
    const written = await stat(partFile).catch(() => null)
    if (!written || written.size === 0) {
      throw new SidecastError(
        'export-failed',
        'The export failed: ffmpeg finished but wrote no video. The recording is safe; try again or choose another ffmpeg in Settings.'
      )
    }
    await rename(partFile, outFile)
    options.onProgress?.({ fraction: 1, outTimeMs: plan.outputDurationMs, etaMs: 0 })
    return {
      outFile,
      sizeBytes: written.size,
      durationMs: plan.outputDurationMs,
      mode: plan.mode
    }
  } catch (error) {
    await rm(partFile, { force: true })
    throw error
  } finally {
    await rm(workDir, { recursive: true, force: true })
  }
}
