/**
 * Runs exports for the app: one at a time (two x264 encodes on two cores would each take twice
 * as long, so queueing gains nothing), reports progress as `export:progress` events throttled
 * to a few a second, and cancels cleanly. The pipeline itself is runExport; this file only
 * decides the output's name, guards against overlapping runs and turns the outcome into events.
 */
import { randomUUID } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Edits } from '../../shared/edits'
import {
  type ExportPresetRequest,
  type ExportProgressEvent,
  type ExportStartResult
} from '../../shared/ipc'
import { SidecastError } from '../../shared/errors'
import { EXPORTS_FOLDER, type RecordingFacts } from '../../shared/project'
import { QUALITY_PARAMS, parseExportPreset } from '../../engine/presets'
import { DEFAULT_EXPORT_PRESET, type ExportPreset } from '../../shared/export-preset'
import { CACHE_FOLDER, preparedAudio, stopPreparingAudio } from '../../engine/timeline-audio'
import {
  runExport,
  smartRenderEnabled,
  type ExportResult,
  type RunExportOptions
} from '../../engine/run-export'
import { errorMessage } from '../../engine/error-details'
import { readEdits } from '../projects/edits-store'
import { requireFinished } from '../projects/project-catalogue'
import {
  exportFingerprint,
  findExport as findExportIn,
  recordExportSource,
  recordingIdentity
} from './export-fingerprint'

// The renderer's preset type must accept every preset main knows.
const _presetFits: ExportPresetRequest = {} as ExportPreset
void _presetFits

export interface ExportServiceOptions {
  /** Where projects are and what they hold. */
  readonly projects: {
    readFacts(id: string): Promise<RecordingFacts>
    projectDir(id: string): string
  }
  /** The ffmpeg binary to run; throws a SidecastError saying why when there is none. */
  readonly ffmpegPath: () => string
  /** The ffprobe found with it (smart rendering's GOP index); default: the one beside ffmpeg. */
  readonly ffprobePath?: () => string
  /** The callout font folder; undefined lets runExport find it (only asked for when needed). */
  readonly fontDir?: () => string | undefined
  /** Receives every progress event (sent to the renderer as `export:progress`). */
  readonly emit: (event: ExportProgressEvent) => void
  /** The project's saved edits; default readEdits from `edits.json`. */
  readonly readEdits?: (projectDir: string, durationMs?: number) => Promise<Edits>
  /** The pipeline; tests inject a fake. Default runExport. */
  readonly runExport?: (options: RunExportOptions) => Promise<ExportResult>
  /** Least time between two `running` events; default 250 ms (4 a second). */
  readonly progressIntervalMs?: number
  /** Clock for the throttle; tests inject it. */
  readonly now?: () => number
  /**
   * Smart rendering (copy the stretches no edit touches) unless a request says otherwise;
   * default: on, unless the environment has `SIDECAST_SMART_RENDER=0`.
   */
  readonly smart?: boolean
}

/** For exports made on behalf of another service (the upload queue), not the user. */
export interface ExportStartOptions {
  /** Write exactly this file instead of a new name in `<project>/exports/`. */
  readonly outFile?: string
  /** Receives this export's events instead of `emit` (so they do not reach the renderer). */
  readonly onEvent?: (event: ExportProgressEvent) => void
  /** False forces a full re-encode of every frame; default: the service's `smart`. */
  readonly smart?: boolean
}

export interface ExportService {
  /**
   * Starts exporting a project's saved edits; resolves once the export is under way. Throws
   * 'export-busy' while another export runs and 'still-recording' for an unfinished recording.
   */
  start(
    projectId: string,
    preset: unknown,
    startOptions?: ExportStartOptions
  ): Promise<ExportStartResult>
  /** Stops a running export and removes its partial file; a no-op once it has ended. */
  cancel(exportId: string): void
  /** The finished file of a `done` export, or null. */
  finishedFile(exportId: string): string | null
  /**
   * A finished export of the project's current edits, recording and `preset` (its fingerprint
   * matches: export-fingerprint.ts), or null. The upload queue sends it instead of exporting again.
   */
  findExport(projectId: string, preset: ExportPreset): Promise<string | null>
  /**
   * Starts preparing a finished recording's audio for fast exports (timeline-audio.ts), in the
   * background at a low priority. Nothing waits on it; if it fails, the first export that needs
   * the audio prepares it (or encodes the audio whole). Resolves when it has ended (never rejects).
   */
  prepareAudio(projectId: string): Promise<void>
  /** The running export, if any. */
  current(): { readonly exportId: string; readonly projectId: string } | null
  /** Resolves when no export is running. */
  idle(): Promise<void>
  /** Cancels a running export and waits until its partial file is gone. */
  shutdown(): Promise<void>
}

