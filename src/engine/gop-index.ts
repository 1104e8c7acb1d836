/**
 * The GOP index of a recording's video stream: where its keyframes are, how long its frames last,
 * and the stream's codec parameters, read from ffprobe's packet list and stream entry. Pure (the
 * ffprobe run is in src/main/ffmpeg/probe-gops.ts), so the parsing and the H.264 parameter-set
 * reading are unit-tested; the smart plan (smart-plan.ts) decides from this what can be copied.
 *
 * Times are milliseconds on the clock ffmpeg gives the file when it is read without `-copyts`:
 * the container's start time is 0. That is the clock of the edits and of the full export's trims.
 */

/** The video stream's codec parameters, as far as the smart plan needs them. */
export interface VideoStreamParams {
  /** ffprobe's codec name: `h264`, `vp8`, … */
  readonly codec: string
  /** ffprobe's profile name, e.g. `Constrained Baseline`, `High`; '' when not said. */
  readonly profile: string
  /** level_idc, e.g. 31 for 3.1; 0 when not said. */
  readonly level: number
  readonly width: number
  readonly height: number
  /** e.g. `yuv420p`, `yuvj420p` (full range, as Chromium's OpenH264 writes). */
  readonly pixFmt: string
  /** e.g. `1/1000`. */
  readonly timeBase: string
  /** e.g. `1:1`; '' or `0:1` when not said. */
  readonly sampleAspectRatio: string
  /** `progressive`, `unknown`, or an interlaced order (`tt`, `bb`, `tb`, `bt`). */
  readonly fieldOrder: string
  /** Frames of reordering delay: > 0 means B-frames. */
  readonly hasBFrames: number
  /** The sequence parameter set ids found in the stream's extradata (avcC or Annex B). */
  readonly spsIds: readonly number[]
}

/** One keyframe-to-keyframe group of pictures. */
export interface Gop {
  /** Its keyframe's presentation time, ms. */
  readonly startMs: number
  /** The next keyframe's time, or the end of the stream for the last GOP, ms. */
  readonly endMs: number
}

export interface GopIndex {
  readonly stream: VideoStreamParams
  /** In presentation order, covering [first keyframe, end of stream). */
  readonly gops: readonly Gop[]
  /** The stream's end: the last frame's time plus its duration, ms. */
  readonly endMs: number
  /** The typical (median) time between frames, ms. */
  readonly frameMs: number
  /**
   * The longest time one frame shows, ms (the largest gap between frames, or the last frame's
   * duration). Screen recordings have a variable frame rate: a busy machine or a still screen
   * leaves frames up for longer than `frameMs`, and a join or the end can land on one of them.
   */
  readonly longestFrameMs?: number
  /** Packets whose presentation order differs from their decoding order (B-frames). */
  readonly reordered: boolean
  /** Number of video packets. */
  readonly packets: number
  /**
   * Every frame's presentation time, ms, sorted (a stretch between two frames has none to
   * encode); absent: assume every stretch has frames.
   */
  readonly frameTimesMs?: readonly number[]
}

/** One packet as ffprobe lists it (times in seconds as printed, 'N/A' allowed). */
export interface ProbedPacket {
  readonly ptsTime: string
  readonly dtsTime: string
  readonly durationTime: string
  readonly flags: string
}

function num(text: string | undefined): number | null {
  if (text === undefined || text === '' || text === 'N/A') return null
  const n = Number(text)
  return Number.isFinite(n) ? n : null
}

/**
 * Packets from `ffprobe -of csv=p=0 -show_entries packet=pts_time,dts_time,duration_time,flags`,
 * one per line (ffprobe prints the fields in its own order: pts, dts, duration, flags).
 */
export function parsePacketCsv(text: string): ProbedPacket[] {
  const packets: ProbedPacket[] = []
  for (const line of text.split('\n')) {
    const fields = line.trim().split(',')
    if (fields.length < 4) continue
    const [ptsTime = '', dtsTime = '', durationTime = '', flags = ''] = fields
    packets.push({ ptsTime, dtsTime, durationTime, flags })
  }
  return packets
}

/** Removes H.264 emulation-prevention bytes (00 00 03 → 00 00). */
function unescapeRbsp(nal: Uint8Array): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue
    out.push(nal[i]!)
  }
  return Uint8Array.from(out)
}

/** Reads one unsigned Exp-Golomb value at `bit`; null when the data ends first. */
function readUe(data: Uint8Array, bit: number): number | null {
  const bitAt = (i: number): number | null =>
    i >> 3 < data.length ? (data[i >> 3]! >> (7 - (i & 7))) & 1 : null
  let zeros = 0
  for (;;) {
    const b = bitAt(bit + zeros)
    if (b === null || zeros > 31) return null
    if (b === 1) break
    zeros++
  }
  let value = 0
  for (let i = 0; i < zeros; i++) {
    const b = bitAt(bit + zeros + 1 + i)
    if (b === null) return null
    value = value * 2 + b
  }
  return 2 ** zeros - 1 + value
}

