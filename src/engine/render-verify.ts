/**
 * Checks a smart render before it is reported done: its video decodes without one error across
 * every join between a copied and a re-encoded stretch, and it lasts what the plan says within a
 * frame. The windows are pure (unit-tested); decoding is done by real ffmpeg.
 */
import { decodeErrors, videoDurationMs } from './smart-probes'
import type { SmartPlan } from './smart-plan'

type Smart = Extract<SmartPlan, { smart: true }>

/**
 * Decoded around a join: from just before it (the seek lands on the keyframe before that, so the
 * decoder crosses the join as a player does) to past the first GOP after it, where a decoder
 * that met the wrong parameter sets or references fails.
 */
const BEFORE_JOIN_MS = 250
const AFTER_JOIN_MS = 1200
/** Windows decoded at once (two cores). */
const PARALLEL = 2

/**
 * The stretches of the output to decode: around each join, merged where they overlap, or the
 * whole file (null) when the windows would cover most of it anyway.
 */
export function verifyWindows(
  joinsMs: readonly number[],
  durationMs: number
): (readonly [number, number])[] | null {
  const windows: [number, number][] = []
  for (const join of [...joinsMs].sort((a, b) => a - b)) {
    const start = Math.max(0, join - BEFORE_JOIN_MS)
    const end = Math.min(durationMs, join + AFTER_JOIN_MS)
    const last = windows[windows.length - 1]
    if (last && start <= last[1]) last[1] = Math.max(last[1], end)
    else windows.push([start, end])
  }
  const covered = windows.reduce((n, [a, b]) => n + (b - a), 0)
  return covered >= durationMs * 0.6 ? null : windows
}

/** The most one frame may account for in the duration check, ms. */
const MAX_FRAME_TOLERANCE_MS = 250

export interface VerifyOptions {
  readonly ffmpegPath: string
  readonly ffprobePath: string
  readonly file: string
  readonly plan: Smart
  readonly signal?: AbortSignal
}

/** Null when the file is good, else what is wrong with it, in words. */
export async function verifyRender(options: VerifyOptions): Promise<string | null> {
  const { plan, file, signal } = options
  const duration = await videoDurationMs(options.ffprobePath, file, signal).catch(() => NaN)
  // Within a frame: but with a variable frame rate (a screen recording on a busy machine) the frame
  // at a join or at the end may show for longer than the typical one, up to the recording's
  // longest (capped, so an output off by whole stretches still fails).
  const frame = Math.max(plan.frameMs, Math.min(plan.longestFrameMs, MAX_FRAME_TOLERANCE_MS))
  const tolerance = Math.max(frame, 1000 / 60)
  if (!Number.isFinite(duration)) return 'the result has no readable video stream'
  if (Math.abs(duration - plan.videoDurationMs) > tolerance) {
    return `its video lasts ${Math.round(duration)} ms instead of ${Math.round(plan.videoDurationMs)} ms`
  }
  const windows = verifyWindows(plan.joinsMs, plan.outputDurationMs) ?? [null]
  const check = async (window: readonly [number, number] | null): Promise<string | null> => {
    const errors = await decodeErrors(options.ffmpegPath, file, window, signal).catch(
      (error: unknown) => {
        if (signal?.aborted) throw error
        return error instanceof Error ? error.message : String(error)
      }
    )
    if (!errors) return null
    const where = window ? ` near ${(window[0] / 1000).toFixed(1)} s` : ''
    return `the result does not decode cleanly${where} (${errors.split('\n')[0]})`
  }
  for (let i = 0; i < windows.length; i += PARALLEL) {
    const problems = await Promise.all(windows.slice(i, i + PARALLEL).map(check))
    const problem = problems.find((p) => p !== null)
    if (problem) return problem
  }
  return null
}
