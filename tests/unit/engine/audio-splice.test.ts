import { describe, expect, it } from 'vitest'
import {
  AAC_FRAME_SAMPLES,
  parseAdts,
  piecesIn,
  planAudioSplice,
  timelinePieces,
  type AdtsStream,
  type AudioSpliceInput,
  type AudioSplicePlan,
  type TimelinePiece
} from '../../../src/engine/audio-splice'
import { spliceFrames, spliceRanges, windowArgs } from '../../../src/engine/timeline-audio'

const N = AAC_FRAME_SAMPLES
const HALF = N / 2

function mod(a: number, n: number): number {
  return ((a % n) + n) % n
}

/**
 * Collects what is wrong instead of calling expect() per sample or frame (the random cases make
 * millions of checks); the test then expects the list to be empty, showing the first few.
 */
function collector(): { check: (ok: boolean, what: () => string) => void; problems: string[] } {
  const problems: string[] = []
  return {
    problems,
    check: (ok, what) => {
      if (!ok && problems.length < 10) problems.push(what())
    }
  }
}

// ---------------------------------------------------------------------------------------------
// ADTS helpers

/** One ADTS frame: MPEG-4, layer 0, no CRC, AAC LC, buffer fullness 0x7FF, one raw block. */
function adtsFrame(
  payload: readonly number[],
  options: { rateIndex?: number; channels?: number; rawBlocks?: number; length?: number } = {}
): Uint8Array {
  const rateIndex = options.rateIndex ?? 3 // 48000
  const channels = options.channels ?? 2
  const length = options.length ?? 7 + payload.length
  const header = [
    0xff,
    0xf1, // syncword low bits, ID 0 (MPEG-4), layer 0, protection_absent 1
    (1 << 6) | (rateIndex << 2) | ((channels >> 2) & 0x01), // profile LC (object type 2 - 1)
    ((channels & 0x03) << 6) | ((length >> 11) & 0x03),
    (length >> 3) & 0xff,
    ((length & 0x07) << 5) | 0x1f, // buffer fullness 0x7FF, high 5 bits
    0xfc | ((options.rawBlocks ?? 0) & 0x03) // buffer fullness low 6 bits, raw blocks - 1
  ]
  return Uint8Array.from([...header, ...payload])
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** A stream whose frame k carries [tag, k >> 8, k & 255] and k % 5 filler bytes (distinct). */
function taggedStream(
  tag: number,
  frameCount: number,
  channels = 2
): { bytes: Uint8Array; stream: AdtsStream } {
  const frames: Uint8Array[] = []
  for (let k = 0; k < frameCount; k++) {
    frames.push(
      adtsFrame([tag, k >> 8, k & 0xff, ...new Array<number>(k % 5).fill(0xaa)], { channels })
    )
  }
  const bytes = concatBytes(frames)
  return { bytes, stream: parseAdts(bytes) }
}

/** Reads back what taggedStream wrote into one frame. */
function frameTag(bytes: Uint8Array, frame: { offset: number }): { tag: number; k: number } {
  const p = frame.offset + 7
  return { tag: bytes[p] ?? -1, k: ((bytes[p + 1] ?? 0) << 8) | (bytes[p + 2] ?? 0) }
}

// ---------------------------------------------------------------------------------------------
// Timeline helpers

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Log-uniform integer in [lo, hi]: short and long lengths both come up often. */
function logInt(rand: () => number, lo: number, hi: number): number {
  return Math.min(hi, Math.round(Math.exp(Math.log(lo) + rand() * (Math.log(hi) - Math.log(lo)))))
}

/** Prepared stream frames for audio of `samples`: priming, one per 1024, maybe a flush frame. */
function preparedFramesFor(samples: number, extra = 0): number {
  return Math.ceil(samples / N) + 1 + extra
}

interface Case extends AudioSpliceInput {
  readonly name: string
}

/** Kept ranges like normalizeKeep's (integer ms, sorted, disjoint, not touching). */
function randomCase(seed: number): Case {
  const rand = rng(seed)
  const sampleRate = rand() < 0.75 ? 48000 : 44100
  const durationMs = logInt(rand, 1000, 600_000)
  let audioStartMs = Math.round((rand() * 80 - 40) * 1000) / 1000
  const keepMs: [number, number][] = []
  let t = rand() < 0.4 ? 0 : logInt(rand, 1, Math.min(5000, durationMs - 10))
  while (t < durationMs && keepMs.length < 40) {
    const end = Math.min(durationMs, t + logInt(rand, 5, 20_000))
    keepMs.push([t, end])
    t = end + logInt(rand, 1, 30_000)
  }
  // Half the time nothing is trimmed from the end.
  const last = keepMs[keepMs.length - 1]!
  if (rand() < 0.5) last[1] = durationMs
  // The audio runs from audioStartMs to about the recording's end (the video may run longer).
  const audioEndMs = durationMs + Math.round(rand() * 80 - 60)
  let preparedFrames = preparedFramesFor(
    Math.round(((audioEndMs - audioStartMs) * sampleRate) / 1000),
    rand() < 0.5 ? 1 : 0
  )
  if (rand() < 0.25 && last[1] === durationMs) {
    // The audio ends with the recording, on the frame grid: its last frames may be copied too
    // (the plan's end rule). It starts under a frame late for that.
    const endSample = Math.round((durationMs * sampleRate) / 1000)
    const frames = Math.floor(endSample / N)
    audioStartMs = ((endSample - frames * N) * 1000) / sampleRate
    preparedFrames = frames + 1
  }
  return { name: `seed ${seed}`, keepMs, sampleRate, audioStartMs, preparedFrames }
}

const CASES: readonly Case[] = Array.from({ length: 200 }, (_, i) => randomCase(1000 + i))

/** Each kept range on the audio's sample clock, as the planner rounds it. */
function rangesInSamples(input: AudioSpliceInput): { a: number; length: number }[] {
  const start = Math.round((input.audioStartMs * input.sampleRate) / 1000)
  return input.keepMs.map(([s, e]) => {
    const a = Math.round((s * input.sampleRate) / 1000) - start
    return { a, length: Math.round((e * input.sampleRate) / 1000) - start - a }
  })
}

/** The piece holding timeline sample t (binary search; pieces are contiguous from 0). */
function pieceAt(pieces: readonly TimelinePiece[], t: number): TimelinePiece | undefined {
  let lo = 0
  let hi = pieces.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const p = pieces[mid]!
    if (t < p.at) hi = mid - 1
    else if (t >= p.at + p.length) lo = mid + 1
    else return p
  }
  return undefined
}