/** The seq_parameter_set_id of an SPS NAL unit (header byte included), or null. */
export function spsId(nal: Uint8Array): number | null {
  if (nal.length < 5 || (nal[0]! & 0x1f) !== 7) return null
  // header, profile_idc, constraint flags, level_idc, then the id as ue(v).
  return readUe(unescapeRbsp(nal.subarray(1)), 24)
}

/** The NAL units of an Annex B byte stream (start codes 00 00 01 or 00 00 00 01). */
function annexBUnits(data: Uint8Array): Uint8Array[] {
  const starts: number[] = []
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      starts.push(i + 3)
      i += 2
    }
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1]! - 3 : data.length
    while (end > s && data[end - 1] === 0) end--
    return data.subarray(s, end)
  })
}

/**
 * The SPS ids in H.264 extradata: an avcC record (MP4, Matroska) or Annex B (Chromium's WebM
 * writes its parameter sets that way). Empty when it cannot be read.
 */
export function extradataSpsIds(data: Uint8Array): number[] {
  let units: Uint8Array[] = []
  if (data.length > 6 && data[0] === 1) {
    const count = data[5]! & 0x1f
    let at = 6
    for (let i = 0; i < count && at + 2 <= data.length; i++) {
      const len = (data[at]! << 8) | data[at + 1]!
      units.push(data.subarray(at + 2, at + 2 + len))
      at += 2 + len
    }
  } else {
    units = annexBUnits(data)
  }
  return units.flatMap((u) => {
    const id = spsId(u)
    return id === null ? [] : [id]
  })
}

/** ffprobe's `-show_data` hex dump ("00000000: 0000 0167 42c0 …  ascii") back to bytes. */
export function parseHexDump(dump: string): Uint8Array {
  const bytes: number[] = []
  for (const line of dump.split('\n')) {
    const match = /^[0-9a-f]{8}:\s((?:[0-9a-f]{2,4}\s)+)/i.exec(line.trim() + ' ')
    if (!match?.[1]) continue
    // The hex columns end where two spaces lead to the ASCII column.
    const hex = match[1].split('  ')[0]!.replace(/\s+/g, '')
    for (let i = 0; i + 1 < hex.length; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16))
  }
  return Uint8Array.from(bytes)
}

/**
 * Builds the index from the packet list. `startTime` is the container's start time in seconds
 * (ffmpeg subtracts it when reading), `stream` the codec parameters.
 */
export function buildGopIndex(
  packets: readonly ProbedPacket[],
  startTime: number,
  stream: VideoStreamParams
): GopIndex {
  const frames = packets
    .map((p) => ({
      pts: num(p.ptsTime),
      dts: num(p.dtsTime),
      duration: num(p.durationTime),
      key: p.flags.includes('K'),
      discard: p.flags.includes('D')
    }))
    .filter((f): f is typeof f & { pts: number } => f.pts !== null && !f.discard)
  let reordered = false
  for (let i = 1; i < frames.length; i++) {
    const [a, b] = [frames[i - 1]!, frames[i]!]
    if (b.pts < a.pts || (b.dts !== null && b.dts !== b.pts)) reordered = true
  }
  // Microsecond precision: ffprobe prints six decimals, and float noise must not split a GOP.
  const ms = (seconds: number): number => Math.round((seconds - startTime) * 1e6) / 1000
  const sorted = [...frames].sort((a, b) => a.pts - b.pts)
  const gaps = sorted.slice(1).map((f, i) => (f.pts - sorted[i]!.pts) * 1000)
  const frameMs = Math.round((median(gaps.filter((g) => g > 0)) ?? 1000 / 30) * 1000) / 1000
  const last = sorted[sorted.length - 1]
  const endMs = last ? ms(last.pts) + (last.duration ? last.duration * 1000 : frameMs) : 0
  const keys = sorted.filter((f) => f.key).map((f) => ms(f.pts))
  const gops: Gop[] = keys.map((startMs, i) => ({ startMs, endMs: keys[i + 1] ?? endMs }))
  const frameTimesMs = sorted.map((f) => ms(f.pts))
  const lastMs = last ? endMs - ms(last.pts) : 0
  // A loop, not Math.max(...gaps): a two-hour recording has more frames than a call's arguments.
  let longestFrameMs = Math.max(frameMs, lastMs)
  for (const gap of gaps) longestFrameMs = Math.max(longestFrameMs, Math.round(gap * 1000) / 1000)
  return {
    stream,
    gops,
    endMs,
    frameMs,
    longestFrameMs,
    reordered,
    packets: frames.length,
    frameTimesMs
  }
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
