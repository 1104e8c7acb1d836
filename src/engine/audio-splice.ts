/**
 * The export's AAC audio without encoding the whole timeline again: the recording's audio is
 * encoded to AAC once (prepared-audio.ts), and an export's timeline is then made of that
 * stream's frames, copied as they are, plus short re-encoded windows where the timeline differs
 * from the recording (around a cut, at a trimmed start or end). Pure and free of Node-only
 * imports, like smart-plan.ts, so the library server can make the same decisions.
 *
 * Why a copied AAC frame can sit next to a re-encoded one without a click: an AAC frame (1024
 * samples) is the second half of one 2048-sample MDCT window and the first half of the next; the
 * decoder adds the two halves, and their aliasing cancels when both windows encoded the same
 * signal. So a frame is copied only when the timeline and the recording agree over its whole
 * window, and a re-encoded window starts a few frames early and ends a few frames late (pre- and
 * post-roll) on that same signal, then only its middle frames are kept. ffmpeg's encoder is
 * deterministic: after a few frames of pre-roll it writes the very bytes the prepared stream
 * has, so the joins are seamless.
 *
 * Frames sit on a 1024-sample grid. A kept range after a cut rarely starts on it, so each range
 * is moved by at most half a frame (10.7 ms at 48 kHz) onto the grid: audio and video stay in
 * sync within that, and the error never adds up across cuts (each range is placed against the
 * exact output clock). Where two moved ranges would overlap, the earlier one ends early; where
 * they would leave a gap, it is silence — under 22 ms, at a cut.
 */

/** Samples in one AAC-LC frame. */
export const AAC_FRAME_SAMPLES = 1024

const ADTS_RATES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350
]

export interface AdtsStream {
  readonly sampleRate: number
  /** ADTS channel configuration (1 mono, 2 stereo, …). */
  readonly channels: number
  /** Each frame's byte offset and length in the file, in order. */
  readonly frames: readonly { readonly offset: number; readonly length: number }[]
}

/** Reads an ADTS stream's frame table; throws, naming the byte, on anything that is not ADTS. */
export function parseAdts(bytes: Uint8Array): AdtsStream {
  const frames: { offset: number; length: number }[] = []
  let sampleRate = 0
  let channels = 0
  let at = 0
  while (at < bytes.length) {
    if (at + 7 > bytes.length) throw new Error(`the AAC stream ends inside a frame at byte ${at}`)
    if (bytes[at] !== 0xff || ((bytes[at + 1] ?? 0) & 0xf6) !== 0xf0) {
      throw new Error(`the AAC stream has no frame header at byte ${at}`)
    }
    const b2 = bytes[at + 2] ?? 0
    const b3 = bytes[at + 3] ?? 0
    const rate = ADTS_RATES[(b2 >> 2) & 0x0f]
    const chans = ((b2 & 0x01) << 2) | (b3 >> 6)
    const length = ((b3 & 0x03) << 11) | ((bytes[at + 4] ?? 0) << 3) | ((bytes[at + 5] ?? 0) >> 5)
    const blocks = (bytes[at + 6] ?? 0) & 0x03
    if (!rate || length < 7 || at + length > bytes.length || blocks !== 0) {
      throw new Error(`the AAC stream has a frame it cannot use at byte ${at}`)
    }
    if (frames.length === 0) {
      sampleRate = rate
      channels = chans
    } else if (rate !== sampleRate || chans !== channels) {
      throw new Error(`the AAC stream changes its format at byte ${at}`)
    }
    frames.push({ offset: at, length })
    at += length
  }
  if (frames.length === 0) throw new Error('the AAC stream is empty')
  return { sampleRate, channels, frames }
}

/** A stretch of the output timeline, in samples: the recording's audio, or silence. */
export type TimelinePiece =
  | {
      readonly kind: 'source'
      /** Output sample where it starts. */
      readonly at: number
      /** The recording's sample it starts with (counted from the audio's first; may be < 0). */
      readonly from: number
      readonly length: number
    }
  | { readonly kind: 'silence'; readonly at: number; readonly length: number }

/** A re-encoded window: the timeline's samples [start, end), encoded on their own. */
export interface SpliceWindow {
  readonly startSample: number
  readonly endSample: number
}

/** A run of output frames, from the prepared stream or from one window's encode. */
export type SpliceRun =
  | { readonly kind: 'prepared'; readonly fromFrame: number; readonly count: number }
  | {
      readonly kind: 'window'
      readonly window: number
      readonly fromFrame: number
      readonly count: number
    }