/**
 * The prepared frame that output frame m may be, worked out from the definition: frame m's MDCT
 * window is the timeline's [m*N, (m+2)*N), prepared frame j's is the recording's
 * [(j-1)*N, (j+1)*N), and a frame may be copied only where the two are the same signal.
 */
function copyableFrame(plan: AudioSplicePlan, m: number, preparedFrames: number): number | null {
  const start = m * N
  const end = (m + 2) * N
  const piece = pieceAt(plan.pieces, Math.max(0, start))
  if (piece?.kind !== 'source') return null
  const offset = piece.at - piece.from // timeline sample t is the recording's t - offset
  if (offset % N !== 0) return null
  const j = m + 1 - offset / N
  if (j < 0 || j >= preparedFrames) return null
  // Before the timeline's start the window's encoder sees silence: the prepared one must have
  // seen the time before the audio's first sample there (timeline t is recording t - offset).
  if (start < 0 && offset < 0) return null
  if (piece.at + piece.length < end) {
    const lastPiece = piece.at + piece.length === plan.lengthSamples
    const sourceLength = (preparedFrames - 1) * N
    if (!lastPiece || piece.from + piece.length < sourceLength) return null
  }
  return j
}

/** The output frames in order: where each comes from. */
type OutFrame = { kind: 'prepared'; j: number } | { kind: 'window'; window: number; k: number }

function outputFrames(plan: AudioSplicePlan): OutFrame[] {
  return plan.runs.flatMap((run) =>
    Array.from({ length: run.count }, (_, t): OutFrame =>
      run.kind === 'prepared'
        ? { kind: 'prepared', j: run.fromFrame + t }
        : { kind: 'window', window: run.window, k: run.fromFrame + t }
    )
  )
}

// ---------------------------------------------------------------------------------------------

describe('parseAdts', () => {
  it('reads the frame table, the sample rate and the channels', () => {
    const frames = [adtsFrame([1, 2, 3]), adtsFrame([]), adtsFrame(new Array(300).fill(9))]
    const stream = parseAdts(concatBytes(frames))
    expect(stream.sampleRate).toBe(48000)
    expect(stream.channels).toBe(2)
    expect(stream.frames).toEqual([
      { offset: 0, length: 10 },
      { offset: 10, length: 7 },
      { offset: 17, length: 307 }
    ])
  })

  it('reads other rates and channel layouts, and lengths that need all 13 bits', () => {
    const mono = parseAdts(concatBytes([adtsFrame([0], { rateIndex: 4, channels: 1 })]))
    expect(mono).toMatchObject({ sampleRate: 44100, channels: 1 })
    // Channel configuration 6 (5.1) has its high bit in byte 2.
    const big = adtsFrame(new Array(5000).fill(1), { channels: 6 })
    const six = parseAdts(concatBytes([big, big]))
    expect(six).toMatchObject({ sampleRate: 48000, channels: 6 })
    expect(six.frames).toEqual([
      { offset: 0, length: 5007 },
      { offset: 5007, length: 5007 }
    ])
  })

  it('names the byte where a stream does not start with a frame', () => {
    const bytes = concatBytes([Uint8Array.from([0x00, 0x11]), adtsFrame([1])])
    expect(() => parseAdts(bytes)).toThrow('no frame header at byte 0')
  })

  it('names the byte of a frame header after garbage mid-stream', () => {
    const bytes = concatBytes([adtsFrame([1, 2]), Uint8Array.from([0xff, 0x00]), adtsFrame([1])])
    expect(() => parseAdts(bytes)).toThrow('no frame header at byte 9')
  })

  it('names the byte of a frame cut short at the end', () => {
    const whole = concatBytes([adtsFrame([1, 2, 3]), adtsFrame([4, 5, 6, 7, 8])])
    // The header is whole, the payload is not.
    expect(() => parseAdts(whole.subarray(0, whole.length - 2))).toThrow(
      'the AAC stream has a frame it cannot use at byte 10'
    )
    // Not even the header is whole.
    expect(() => parseAdts(whole.subarray(0, 14))).toThrow(
      'the AAC stream ends inside a frame at byte 10'
    )
  })

  it('names the byte where the format changes', () => {
    const rate = concatBytes([adtsFrame([1]), adtsFrame([2]), adtsFrame([3], { rateIndex: 4 })])
    expect(() => parseAdts(rate)).toThrow('the AAC stream changes its format at byte 16')
    const chans = concatBytes([adtsFrame([1]), adtsFrame([2], { channels: 1 })])
    expect(() => parseAdts(chans)).toThrow('the AAC stream changes its format at byte 8')
  })

  it('refuses frames it cannot use, naming the byte', () => {
    const ok = adtsFrame([1, 2])
    const twoBlocks = adtsFrame([3], { rawBlocks: 1 })
    expect(() => parseAdts(concatBytes([ok, twoBlocks]))).toThrow('cannot use at byte 9')
    const badRate = adtsFrame([3], { rateIndex: 15 })
    expect(() => parseAdts(concatBytes([ok, badRate]))).toThrow('cannot use at byte 9')
    const tooShort = adtsFrame([], { length: 6 })
    expect(() => parseAdts(concatBytes([ok, tooShort]))).toThrow('cannot use at byte 9')
  })

  it('refuses an empty stream', () => {
    expect(() => parseAdts(new Uint8Array(0))).toThrow('the AAC stream is empty')
  })
})

