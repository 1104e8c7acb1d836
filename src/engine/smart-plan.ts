/**
 * Smart rendering as data: recording facts + edits + preset + the recording's GOP index → which
 * stretches of the output are copied packet for packet from the recording and which are
 * re-encoded, or why the whole file must be re-encoded. Pure and free of Node-only imports, so
 * the library server can run the same decisions (DESIGN.md "One render engine, smart").
 *
 * A GOP (keyframe to keyframe) is copied when nothing in it changes: no annotation (callout,
 * blur, highlight, …) and no camera bubble is visible in any of its frames and no kept range
 * starts or ends inside it. Everything else is re-encoded, and only that: a touched GOP costs at most itself, and a
 * cut stays frame-exact because the GOP around a cut point is re-encoded from the cut.
 */
import type { Edits } from '../shared/edits'
import type { ExportPreset } from '../shared/export-preset'
import type { RecordingFacts } from '../shared/project'
import { keptDurationMs, normalizeKeep } from '../shared/timeline'
import { bubbleShownOnRecording } from './bubble-plan'
import type { GopIndex } from './gop-index'
import { outputDimensions } from './presets'

/** One stretch of the output, on both clocks. */
export interface SmartSegment {
  /** `copy`: the recording's packets as they are; `encode`: decoded, edited and re-encoded. */
  readonly kind: 'copy' | 'encode'
  /** Where it comes from in the recording, ms, half-open. A copy starts at a keyframe. */
  readonly sourceStartMs: number
  readonly sourceEndMs: number
  /** Where it starts in the output, ms. */
  readonly outputStartMs: number
  /** Its length in the output, ms. */
  readonly durationMs: number
}

/** libx264 settings that make re-encoded stretches join cleanly with the copied ones. */
export interface JoinEncoding {
  /** x264's profile for the source's: `baseline` (constrained), `main` or `high`. */
  readonly profile: 'baseline' | 'main' | 'high'
  /** `3.1` etc., or null when the source does not say. */
  readonly level: string | null
  /** The source's pixel format (`yuvj420p` keeps Chromium's full range). */
  readonly pixFmt: string
  /** The source's sample aspect ratio, e.g. `1:1`, or null. */
  readonly sar: string | null
  /**
   * The parameter-set id x264 writes, one the recording does not use: both sets can then live
   * side by side in every decoder (and in Chromium, which re-sends the MP4's avcC sets at
   * keyframes) without one replacing the other at a join.
   */
  readonly spsId: number
  /**
   * The encoder's time base, as ffmpeg's `-enc_time_base` takes it (`1:1000`): the recording's,
   * so every frame keeps its own time; ffmpeg would otherwise round a variable-rate recording's
   * times onto a constant-rate grid, moving and dropping frames next to the copied ones.
   */
  readonly timeBase: string
  /** Frames between x264's keyframes, about the recording's 2 s (a long encoded stretch stays seekable). */
  readonly gopFrames: number
}

export type SmartPlan =
  | {
      readonly smart: true
      readonly segments: readonly SmartSegment[]
      /** Share of the output's duration that is copied, 0–1. */
      readonly copiedFraction: number
      readonly outputDurationMs: number
      /**
       * How long the output's video lasts: the output's duration, except that a copied last GOP
       * brings the recording's video end with it (a frame more or less than the facts' rounded
       * duration, or less when the audio ran longer than the video).
       */
      readonly videoDurationMs: number
      /** Output times where a copied and a re-encoded stretch meet (where decoding is checked). */
      readonly joinsMs: readonly number[]
      readonly encoding: JoinEncoding
      /** The typical frame duration, ms (the verification's tolerance). */
      readonly frameMs: number
      /** The longest a frame of the recording shows, ms (see GopIndex.longestFrameMs). */
      readonly longestFrameMs: number
    }
  | {
      readonly smart: false
      /** Why, in words the export dialog can show after "Full export:". */
      readonly reason: string
    }

export interface SmartPlanInput {
  /**
   * The recording's facts; with `camera` (probed length) the bubble is composited where it shows,
   * so the caller leaves the camera out when its file is missing (run-export's cameraForExport).
   */
  readonly facts: RecordingFacts
  readonly edits: Edits
  readonly preset: ExportPreset
  /** The recording's GOP index; null when it could not be read. */
  readonly index: GopIndex | null
}

