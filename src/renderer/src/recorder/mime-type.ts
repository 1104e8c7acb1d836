/**
 * Which container and codecs MediaRecorder should produce. WebM first: it yields a chunk every
 * timeslice and a cut-off file still plays. H.264 first among codecs because export can then copy
 * the video stream instead of re-encoding it.
 */
export const VIDEO_MIME_PREFERENCE = [
  'video/webm;codecs=h264',
  'video/webm;codecs=vp9',
  'video/webm;codecs=vp8',
  'video/webm'
] as const

/** The candidates in order of preference, with Opus audio when there is a microphone. */
export function mimeCandidates(withAudio: boolean): string[] {
  return VIDEO_MIME_PREFERENCE.map((type) =>
    withAudio && type.includes('codecs=') ? `${type},opus` : type
  )
}

/** The first candidate the recorder supports, or null when none is (no WebM recording at all). */
export function chooseMimeType(
  isTypeSupported: (mimeType: string) => boolean,
  withAudio: boolean
): string | null {
  return mimeCandidates(withAudio).find((type) => isTypeSupported(type)) ?? null
}

const MIN_VIDEO_BPS = 2_500_000
const MAX_VIDEO_BPS = 6_000_000
const SMALL_FRAME_PIXELS = 1280 * 720
const LARGE_FRAME_PIXELS = 3840 * 2160
/** Used when the capture does not report its size. */
const UNKNOWN_SIZE_BPS = 4_000_000

/**
 * Video bitrate for screen content: text needs sharp edges, but most frames barely change, so
 * 2.5 Mbps is plenty at 720p and 6 Mbps at 4K; sizes between scale with the pixel count.
 */
export function videoBitsPerSecond(width: number | null, height: number | null): number {
  if (!width || !height || width <= 0 || height <= 0) return UNKNOWN_SIZE_BPS
  const pixels = width * height
  const t = (pixels - SMALL_FRAME_PIXELS) / (LARGE_FRAME_PIXELS - SMALL_FRAME_PIXELS)
  const clamped = Math.min(1, Math.max(0, t))
  return Math.round(MIN_VIDEO_BPS + clamped * (MAX_VIDEO_BPS - MIN_VIDEO_BPS))
}

/**
 * The camera's own file: WebM, video only. VP8 first: it costs the least CPU beside the screen's
 * encoder, and the camera is always re-encoded when the bubble is composited, so copying it (what
 * H.264 would allow) buys nothing.
 */
export const CAMERA_MIME_PREFERENCE = [
  'video/webm;codecs=vp8',
  'video/webm;codecs=vp9',
  'video/webm'
] as const

/** The camera recorder's type, or null when the recorder can make none of them. */
export function chooseCameraMimeType(
  isTypeSupported: (mimeType: string) => boolean
): string | null {
  return CAMERA_MIME_PREFERENCE.find((type) => isTypeSupported(type)) ?? null
}

/** About 720p of a face: it is shown small, so this is plenty. */
export const CAMERA_BITS_PER_SECOND = 2_000_000
