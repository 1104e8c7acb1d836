/**
 * Where a MediaRecorder capture's streams go after a stream copy (no re-encode). The app (making
 * a local recording seekable) and the library server (finishing an upload sent while recording)
 * follow the same rule, so a recording ends up in the same container either way.
 */

export type FinalContainer = 'webm' | 'mp4' | 'mkv'

const WEBM_VIDEO = new Set(['vp8', 'vp9', 'av1'])
const WEBM_AUDIO = new Set(['opus', 'vorbis'])
const MP4_VIDEO = new Set(['h264', 'hevc', 'av1', 'vp9'])
const MP4_AUDIO = new Set(['aac', 'opus', 'mp3', 'alac', 'flac'])

/**
 * Where a capture's streams can live after a stream copy. ffmpeg's WebM muxer takes only
 * VP8/VP9/AV1 with Opus/Vorbis, so H.264 from Chromium's WebM goes to MP4; anything else to MKV.
 * Codec names are ffprobe's (`h264`, `vp9`, `opus`…); `audioCodec` is null without audio.
 */
export function finalContainer(videoCodec: string, audioCodec: string | null): FinalContainer {
  const audioFits = (allowed: Set<string>): boolean =>
    audioCodec === null || allowed.has(audioCodec)
  if (WEBM_VIDEO.has(videoCodec) && audioFits(WEBM_AUDIO)) return 'webm'
  if (MP4_VIDEO.has(videoCodec) && audioFits(MP4_AUDIO)) return 'mp4'
  return 'mkv'
}