export interface AudioSplicePlan {
  readonly sampleRate: number
  /** The timeline, in order, without gaps, from its sample 0 (`leadSamples` before the output's). */
  readonly pieces: readonly TimelinePiece[]
  readonly lengthSamples: number
  /**
   * Timeline samples before the output's first (the recording's audio before the first kept
   * range, under one frame): the MP4 hides them with the priming frame (mux offset).
   */
  readonly leadSamples: number
  readonly windows: readonly SpliceWindow[]
  /**
   * The output's frames in order. The first is the encoder's priming frame (before sample 0;
   * an MP4 edit list hides it), then one per 1024 samples of the timeline.
   */
  readonly runs: readonly SpliceRun[]
  /** Output frames copied from the prepared stream, of all. */
  readonly copiedFrames: number
  readonly totalFrames: number
}

export interface AudioSpliceInput {
  /** The kept ranges on the recording's clock, ms, sorted and disjoint (normalizeKeep). */
  readonly keepMs: readonly (readonly [number, number])[]
  readonly sampleRate: number
  /** Where the audio's first sample sits on the recording's clock, ms (ffprobe's start_time). */
  readonly audioStartMs: number
  /** Frames in the prepared stream, its priming frame included. */
  readonly preparedFrames: number
  /** Frames encoded before a window's first kept frame; default 3. */
  readonly prerollFrames?: number
  /** Frames encoded after a window's last kept frame; default 2. */
  readonly postrollFrames?: number
  /** Copyable frames re-encoded anyway before what must be (default 2) and after it (default 4). */
  readonly guardBeforeFrames?: number
  readonly guardAfterFrames?: number
}

const N = AAC_FRAME_SAMPLES

function mod(a: number, n: number): number {
  return ((a % n) + n) % n
}

/**
 * The timeline's pieces: each kept range moved by at most half a frame onto the frame grid. The
 * timeline starts `leadSamples` before the output's first sample (the recording's audio just
 * before the first kept range, hidden by the MP4's edit list like the priming frame), so the
 * first range is never moved: an unedited recording's frames are all copied, in sync to the
 * sample.
 */
export function timelinePieces(input: AudioSpliceInput): {
  pieces: TimelinePiece[]
  lengthSamples: number
  leadSamples: number
} {
  const { sampleRate: rate } = input
  const startSamples = Math.round((input.audioStartMs * rate) / 1000)
  const ranges = input.keepMs.map(([startMs, endMs]) => {
    const a = Math.round((startMs * rate) / 1000) - startSamples
    return { a, length: Math.max(0, Math.round((endMs * rate) / 1000) - startSamples - a) }
  })
  const lead = mod(ranges[0]?.a ?? 0, N)
  // Where each range would start on the exact timeline clock, and moved onto the grid.
  let exact = lead
  const placed = ranges.map(({ a, length }, i) => {
    if (i === 0) {
      exact += length
      return { a: a - lead, length: length + lead, start: 0 }
    }
    const r = mod(exact - a, N)
    const shift = r <= N / 2 ? -r : N - r
    const start = exact + shift
    exact += length
    return { a, length, start }
  })
  const pieces: TimelinePiece[] = []
  let cursor = 0
  placed.forEach(({ a, length, start }, i) => {
    const next = placed[i + 1]
    const from = Math.max(start, cursor)
    const to = Math.min(start + length, next ? Math.max(next.start, from) : Infinity)
    if (to <= from) return
    if (from > cursor) pieces.push({ kind: 'silence', at: cursor, length: from - cursor })
    pieces.push({ kind: 'source', at: from, from: a + (from - start), length: to - from })
    cursor = to
  })
  return { pieces, lengthSamples: cursor, leadSamples: lead }
}

/**
 * Decides, frame by frame, what is copied from the prepared stream and what is re-encoded, and
 * the windows to encode. Nearby windows are merged, so no copied run is shorter than the roll a
 * window would need anyway.
 */