const PROFILES: Readonly<Record<string, JoinEncoding['profile']>> = {
  'Constrained Baseline': 'baseline',
  Baseline: 'baseline',
  Main: 'main',
  High: 'high'
}

const PIX_FMTS = new Set(['yuv420p', 'yuvj420p'])

function no(reason: string): SmartPlan {
  return { smart: false, reason }
}

/** Copy-compatibility of the recording and the preset; null when smart rendering may go on. */
export function whyNotSmart(input: SmartPlanInput): string | null {
  const { facts, preset, index } = input
  const codec = facts.videoCodec ?? index?.stream.codec ?? ''
  if (codec !== 'h264') {
    const name = codec ? codec.toUpperCase() : 'in an unknown format'
    return `the recording is ${name}, which cannot be copied into MP4`
  }
  if (!facts.width || !facts.height || !facts.durationMs) {
    return "the recording's size and length are not known"
  }
  const out = outputDimensions({ width: facts.width, height: facts.height }, preset.size)
  if (out.width !== facts.width || out.height !== facts.height) {
    return out.width < facts.width - 1 || out.height < facts.height - 1
      ? `the ${preset.size} size scales every frame`
      : 'the recording has an odd width or height, which MP4 needs even'
  }
  if (preset.quality === 'small') return 'Small quality re-encodes every frame to save space'
  if (!index) return "the recording's keyframes could not be read"
  const s = index.stream
  if (s.codec !== 'h264') return `the recording's video is ${s.codec}, not H.264`
  if (s.width !== facts.width || s.height !== facts.height) {
    return "the recording's frame size changes"
  }
  if (!PROFILES[s.profile])
    return `the recording's H.264 profile (${s.profile || 'unknown'}) is not one smart rendering knows`
  if (!PIX_FMTS.has(s.pixFmt)) return `the recording's pixel format (${s.pixFmt}) is not 4:2:0`
  if (s.fieldOrder !== 'progressive' && s.fieldOrder !== 'unknown' && s.fieldOrder !== '') {
    return 'the recording is interlaced'
  }
  if (s.hasBFrames > 0 || index.reordered) return 'the recording has B-frames'
  if (s.spsIds.length === 0) return "the recording's H.264 parameter sets could not be read"
  const first = index.gops[0]
  if (!first || first.startMs > index.frameMs / 2) {
    return 'the recording does not start with a keyframe'
  }
  return null
}

function overlaps(a0: number, a1: number, b0: number, b1: number): boolean {
  return a0 < b1 && a1 > b0
}

function joinEncoding(index: GopIndex): JoinEncoding {
  const s = index.stream
  const levelText = s.level > 0 ? (s.level / 10).toFixed(1).replace(/\.0$/, '') : null
  let spsId = 0
  while (s.spsIds.includes(spsId) && spsId < 31) spsId++
  const sar = /^[1-9]\d*:[1-9]\d*$/.test(s.sampleAspectRatio) ? s.sampleAspectRatio : null
  return {
    profile: PROFILES[s.profile] ?? 'high',
    level: levelText,
    pixFmt: s.pixFmt,
    sar,
    spsId,
    timeBase: /^\d+\/\d+$/.test(s.timeBase) ? s.timeBase.replace('/', ':') : '1:1000',
    gopFrames: Math.max(1, Math.round(2000 / Math.max(1, index.frameMs)))
  }
}

