/**
 * Loads the narration's outline once per recording: fetch the media (served with Range, but a
 * plain GET returns it whole), decode its audio with Web Audio at a low sample rate (enough for
 * an outline, a fraction of the memory), and keep only the peaks.
 */
import { bucketCount, computePeaks } from './waveform-peaks'

export interface Waveform {
  /** Loudest sample per slice, 0–1. */
  readonly peaks: Float32Array
  /** How much of the recording the peaks cover, ms (the audio may be a little shorter). */
  readonly durationMs: number
}

/** Files above this are not decoded for an outline: the memory is better spent elsewhere. */
const MAX_BYTES = 600 * 1024 * 1024
/** Recordings longer than this get no outline (decoding would take too long and too much memory). */
const MAX_DURATION_MS = 90 * 60 * 1000
const SAMPLE_RATE = 8000

const cache = new Map<string, Promise<Waveform | null>>()

/**
 * The outline of `url`'s audio, or null when there is none (no audio track, a format the
 * browser cannot decode, a file too large). Never rejects: the timeline simply goes without.
 */
export function loadWaveform(url: string, durationMs: number): Promise<Waveform | null> {
  const cached = cache.get(url)
  if (cached) return cached
  const loading = decode(url, durationMs).catch(() => null)
  cache.set(url, loading)
  // Keep a few recent outlines; reopening the same recording is then instant.
  if (cache.size > 4) {
    const oldest = cache.keys().next().value
    if (oldest !== undefined) cache.delete(oldest)
  }
  return loading
}

async function decode(url: string, durationMs: number): Promise<Waveform | null> {
  if (durationMs > MAX_DURATION_MS) return null
  const response = await fetch(url)
  if (!response.ok) return null
  const length = Number(response.headers.get('content-length') ?? '0')
  if (length > MAX_BYTES) {
    await response.body?.cancel()
    return null
  }
  const bytes = await response.arrayBuffer()
  const context = new OfflineAudioContext(1, 1, SAMPLE_RATE)
  const audio = await context.decodeAudioData(bytes)
  if (audio.length === 0 || audio.duration === 0) return null
  const channels: Float32Array[] = []
  for (let c = 0; c < audio.numberOfChannels; c++) channels.push(audio.getChannelData(c))
  const audioMs = audio.duration * 1000
  return { peaks: computePeaks(channels, bucketCount(audioMs)), durationMs: audioMs }
}