export function planAudioSplice(input: AudioSpliceInput): AudioSplicePlan {
  const pre = input.prerollFrames ?? 3
  const post = input.postrollFrames ?? 2
  const guardBefore = input.guardBeforeFrames ?? 2
  const guardAfter = input.guardAfterFrames ?? 4
  const { pieces, lengthSamples: length, leadSamples } = timelinePieces(input)
  const sourceLength = (input.preparedFrames - 1) * N
  const lastFrame = Math.ceil(length / N) - 1
  // Frames are asked for in order, so the piece under a time is found by walking forward.
  let cursor = 0
  const pieceAt = (t: number): TimelinePiece | undefined => {
    while (cursor < pieces.length - 1 && t >= pieces[cursor]!.at + pieces[cursor]!.length) cursor++
    const piece = pieces[cursor]
    return piece && t >= piece.at && t < piece.at + piece.length ? piece : undefined
  }

  /** The prepared frame that output frame m can be, or null. */
  const preparedFrame = (m: number): number | null => {
    const piece = pieceAt(Math.max(0, m * N))
    if (piece?.kind !== 'source') return null
    const offset = piece.at - piece.from
    if (mod(offset, N) !== 0) return null
    if (m === -1 && offset !== 0) return null
    const j = (m * N - offset) / N + 1
    if (j < 0 || j >= input.preparedFrames) return null
    const windowEnd = (m + 2) * N
    const pieceEnd = piece.at + piece.length
    if (pieceEnd >= windowEnd) return j
    // The window runs past the piece: only the timeline's end may follow, and only where the
    // recording's audio ends there too (both are then silent beyond it).
    return pieceEnd === length && piece.from + piece.length >= sourceLength ? j : null
  }

  const copyable: (number | null)[] = []
  for (let m = -1; m <= lastFrame; m++) copyable.push(preparedFrame(m))
  // A re-encoded stretch reaches a few frames past what must be re-encoded: a cut is a
  // transient, and the encoder switches to short blocks around it; the join with the copied
  // frames must come after it has switched back, where both encoders chose the same long block.
  const kinds = copyable.map((j, i) => {
    for (
      let k = Math.max(0, i - guardAfter);
      k <= Math.min(copyable.length - 1, i + guardBefore);
      k++
    ) {
      if (copyable[k] === null) return null
    }
    return j
  })
  // Short copied runs between two windows cost a window's roll anyway: encode them too.
  const minCopy = pre + post + 2
  for (let i = 0; i < kinds.length;) {
    if (kinds[i] === null) {
      i++
      continue
    }
    let end = i
    while (end + 1 < kinds.length && kinds[end + 1] !== null) end++
    const bounded = i > 0 && end < kinds.length - 1
    if (bounded && end - i + 1 < minCopy) for (let k = i; k <= end; k++) kinds[k] = null
    i = end + 1
  }

  const windows: SpliceWindow[] = []
  const runs: SpliceRun[] = []
  let copied = 0
  for (let i = 0; i < kinds.length;) {
    const m = i - 1
    const j = kinds[i]
    if (j !== null && j !== undefined) {
      let count = 1
      while (i + count < kinds.length && kinds[i + count] === j + count) count++
      const last = runs[runs.length - 1]
      if (last?.kind === 'prepared' && last.fromFrame + last.count === j) {
        runs[runs.length - 1] = { ...last, count: last.count + count }
      } else runs.push({ kind: 'prepared', fromFrame: j, count })
      copied += count
      i += count
      continue
    }
    let count = 1
    while (i + count < kinds.length && kinds[i + count] === null) count++
    const firstM = m
    const lastM = m + count - 1
    const startSample = Math.max(0, (firstM - pre) * N)
    const endSample = Math.min(length, (lastM + 2 + post) * N)
    windows.push({ startSample, endSample })
    // The window's frame k is output frame startSample / N - 1 + k (frame 0 is its priming).
    runs.push({
      kind: 'window',
      window: windows.length - 1,
      fromFrame: firstM - (startSample / N - 1),
      count
    })
    i += count
  }
  return {
    sampleRate: input.sampleRate,
    pieces,
    lengthSamples: length,
    leadSamples,
    windows,
    runs,
    copiedFrames: copied,
    totalFrames: kinds.length
  }
}

/** The timeline's pieces within [start, end), clipped, in order. */
export function piecesIn(
  pieces: readonly TimelinePiece[],
  start: number,
  end: number
): TimelinePiece[] {
  const out: TimelinePiece[] = []
  for (const p of pieces) {
    const from = Math.max(start, p.at)
    const to = Math.min(end, p.at + p.length)
    if (to <= from) continue
    out.push(
      p.kind === 'source'
        ? { kind: 'source', at: from, from: p.from + (from - p.at), length: to - from }
        : { kind: 'silence', at: from, length: to - from }
    )
  }
  return out
}