describe('timelinePieces', () => {
  const base = { sampleRate: 48000, audioStartMs: 0, preparedFrames: 10_000 }

  it('makes a whole keep one source piece at 0, starting on the grid before the keep', () => {
    const { pieces, lengthSamples, leadSamples } = timelinePieces({
      ...base,
      keepMs: [[1500, 60_000]]
    })
    // 1500 ms is sample 72000 = 70 * 1024 + 320.
    expect(leadSamples).toBe(320)
    expect(pieces).toEqual([{ kind: 'source', at: 0, from: 71680, length: 2_808_000 + 320 }])
    expect(lengthSamples).toBe(2_808_320)
  })

  it('has no lead when the keep starts on the grid', () => {
    const { pieces, leadSamples } = timelinePieces({ ...base, keepMs: [[0, 10_000]] })
    expect(leadSamples).toBe(0)
    expect(pieces).toEqual([{ kind: 'source', at: 0, from: 0, length: 480_000 }])
  })

  it("moves `from` by where the audio starts on the recording's clock", () => {
    for (const audioStartMs of [-7, -0.5, 0, 3, 20, 21.3]) {
      const start = Math.round((audioStartMs * 48000) / 1000)
      for (const keepStart of [0, 1, 1500, 33_333]) {
        const { pieces, leadSamples } = timelinePieces({
          ...base,
          audioStartMs,
          keepMs: [[keepStart, 60_000]]
        })
        const first = keepStart * 48 - start
        expect(pieces).toHaveLength(1)
        const piece = pieces[0]!
        expect(piece.kind).toBe('source')
        if (piece.kind !== 'source') continue
        expect(leadSamples).toBeGreaterThanOrEqual(0)
        expect(leadSamples).toBeLessThan(N)
        expect(piece.from + leadSamples).toBe(first)
        expect(mod(piece.from, N)).toBe(0)
        expect(piece.length).toBe(60_000 * 48 - start - piece.from)
      }
    }
    // The audio starting 20 ms late: the keep from 0 is 960 samples before the audio's first.
    const late = timelinePieces({ ...base, audioStartMs: 20, keepMs: [[0, 1000]] })
    expect(late.leadSamples).toBe(64)
    expect(late.pieces[0]).toMatchObject({ kind: 'source', at: 0, from: -1024 })
  })

  it('places the range after a cut on the grid, within half a frame, with silence in a gap', () => {
    // 1000 ms = 48000 = 46 * 1024 + 896 samples; the second range starts at 2000 ms = 96000.
    const { pieces, lengthSamples, leadSamples } = timelinePieces({
      ...base,
      keepMs: [
        [0, 1000],
        [2000, 3000]
      ]
    })
    expect(leadSamples).toBe(0)
    // 96000 = 93 * 1024 + 768: exact output 48000, (48000 - 96000) mod 1024 = 128, moved back 128
    expect(pieces).toEqual([
      { kind: 'source', at: 0, from: 0, length: 47872 },
      { kind: 'source', at: 47872, from: 96000, length: 48000 }
    ])
    expect(lengthSamples).toBe(95872)
    // The other way: moved forward, leaving silence.
    const gap = timelinePieces({
      ...base,
      keepMs: [
        [0, 1000],
        [2010, 3000]
      ]
    })
    // 2010 ms = 96480; (48000 - 96480) mod 1024 = 672 > 512: moved forward by 352.
    expect(gap.pieces).toEqual([
      { kind: 'source', at: 0, from: 0, length: 48000 },
      { kind: 'silence', at: 48000, length: 352 },
      { kind: 'source', at: 48352, from: 96480, length: 47520 }
    ])
  })

  // Bounded work (under a second here); the timeout only leaves room for a slow machine.
  it(
    'keeps every range within half a frame of its exact place, on the grid (random cuts)',
    { timeout: 60_000 },
    () => {
      const { check, problems } = collector()
      let ranges = 0
      let placedRanges = 0
      let mostLost = 0
      for (const input of CASES) {
        const { pieces, lengthSamples, leadSamples } = timelinePieces(input)
        const kept = rangesInSamples(input)
        const name = input.name
        check(leadSamples === mod(kept[0]!.a, N), () => `${name}: lead ${leadSamples}`)
        // Contiguous from 0, no gaps or overlaps, nothing empty; gaps are silence under a frame.
        let cursor = 0
        for (const p of pieces) {
          check(p.at === cursor, () => `${name}: piece at ${p.at}, expected ${cursor}`)
          check(p.length > 0, () => `${name}: empty piece at ${p.at}`)
          if (p.kind === 'silence') check(p.length < N, () => `${name}: silence of ${p.length}`)
          cursor = p.at + p.length
        }
        check(lengthSamples === cursor, () => `${name}: length ${lengthSamples} != ${cursor}`)
        check(pieces[0]?.kind === 'source', () => `${name}: starts with silence`)

        // Each source piece: on the grid, inside one kept range (the first may start `lead`
        // early), the recording's samples in order, none used twice.
        let lastEnd = -Infinity
        const placed = new Map<number, number>()
        const keptOut = new Map<number, number>()
        for (const p of pieces) {
          if (p.kind !== 'source') continue
          check(mod(p.at - p.from, N) === 0, () => `${name}: piece at ${p.at} off the grid`)
          check(p.from >= lastEnd, () => `${name}: piece from ${p.from} goes back`)
          lastEnd = p.from + p.length
          const i = kept.findIndex(
            (r, i) => p.from >= r.a - (i === 0 ? leadSamples : 0) && p.from < r.a + r.length
          )
          const r = kept[i]
          if (!r) {
            check(false, () => `${name}: piece from ${p.from} is in no kept range`)
            continue
          }
          check(
            lastEnd <= r.a + r.length,
            () => `${name}: piece from ${p.from} runs past range ${i}`
          )
          // Where the range's first sample lands on the timeline.
          const start = r.a + (p.at - p.from)
          const seen = placed.get(i)
          check(seen === undefined || seen === start, () => `${name}: range ${i} placed twice`)
          placed.set(i, start)
          keptOut.set(i, (keptOut.get(i) ?? 0) + p.length - (i === 0 ? leadSamples : 0))
        }
        let exact = leadSamples
        kept.forEach((r, i) => {
          ranges++
          const start = placed.get(i)
          if (start !== undefined) {
            placedRanges++
            if (i === 0) check(start === leadSamples, () => `${name}: the first range moved`)
            check(
              Math.abs(start - exact) <= HALF,
              () => `${name}: range ${i} at ${start}, exactly ${exact}`
            )
            mostLost = Math.max(mostLost, r.length - (keptOut.get(i) ?? 0))
          } else {
            // Only a range shorter than a frame may be overrun whole by its neighbours.
            check(r.length < N, () => `${name}: range ${i} (${r.length} samples) is missing`)
          }
          exact += r.length
        })
        // No drift: the timeline ends within half a frame of the exact end.
        check(
          Math.abs(lengthSamples - exact) <= HALF,
          () => `${name}: ends at ${lengthSamples}, exactly ${exact}`
        )
      }
      expect(problems).toEqual([])
      // The cases are not all trivial, and a range placed over its neighbour loses under a frame.
      expect(ranges).toBeGreaterThan(1000)
      expect(placedRanges).toBeGreaterThan(ranges * 0.95)
      expect(mostLost).toBeGreaterThan(0)
      expect(mostLost).toBeLessThan(N)
    }
  )
})

