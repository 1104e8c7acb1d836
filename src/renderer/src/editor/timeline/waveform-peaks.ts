/** The narration's loudness outline for the timeline: pure maths over decoded samples. */

/**
 * The loudest sample (absolute value, over all channels) in each of `buckets` equal slices of
 * the audio, scaled so the loudest slice is 1 (quiet narration still shows). Silence stays 0.
 */
export function computePeaks(channels: readonly Float32Array[], buckets: number): Float32Array {
  const count = Math.max(0, Math.floor(buckets))
  const peaks = new Float32Array(count)
  const length = Math.max(0, ...channels.map((c) => c.length))
  if (count === 0 || length === 0) return peaks
  for (const samples of channels) {
    for (let b = 0; b < count; b++) {
      const from = Math.floor((b * samples.length) / count)
      const to = Math.max(from + 1, Math.floor(((b + 1) * samples.length) / count))
      let peak = peaks[b] ?? 0
      for (let i = from; i < to && i < samples.length; i++) {
        const v = Math.abs(samples[i] ?? 0)
        if (v > peak) peak = v
      }
      peaks[b] = peak
    }
  }
  let max = 0
  for (const p of peaks) if (p > max) max = p
  if (max > 0) for (let b = 0; b < count; b++) peaks[b] = Math.min(1, (peaks[b] ?? 0) / max)
  return peaks
}

/** The peaks resampled to `width` columns, each the loudest of the buckets it covers. */
export function peaksForWidth(peaks: Float32Array, width: number): Float32Array {
  const columns = Math.max(0, Math.floor(width))
  const result = new Float32Array(columns)
  if (columns === 0 || peaks.length === 0) return result
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * peaks.length) / columns)
    const to = Math.max(from + 1, Math.floor(((c + 1) * peaks.length) / columns))
    let peak = 0
    for (let i = from; i < to && i < peaks.length; i++) peak = Math.max(peak, peaks[i] ?? 0)
    result[c] = peak
  }
  return result
}

/** How many buckets to compute for a recording: 50 a second, at most 20 000. */
export function bucketCount(durationMs: number): number {
  return Math.max(1, Math.min(20_000, Math.ceil((durationMs / 1000) * 50)))
}