/** Decides, per GOP, what is copied and what is re-encoded. */
export function planSmart(input: SmartPlanInput): SmartPlan {
  const why = whyNotSmart(input)
  if (why) return no(why)
  const { facts, edits } = input
  const index = input.index!
  const durationMs = facts.durationMs!
  const keep = normalizeKeep(edits.keep, durationMs)
  const outputDurationMs = keptDurationMs(keep)
  if (keep.length === 0 || outputDurationMs <= 0) return no('nothing of the recording is kept')
  // The camera bubble is drawn over the GOPs where it shows: they are re-encoded like callouts'.
  const bubble = bubbleShownOnRecording(
    { width: facts.width!, height: facts.height!, durationMs, camera: facts.camera },
    edits.bubble
  )
  const touched = [
    ...edits.annotations.map((a) => [a.startMs, a.endMs] as const),
    ...(bubble?.shown ?? [])
  ]

  // The first GOP starts the recording even when its keyframe is a fraction of a frame late.
  const gops = index.gops.map((g, i) => (i === 0 ? { ...g, startMs: 0 } : g))
  const lastGop = gops[gops.length - 1]
  const raw: { kind: 'copy' | 'encode'; start: number; end: number }[] = []
  for (const [ks, ke] of keep) {
    // The end of the recording is the end of its last GOP, whatever rounding the facts had.
    const toEnd = ke >= durationMs
    for (const gop of gops) {
      const gopEnd = toEnd && gop === lastGop ? Math.max(ke, gop.endMs) : gop.endMs
      const start = Math.max(gop.startMs, ks)
      const end = Math.min(gopEnd, ke)
      if (end <= start) continue
      const whole = gop.startMs >= ks && gopEnd <= (toEnd ? Infinity : ke)
      const clean = !touched.some(([a, b]) => overlaps(a, b, gop.startMs, gopEnd))
      raw.push({ kind: whole && clean ? 'copy' : 'encode', start, end })
    }
  }

  // Merge neighbours of one kind that are contiguous on the recording's clock.
  const merged: { kind: 'copy' | 'encode'; start: number; end: number }[] = []
  for (const r of raw) {
    const last = merged[merged.length - 1]
    if (last && last.kind === r.kind && Math.abs(last.end - r.start) < 1e-6) last.end = r.end
    else merged.push({ ...r })
  }

  // A re-encoded stretch with no frame in it (a cut a few ms before a keyframe) has nothing to
  // encode: its time goes to the stretch before it (whose last frame shows on, as in the full
  // export) or, at the very start, to the one after it (whose first frame comes that much
  // earlier, as the full export's trims place the first frame of a kept range at its start).
  const frames = index.frameTimesMs
  const hasFrame = (start: number, end: number): boolean => {
    if (!frames) return true
    let lo = 0
    let hi = frames.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (frames[mid]! < start - 1e-6) lo = mid + 1
      else hi = mid
    }
    return lo < frames.length && frames[lo]! < end - 1e-6
  }
  const kept: {
    kind: 'copy' | 'encode'
    start: number
    end: number
    extraBefore: number
    extraAfter: number
  }[] = []
  let carry = 0
  for (const m of merged) {
    const length = m.end - m.start
    if (m.kind === 'encode' && !hasFrame(m.start, m.end)) {
      const last = kept[kept.length - 1]
      if (last) last.extraAfter += length
      else carry += length
      continue
    }
    kept.push({ ...m, extraBefore: carry, extraAfter: 0 })
    carry = 0
  }
  if (kept.length === 0) return no('the kept stretches hold no frames')

  let at = 0
  const segments: SmartSegment[] = kept.map((m) => {
    const segment: SmartSegment = {
      kind: m.kind,
      sourceStartMs: m.start,
      sourceEndMs: m.end,
      outputStartMs: at,
      durationMs: m.extraBefore + (m.end - m.start) + m.extraAfter
    }
    at += segment.durationMs
    return segment
  })
  const copied = segments.filter((s) => s.kind === 'copy').reduce((n, s) => n + s.durationMs, 0)
  if (copied === 0) {
    return no(
      bubble && edits.annotations.length === 0
        ? 'the camera bubble is shown in every stretch of the video'
        : 'every stretch of the video has an edit in it'
    )
  }
  const joinsMs = segments.slice(1).map((s) => s.outputStartMs)
  const last = segments[segments.length - 1]!
  const copiedToEnd = last.kind === 'copy' && last.sourceEndMs >= durationMs
  return {
    smart: true,
    segments,
    copiedFraction: Math.min(1, copied / outputDurationMs),
    outputDurationMs,
    videoDurationMs: copiedToEnd
      ? outputDurationMs + (index.endMs - last.sourceEndMs)
      : outputDurationMs,
    joinsMs,
    encoding: joinEncoding(index),
    frameMs: index.frameMs,
    longestFrameMs: index.longestFrameMs ?? index.frameMs
  }
}