describe('planAudioSplice', () => {
  /**
   * Every structural property of a plan, checked against the definitions rather than the code;
   * returns what is wrong (empty when all is well).
   */
  function planProblems(input: AudioSpliceInput, plan: AudioSplicePlan): string[] {
    const { check, problems } = collector()
    const pre = input.prerollFrames ?? 3
    const post = input.postrollFrames ?? 2
    const guardBefore = input.guardBeforeFrames ?? 2
    const guardAfter = input.guardAfterFrames ?? 4
    const name = 'name' in input ? String(input.name) : JSON.stringify(input.keepMs).slice(0, 80)
    const total = Math.ceil(plan.lengthSamples / N) + 1
    check(plan.totalFrames === total, () => `${name}: ${plan.totalFrames} frames, not ${total}`)
    const runFrames = plan.runs.reduce((sum, r) => sum + r.count, 0)
    check(runFrames === total, () => `${name}: runs cover ${runFrames} of ${total} frames`)
    const copiedFrames = plan.runs.reduce(
      (sum, r) => sum + (r.kind === 'prepared' ? r.count : 0),
      0
    )
    check(plan.copiedFrames === copiedFrames, () => `${name}: copiedFrames ${plan.copiedFrames}`)
    for (const run of plan.runs) check(run.count > 0, () => `${name}: an empty run`)

    const frames = outputFrames(plan)
    const copyable = frames.map((_, i) => copyableFrame(plan, i - 1, input.preparedFrames))
    frames.forEach((f, i) => {
      if (f.kind !== 'prepared') return
      // Copied: its whole window is the recording's, as prepared frame j saw it...
      check(
        f.j === copyable[i],
        () => `${name}: output frame ${i - 1} is prepared ${f.j}, may be ${copyable[i]}`
      )
      // ...and so is every frame's within the guard around it.
      for (let k = Math.max(0, i - guardAfter); k <= Math.min(total - 1, i + guardBefore); k++) {
        check(
          copyable[k] !== null,
          () => `${name}: output frame ${i - 1} copied next to ${k - 1}, which cannot be`
        )
      }
    })

    // Windows: each used by one run, in order; their kept frames exist in their encode, which
    // starts and ends with the roll (or at the timeline's ends).
    let i = 0
    let used = 0
    for (const run of plan.runs) {
      if (run.kind === 'window') {
        check(run.window === used++, () => `${name}: window ${run.window} out of order`)
        const w = plan.windows[run.window]
        const firstM = i - 1
        const lastM = firstM + run.count - 1
        const at = `${name}: window ${run.window} for output frames ${firstM}..${lastM}`
        if (!w) {
          check(false, () => `${at} does not exist`)
          continue
        }
        check(w.startSample % N === 0 && w.startSample >= 0, () => `${at} starts off the grid`)
        check(w.endSample <= plan.lengthSamples, () => `${at} ends past the timeline`)
        check(w.endSample > w.startSample, () => `${at} is empty`)
        // The window's frame k is output frame start / N - 1 + k.
        check(w.startSample / N - 1 + run.fromFrame === firstM, () => `${at}: frames misplaced`)
        const encoded = 1 + Math.ceil((w.endSample - w.startSample) / N)
        check(
          run.fromFrame >= 0 && run.fromFrame + run.count <= encoded,
          () => `${at}: frames ${run.fromFrame}+${run.count} of an encode of ${encoded}`
        )
        check(
          w.startSample === 0 || w.startSample <= (firstM - pre) * N,
          () => `${at}: no pre-roll (starts ${w.startSample})`
        )
        check(
          w.endSample === plan.lengthSamples || w.endSample >= (lastM + 2 + post) * N,
          () => `${at}: no post-roll (ends ${w.endSample})`
        )
      }
      i += run.count
    }
    check(
      used === plan.windows.length,
      () => `${name}: ${plan.windows.length - used} unused windows`
    )

    // Between two windows, copying fewer frames than a window's roll is not worth it.
    const minCopy = pre + post + 2
    const stretches = (is: (i: number) => boolean): [number, number][] => {
      const out: [number, number][] = []
      for (let s = 0; s < frames.length;) {
        if (!is(s)) {
          s++
          continue
        }
        let e = s
        while (e + 1 < frames.length && is(e + 1)) e++
        out.push([s, e])
        s = e + 1
      }
      return out
    }
    for (const [s, e] of stretches((k) => frames[k]!.kind === 'prepared')) {
      const bounded = s > 0 && e < frames.length - 1
      check(!bounded || e - s + 1 >= minCopy, () => `${name}: ${e - s + 1} frames copied at ${s}`)
    }

    // Nothing is re-encoded that need not be: a frame whose guard is all copyable, in a long
    // enough stretch of such frames (or one at an end), is copied.
    const deep = (i: number): boolean => {
      for (let k = Math.max(0, i - guardAfter); k <= Math.min(total - 1, i + guardBefore); k++) {
        if (copyable[k] === null) return false
      }
      return true
    }
    for (const [s, e] of stretches(deep)) {
      if (e - s + 1 < minCopy && s > 0 && e < frames.length - 1) continue
      for (let k = s; k <= e; k++) {
        check(frames[k]!.kind === 'prepared', () => `${name}: output frame ${k - 1} not copied`)
      }
    }
    return problems
  }

  function checkPlan(input: AudioSpliceInput, plan: AudioSplicePlan): void {
    expect(planProblems(input, plan)).toEqual([])
  }

  it('copies an unedited recording whole but for a short tail window', () => {
    // The audio starts 7 ms before the video: 336 samples, all kept (the lead is 336).
    const samples = 60_007 * 48
    const input: AudioSpliceInput = {
      keepMs: [[0, 60_000]],
      sampleRate: 48000,
      audioStartMs: -7,
      preparedFrames: preparedFramesFor(samples)
    }
    const plan = planAudioSplice(input)
    checkPlan(input, plan)
    expect(plan.leadSamples).toBe(336)
    expect(plan.pieces).toEqual([{ kind: 'source', at: 0, from: 0, length: samples }])
    // 2 880 336 samples: output frames -1..2812. The prepared stream (2814 frames) goes on past
    // the audio's end (2813 * 1024 = 2 880 512), so frames 2811 and 2812, whose windows reach
    // past the timeline, cannot be copied, nor 2809 and 2810 before them (the guard).
    expect(plan.totalFrames).toBe(2814)
    expect(plan.runs).toEqual([
      { kind: 'prepared', fromFrame: 0, count: 2810 },
      { kind: 'window', window: 0, fromFrame: 4, count: 4 }
    ])
    // Three frames of pre-roll; the window's frame 4 is output frame 2806 - 1 + 4 = 2809.
    expect(plan.windows).toEqual([{ startSample: 2806 * N, endSample: samples }])
    expect(plan.copiedFrames).toBe(2810)
  })

  it('copies every frame when the audio fills the prepared stream exactly', () => {
    const input: AudioSpliceInput = {
      keepMs: [[0, 64_000]],
      sampleRate: 48000,
      audioStartMs: 0,
      preparedFrames: 3001 // 3 072 000 samples = 3000 frames, plus the priming frame
    }
    const plan = planAudioSplice(input)
    checkPlan(input, plan)
    expect(plan.windows).toEqual([])
    expect(plan.runs).toEqual([{ kind: 'prepared', fromFrame: 0, count: 3001 }])
    expect(plan.copiedFrames).toBe(3001)
  })

  it('re-encodes one short window around one cut', () => {
    const input: AudioSpliceInput = {
      keepMs: [
        [0, 20_000],
        [25_000, 60_000]
      ],
      sampleRate: 48000,
      audioStartMs: -7,
      preparedFrames: preparedFramesFor(60_007 * 48)
    }
    const plan = planAudioSplice(input)
    checkPlan(input, plan)
    const cutAt = 20_007 * 48 // where the cut is on the timeline (lead included)
    const around = plan.windows.filter((w) => w.startSample <= cutAt && w.endSample > cutAt)
    expect(around).toHaveLength(1)
    expect(around[0]!.endSample - around[0]!.startSample).toBeLessThanOrEqual(20 * N)
    const others = plan.windows.filter((w) => w !== around[0])
    expect(others.length).toBeLessThanOrEqual(1)
    for (const w of others) expect(w.endSample).toBe(plan.lengthSamples)
    expect(plan.copiedFrames / plan.totalFrames).toBeGreaterThan(0.9)
    // The copied frames after the cut come from after 25 s in the prepared stream.
    const lastRun = plan.runs.filter((r) => r.kind === 'prepared').at(-1)!
    expect(lastRun.fromFrame * N).toBeGreaterThan(25_000 * 48)
  })

  it('re-encodes the start of a trimmed recording (the priming frame cannot be copied)', () => {
    const input: AudioSpliceInput = {
      keepMs: [[1500, 30_000]],
      sampleRate: 48000,
      audioStartMs: 0,
      preparedFrames: preparedFramesFor(30_000 * 48)
    }
    const plan = planAudioSplice(input)
    checkPlan(input, plan)
    expect(plan.runs[0]).toMatchObject({ kind: 'window', window: 0, fromFrame: 0 })
    expect(plan.windows[0]!.startSample).toBe(0)
    // Then straight into the prepared frames from 1.5 s (frame 70 starts at sample 71680).
    const firstCopy = plan.runs.find((r) => r.kind === 'prepared')!
    const firstCopyAt = plan.runs[0]!.count - 1 // output frame
    expect(firstCopy.fromFrame).toBe(firstCopyAt + 71)
  })

  // Bounded work (under a second here); the timeout only leaves room for a slow machine.
  it('holds its properties over random cuts', { timeout: 60_000 }, () => {
    let copied = 0
    let total = 0
    let copiedToTheEnd = 0
    let beforeTheAudio = 0
    const problems: string[] = []
    for (const input of CASES) {
      const plan = planAudioSplice(input)
      problems.push(...planProblems(input, plan))
      copied += plan.copiedFrames
      total += plan.totalFrames
      if (plan.runs.at(-1)?.kind === 'prepared') copiedToTheEnd++
      const first = plan.pieces[0]
      if (first?.kind === 'source' && first.from < 0) beforeTheAudio++
    }
    expect(problems.slice(0, 10)).toEqual([])
    // Most of the audio is copied across these cases, and they reach the rarer branches: a
    // timeline that starts before the audio, one whose last frames are copied (the end rule).
    expect(copied / total).toBeGreaterThan(0.5)
    expect(beforeTheAudio).toBeGreaterThan(10)
    expect(copiedToTheEnd).toBeGreaterThan(10)
  })

  // Bounded work (under a second here); the timeout only leaves room for a slow machine.
  it('holds its properties with other rolls and guards', { timeout: 60_000 }, () => {
    const problems: string[] = []
    for (const input of CASES.slice(0, 40)) {
      const varied = {
        ...input,
        prerollFrames: 1,
        postrollFrames: 4,
        guardBeforeFrames: 0,
        guardAfterFrames: 1
      }
      problems.push(...planProblems(varied, planAudioSplice(varied)))
    }
    expect(problems.slice(0, 10)).toEqual([])
  })
})