/** A file-name-safe slug of a title: "Recording 2026-11-29 14:03" → "recording-2026-11-29-14-03". */
export function titleSlug(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '')
  return slug || 'recording'
}

/** The export's file name before collisions: `<title-slug>-<size>-<quality>.mp4`. */
export function exportFileName(title: string, preset: ExportPreset): string {
  return `${titleSlug(title)}-${preset.size}-${preset.quality}.mp4`
}

async function taken(path: string): Promise<boolean> {
  const [file, part] = await Promise.all([
    stat(path).catch(() => null),
    stat(`${path}.part`).catch(() => null)
  ])
  return file !== null || part !== null
}

/** `dir/name`, or `dir/stem (2).mp4`, `(3)`, … so an earlier export is never overwritten. */
export async function uniqueExportPath(dir: string, name: string): Promise<string> {
  const dot = name.lastIndexOf('.')
  const stem = dot > 0 ? name.slice(0, dot) : name
  const ext = dot > 0 ? name.slice(dot) : ''
  for (let n = 1; ; n++) {
    const candidate = join(dir, n === 1 ? name : `${stem} (${n})${ext}`)
    if (!(await taken(candidate))) return candidate
  }
}

interface Running {
  readonly exportId: string
  readonly projectId: string
  readonly controller: AbortController
  /** Settles when the export has ended (or failed to start) and the slot is free again. */
  readonly done: Promise<void>
}

