/**
 * Loudness for meters: RMS of the waveform on a decibel scale, mapped so -60 dBFS (a quiet room)
 * reads 0 and full scale reads 1. A linear scale would leave normal speech at the bottom of the bar.
 */
export const METER_FLOOR_DB = -60

export function levelFromSamples(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0
  let sum = 0
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i] ?? 0
    sum += v * v
  }
  const rms = Math.sqrt(sum / samples.length)
  if (rms <= 0) return 0
  const db = 20 * Math.log10(rms)
  return Math.min(1, Math.max(0, (db - METER_FLOOR_DB) / -METER_FLOOR_DB))
}