describe('piecesIn', () => {
  const pieces: TimelinePiece[] = [
    { kind: 'source', at: 0, from: 100, length: 1000 },
    { kind: 'silence', at: 1000, length: 200 },
    { kind: 'source', at: 1200, from: 5000, length: 800 }
  ]

  it('clips the pieces to the range, advancing the source', () => {
    expect(piecesIn(pieces, 500, 1300)).toEqual([
      { kind: 'source', at: 500, from: 600, length: 500 },
      { kind: 'silence', at: 1000, length: 200 },
      { kind: 'source', at: 1200, from: 5000, length: 100 }
    ])
    expect(piecesIn(pieces, 1100, 1900)).toEqual([
      { kind: 'silence', at: 1100, length: 100 },
      { kind: 'source', at: 1200, from: 5000, length: 700 }
    ])
    expect(piecesIn(pieces, 1500, 1600)).toEqual([
      { kind: 'source', at: 1500, from: 5300, length: 100 }
    ])
  })

  it('returns everything for a range over all, nothing for an empty or outside one', () => {
    expect(piecesIn(pieces, 0, 2000)).toEqual(pieces)
    expect(piecesIn(pieces, -50, 5000)).toEqual(pieces)
    expect(piecesIn(pieces, 700, 700)).toEqual([])
    expect(piecesIn(pieces, 2000, 3000)).toEqual([])
    // Touching a piece's end is not inside it.
    expect(piecesIn(pieces, 0, 1000)).toEqual([pieces[0]])
  })
})