export function createExportService(options: ExportServiceOptions): ExportService {
  const run = options.runExport ?? runExport
  const read = options.readEdits ?? readEdits
  const now = options.now ?? Date.now
  const interval = options.progressIntervalMs ?? 250
  const smartDefault = options.smart ?? smartRenderEnabled(process.env)
  const finished = new Map<string, string>()
  let running: Running | null = null

  function busyError(projectId: string): SidecastError {
    return new SidecastError(
      'export-busy',
      running?.projectId === projectId
        ? 'This recording is already being exported. Wait for it to finish or cancel it first.'
        : 'Another recording is being exported. Wait for it to finish or cancel it, then export this one.'
    )
  }

  async function prepare(projectId: string, presetArg: unknown, fixedOutFile?: string) {
    const preset = parseExportPreset(presetArg)
    const facts = requireFinished(
      await options.projects.readFacts(projectId),
      false,
      'This recording is still being recorded. Stop it first, then export it.'
    )
    const projectDir = options.projects.projectDir(projectId)
    const edits = await read(projectDir, facts.durationMs)
    const ffmpegPath = options.ffmpegPath()
    const ffprobePath = options.ffprobePath?.()
    const outFile =
      fixedOutFile ??
      (await uniqueExportPath(
        join(projectDir, EXPORTS_FOLDER),
        exportFileName(facts.title, preset)
      ))
    // What the export is made from, taken before it starts (a later change makes another).
    const identity = await recordingIdentity(projectDir, facts)
    const fingerprint = identity ? exportFingerprint(edits, identity, preset) : null
    return { preset, facts, projectDir, edits, ffmpegPath, ffprobePath, outFile, fingerprint }
  }

  async function start(
    projectId: string,
    presetArg: unknown,
    startOptions: ExportStartOptions = {}
  ): Promise<ExportStartResult> {
    if (running) throw busyError(projectId)
    const emit = startOptions.onEvent ?? options.emit
    // Claimed before the first await, so two quick clicks cannot both get through.
    let release = (): void => undefined
    const job: Running = {
      exportId: randomUUID(),
      projectId,
      controller: new AbortController(),
      done: new Promise<void>((resolve) => (release = resolve))
    }
    running = job
    const end = (): void => {
      running = null
      release()
    }
    let prepared: Awaited<ReturnType<typeof prepare>>
    try {
      prepared = await prepare(projectId, presetArg, startOptions.outFile)
    } catch (error) {
      end()
      throw error
    }
    const { outFile } = prepared
    const base = { exportId: job.exportId, projectId, outFile }
    let lastSent = now()
    emit({ ...base, fraction: 0, etaMs: null, state: 'running' })

    const fontDir = options.fontDir?.()
    void run({
      projectDir: prepared.projectDir,
      facts: prepared.facts,
      edits: prepared.edits,
      preset: prepared.preset,
      outFile,
      ffmpegPath: prepared.ffmpegPath,
      ...(prepared.ffprobePath ? { ffprobePath: prepared.ffprobePath } : {}),
      signal: job.controller.signal,
      smart: startOptions.smart ?? smartDefault,
      ...(fontDir !== undefined ? { fontDir } : {}),
      onProgress: ({ fraction, etaMs }) => {
        const t = now()
        if (t - lastSent < interval) return
        lastSent = t
        emit({ ...base, fraction, etaMs, state: 'running' })
      }
    }).then(
      async (result) => {
        // The user's own exports say what they were made from, so an upload can reuse them.
        if (!startOptions.outFile && prepared.fingerprint) {
          await recordExportSource(
            prepared.projectDir,
            result.outFile,
            prepared.fingerprint,
            result.sizeBytes
          ).catch(() => undefined)
        }
        end()
        finished.set(job.exportId, result.outFile)
        emit({
          ...base,
          outFile: result.outFile,
          fraction: 1,
          etaMs: 0,
          state: 'done',
          sizeBytes: result.sizeBytes,
          ...(result.render ? { render: result.render } : {}),
          ...(result.bubble?.why ? { warning: sentence(result.bubble.why) } : {})
        })
      },
      (error: unknown) => {
        end()
        const cancelled =
          job.controller.signal.aborted ||
          (error instanceof SidecastError && error.code === 'cancelled')
        emit({
          ...base,
          fraction: 0,
          etaMs: null,
          state: cancelled ? 'cancelled' : 'failed',
          ...(cancelled ? {} : { error: errorMessage(error) })
        })
      }
    )
    return { exportId: job.exportId, outFile }
  }

  return {
    start,
    cancel(exportId) {
      if (running?.exportId === exportId) running.controller.abort()
    },
    finishedFile: (exportId) => finished.get(exportId) ?? null,
    async findExport(projectId, preset) {
      const facts = await options.projects.readFacts(projectId)
      if (facts.status === 'recording') return null
      const projectDir = options.projects.projectDir(projectId)
      const identity = await recordingIdentity(projectDir, facts)
      if (!identity) return null
      const edits = await read(projectDir, facts.durationMs)
      return findExportIn(projectDir, exportFingerprint(edits, identity, parseExportPreset(preset)))
    },
    async prepareAudio(projectId) {
      if (!smartDefault) return
      await (async () => {
        const facts = await options.projects.readFacts(projectId)
        if (facts.status === 'recording' || !facts.audioCodec || facts.audioCodec === 'aac') return
        const projectDir = options.projects.projectDir(projectId)
        await preparedAudio({
          ffmpegPath: options.ffmpegPath(),
          input: join(projectDir, facts.file),
          cacheDir: join(projectDir, CACHE_FOLDER),
          bitrate: QUALITY_PARAMS[DEFAULT_EXPORT_PRESET.quality].audioBitrate,
          lowPriority: true,
          ...(facts.durationMs ? { durationMs: facts.durationMs } : {})
        })
      })().catch((error: unknown) =>
        console.warn(`[export] could not prepare the audio of ${projectId}: ${errorMessage(error)}`)
      )
    },
    current: () => (running ? { exportId: running.exportId, projectId: running.projectId } : null),
    async idle() {
      while (running) await running.done
    },
    async shutdown() {
      running?.controller.abort()
      while (running) await running.done
      await stopPreparingAudio()
    }
  }
}

/** A reason as a sentence: capital first letter, full stop. */
function sentence(text: string): string {
  const trimmed = text.trim()
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1)
  return /[.!?]$/.test(capital) ? capital : `${capital}.`
}