describe('windowArgs', () => {
  type Part =
    | { kind: 'source'; tap: number; from: number; length: number }
    | { kind: 'silence'; layout: string; rate: number; length: number }

  /** The filter graph, parsed: which parts each window is made of. */
  function parseGraph(graph: string): {
    taps: number
    windows: Map<number, { parts: Part[]; length: number }>
  } {
    const chains = graph.split(';')
    let taps = 0
    const parts = new Map<string, Part>()
    const windows = new Map<number, { parts: Part[]; length: number }>()
    const usedTaps = new Set<number>()
    for (const chain of chains) {
      let m: RegExpMatchArray | null
      if ((m = chain.match(/^\[0:a:0\]asplit=(\d+)((?:\[s\d+\])+)$/))) {
        taps = Number(m[1])
        expect(m[2]).toBe(Array.from({ length: taps }, (_, i) => `[s${i}]`).join(''))
      } else if ((m = chain.match(/^\[0:a:0\]anull\[s0\]$/))) {
        taps = 1
      } else if (
        (m = chain.match(
          /^\[s(\d+)\]atrim=start_sample=(\d+):end_sample=(\d+),asetpts=PTS-STARTPTS\[(w\d+p\d+)\]$/
        ))
      ) {
        const tap = Number(m[1])
        expect(usedTaps.has(tap), `tap ${tap} used twice`).toBe(false)
        usedTaps.add(tap)
        const from = Number(m[2])
        parts.set(m[4]!, { kind: 'source', tap, from, length: Number(m[3]) - from })
      } else if (
        (m = chain.match(/^anullsrc=r=(\d+):cl=(\w+),atrim=end_sample=(\d+)\[(w\d+p\d+)\]$/))
      ) {
        parts.set(m[4]!, {
          kind: 'silence',
          rate: Number(m[1]),
          layout: m[2]!,
          length: Number(m[3])
        })
      } else if (
        (m = chain.match(
          /^((?:\[w\d+p\d+\])+)concat=n=(\d+):v=0:a=1,apad=whole_len=(\d+),atrim=end_sample=(\d+)\[w(\d+)\]$/
        ))
      ) {
        const w = Number(m[5])
        const labels = [...m[1]!.matchAll(/\[(w\d+p\d+)\]/g)].map((x) => x[1]!)
        expect(labels).toEqual(labels.map((_, p) => `w${w}p${p}`))
        expect(Number(m[2])).toBe(labels.length)
        expect(m[3]).toBe(m[4])
        windows.set(w, {
          parts: labels.map((label) => {
            const part = parts.get(label)
            expect(part, `${label} is defined before its window`).toBeDefined()
            return part!
          }),
          length: Number(m[3])
        })
      } else {
        throw new Error(`unexpected filter chain: ${chain}`)
      }
    }
    expect(usedTaps.size).toBe(taps)
    return { taps, windows }
  }

  /** A cut at 5 s..7 s of a 12 s recording, the audio starting `audioStartMs` in. */
  function cutPlan(audioStartMs: number): { plan: AudioSplicePlan; stream: AdtsStream } {
    const samples = Math.round((12_000 - audioStartMs) * 48)
    const frames = preparedFramesFor(samples)
    const plan = planAudioSplice({
      keepMs: [
        [0, 5000],
        [7000, 12_000]
      ],
      sampleRate: 48000,
      audioStartMs,
      preparedFrames: frames
    })
    return { plan, stream: taggedStream(0, frames).stream }
  }

  function args(plan: AudioSplicePlan, stream: AdtsStream): string[] {
    return windowArgs({
      input: '/rec/recording.mp4',
      plan,
      stream,
      bitrate: '160k',
      outputs: plan.windows.map((_, w) => `/work/w${w}.aac`)
    })
  }

  it('encodes each window from its pieces, exactly its length, to its own ADTS file', () => {
    const { plan, stream } = cutPlan(-7)
    expect(plan.windows.length).toBeGreaterThanOrEqual(1)
    const argv = args(plan, stream)
    expect(argv.filter((a) => a === '-i')).toHaveLength(1)
    expect(argv[argv.indexOf('-i') + 1]).toBe('/rec/recording.mp4')
    const graph = argv[argv.indexOf('-filter_complex') + 1]!
    const { taps, windows } = parseGraph(graph)
    expect(windows.size).toBe(plan.windows.length)

    let sourceParts = 0
    const sourceLength = (stream.frames.length - 1) * N
    plan.windows.forEach((w, index) => {
      const made = windows.get(index)!
      expect(made.length).toBe(w.endSample - w.startSample)
      // The parts, end to end, are the timeline's samples over the window.
      let t = w.startSample
      for (const part of made.parts) {
        const piece = pieceAt(plan.pieces, t)!
        expect(piece).toBeDefined()
        expect(t + part.length).toBeLessThanOrEqual(piece.at + piece.length)
        if (part.kind === 'source') {
          sourceParts++
          expect(piece.kind).toBe('source')
          if (piece.kind === 'source') expect(part.from).toBe(piece.from + (t - piece.at))
        } else {
          expect(part).toMatchObject({ rate: 48000, layout: 'stereo' })
          if (piece.kind === 'source') {
            const from = piece.from + (t - piece.at)
            expect(from + part.length <= 0 || from >= sourceLength).toBe(true)
          }
        }
        t += part.length
      }
      expect(t).toBe(w.endSample)
      // The same parts as the clipped pieces (a cut inside makes two source parts).
      const clipped = piecesIn(plan.pieces, w.startSample, w.endSample)
      const sources = clipped.filter((p) => p.kind === 'source' && p.from < sourceLength)
      expect(made.parts.filter((p) => p.kind === 'source').map((p) => p.from)).toEqual(
        sources.map((p) => (p.kind === 'source' ? p.from : NaN))
      )
    })
    expect(taps).toBe(sourceParts)
    // The window around the cut reads both sides of it.
    const cutAt = 5007 * 48
    const cutWindow = plan.windows.findIndex((w) => w.startSample < cutAt && w.endSample > cutAt)
    expect(cutWindow).toBeGreaterThanOrEqual(0)
    const cutParts = windows.get(cutWindow)!.parts.filter((p) => p.kind === 'source')
    expect(cutParts.length).toBeGreaterThanOrEqual(2)
    expect(cutParts.at(-1)!.from).toBeGreaterThanOrEqual(7007 * 48 - N)

    // One output per window.
    plan.windows.forEach((_, w) => {
      const at = argv.indexOf(`[w${w}]`)
      expect(argv.slice(at - 1, at + 8)).toEqual([
        '-map',
        `[w${w}]`,
        '-c:a',
        'aac',
        '-b:a',
        '160k',
        '-f',
        'adts',
        `/work/w${w}.aac`
      ])
    })
    expect(argv.filter((a) => a === '-map')).toHaveLength(plan.windows.length)
    expect(argv.at(-1)).toBe(`/work/w${plan.windows.length - 1}.aac`)
  })

  it('reads the input through anull when one part needs it (an unedited recording)', () => {
    const samples = 60_007 * 48
    const frames = preparedFramesFor(samples)
    const plan = planAudioSplice({
      keepMs: [[0, 60_000]],
      sampleRate: 48000,
      audioStartMs: -7,
      preparedFrames: frames
    })
    expect(plan.windows).toEqual([{ startSample: 2806 * N, endSample: samples }])
    const argv = args(plan, taggedStream(0, frames).stream)
    expect(argv[argv.indexOf('-filter_complex') + 1]).toBe(
      `[0:a:0]anull[s0];` +
        `[s0]atrim=start_sample=${2806 * N}:end_sample=${samples},asetpts=PTS-STARTPTS[w0p0];` +
        `[w0p0]concat=n=1:v=0:a=1,apad=whole_len=${samples - 2806 * N},` +
        `atrim=end_sample=${samples - 2806 * N}[w0]`
    )
  })

  it('starts a window with silence where the timeline is before the audio', () => {
    // The audio starts 20 ms late: the timeline's first 1024 samples are before it.
    const { plan, stream } = cutPlan(20)
    expect(plan.pieces[0]).toMatchObject({ kind: 'source', at: 0, from: -1024 })
    expect(plan.windows[0]!.startSample).toBe(0)
    for (const channels of [1, 2]) {
      const layout = channels === 1 ? 'mono' : 'stereo'
      const argv = args(plan, { ...stream, channels })
      const graph = argv[argv.indexOf('-filter_complex') + 1]!
      const { windows } = parseGraph(graph)
      const first = windows.get(0)!.parts
      expect(first[0]).toEqual({ kind: 'silence', rate: 48000, layout, length: 1024 })
      expect(first[1]).toMatchObject({ kind: 'source', from: 0 })
      expect(graph).not.toContain(`cl=${channels === 1 ? 'stereo' : 'mono'}`)
    }
  })

  it('makes a window wholly before the audio silence, reading no input', () => {
    // By hand: the planner's windows reach past the audio's start, so this is windowArgs alone.
    const plan: AudioSplicePlan = {
      sampleRate: 48000,
      pieces: [{ kind: 'source', at: 0, from: -3072, length: 100_000 }],
      lengthSamples: 100_000,
      leadSamples: 0,
      windows: [{ startSample: 0, endSample: 2048 }],
      runs: [],
      copiedFrames: 0,
      totalFrames: 0
    }
    const argv = args(plan, taggedStream(0, 100).stream)
    expect(argv).not.toContain('-i')
    const { taps, windows } = parseGraph(argv[argv.indexOf('-filter_complex') + 1]!)
    expect(taps).toBe(0)
    expect(windows.get(0)).toEqual({
      parts: [{ kind: 'silence', rate: 48000, layout: 'stereo', length: 2048 }],
      length: 2048
    })
  })

  it('refuses audio it cannot lay out, naming the channel count', () => {
    const { plan, stream } = cutPlan(0)
    expect(() => args(plan, { ...stream, channels: 6 })).toThrow('6 channels')
  })
})

describe('spliceFrames', () => {
  function cutCase(): {
    plan: AudioSplicePlan
    prepared: { bytes: Uint8Array; stream: AdtsStream }
    windows: { bytes: Uint8Array; stream: AdtsStream }[]
  } {
    const frames = preparedFramesFor(30_000 * 48)
    const plan = planAudioSplice({
      keepMs: [
        [800, 9000],
        [9500, 17_000],
        [22_000, 29_000]
      ],
      sampleRate: 48000,
      audioStartMs: -7,
      preparedFrames: frames
    })
    const prepared = taggedStream(0, frames)
    const windows = plan.windows.map((w, i) =>
      taggedStream(i + 1, 1 + Math.ceil((w.endSample - w.startSample) / N))
    )
    return { plan, prepared, windows }
  }

  it("writes exactly the planned frames' bytes, in order", () => {
    const { plan, prepared, windows } = cutCase()
    expect(plan.windows.length).toBeGreaterThanOrEqual(3)
    const out = spliceFrames(plan, prepared, windows)
    const planned = outputFrames(plan)
    const expected = concatBytes(
      planned.map((f) => {
        const from = f.kind === 'prepared' ? prepared : windows[f.window]!
        const frame = from.stream.frames[f.kind === 'prepared' ? f.j : f.k]!
        return from.bytes.subarray(frame.offset, frame.offset + frame.length)
      })
    )
    expect(Buffer.compare(out, Buffer.from(expected))).toBe(0)
    // Read back: each frame says where it came from.
    const parsed = parseAdts(out)
    expect(parsed.frames).toHaveLength(plan.totalFrames)
    expect(parsed.frames.map((f) => frameTag(out, f))).toEqual(
      planned.map((f) =>
        f.kind === 'prepared' ? { tag: 0, k: f.j } : { tag: f.window + 1, k: f.k }
      )
    )
  })

  it('reads each run as one stretch of its file (what the export copies a megabyte at a time)', () => {
    const { plan, prepared, windows } = cutCase()
    const ranges = spliceRanges(
      plan,
      prepared.stream,
      windows.map((w) => w.stream)
    )
    expect(ranges).toHaveLength(plan.runs.length)
    plan.runs.forEach((run, i) => {
      const from = run.kind === 'prepared' ? prepared.stream : windows[run.window]!.stream
      const first = from.frames[run.fromFrame]!
      const last = from.frames[run.fromFrame + run.count - 1]!
      expect(ranges[i]).toEqual({
        source: run.kind === 'prepared' ? -1 : run.window,
        offset: first.offset,
        length: last.offset + last.length - first.offset
      })
    })
  })

  it('names the frame a run wants that a stream does not have', () => {
    const { plan, prepared, windows } = cutCase()
    const run = plan.runs.find((r) => r.kind === 'window')!
    if (run.kind !== 'window') throw new Error('no window run')
    const short = windows.slice()
    short[run.window] = taggedStream(run.window + 1, run.fromFrame + run.count - 1)
    expect(() => spliceFrames(plan, prepared, short)).toThrow(
      `the audio window has no frame ${run.fromFrame + run.count - 1}`
    )
    const lastPrepared = plan.runs.filter((r) => r.kind === 'prepared').at(-1)!
    const cut = lastPrepared.fromFrame + lastPrepared.count - 1
    expect(() => spliceFrames(plan, taggedStream(0, cut), windows)).toThrow(
      `the prepared audio has no frame ${cut}`
    )
    expect(() => spliceFrames(plan, prepared, [])).toThrow('the audio window 0 is missing')
  })
})
