/**
 * What the render engine needs to know of a stored video (the app reads it from recording.json):
 * its codecs, frame size and length, asked of ffprobe.
 */
import { execFile } from 'node:child_process'
import path from 'node:path'
import type { RecordingFacts } from '../../../src/shared/project'

interface ProbeStream {
  codec_type?: string
  codec_name?: string
  width?: number
  height?: number
  disposition?: { attached_pic?: number }
}

interface ProbeJson {
  streams?: ProbeStream[]
  format?: { format_name?: string; duration?: string }
}

/** RecordingFacts of `file` from ffprobe's JSON (pure; exported for tests). */
export function factsFromProbe(json: ProbeJson, file: string, title: string): RecordingFacts {
  const streams = json.streams ?? []
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1)
  const audio = streams.find((s) => s.codec_type === 'audio')
  const durationMs = Math.round(Number(json.format?.duration ?? NaN) * 1000)
  if (!video?.codec_name || !video.width || !video.height || !(durationMs > 0)) {
    throw new Error('ffprobe found no video stream with a size and a length in the stored video')
  }
  const formats = (json.format?.format_name ?? '').split(',')
  const container: RecordingFacts['container'] = formats.includes('mp4')
    ? 'mp4'
    : formats.includes('webm') && ['vp8', 'vp9', 'av1'].includes(video.codec_name)
      ? 'webm'
      : 'mkv'
  return {
    version: 1,
    id: 'library',
    status: 'complete',
    title,
    createdAt: new Date(0).toISOString(),
    sourceName: '',
    file: path.basename(file),
    container,
    mimeType:
      container === 'mp4' ? 'video/mp4' : `video/${container === 'webm' ? 'webm' : 'x-matroska'}`,
    videoCodec: video.codec_name,
    audioCodec: audio?.codec_name ?? null,
    width: video.width,
    height: video.height,
    durationMs
  }
}

/** Probes `file` (a local copy of a stored video) for the engine. */
export function probeFacts(
  ffprobe: string,
  file: string,
  title: string,
  signal?: AbortSignal
): Promise<RecordingFacts> {
  return new Promise((resolve, reject) => {
    execFile(
      ffprobe,
      ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file],
      { maxBuffer: 4 * 1024 * 1024, signal, timeout: 60_000 },
      (error, stdout) => {
        if (error) {
          reject(new Error(`ffprobe could not read the stored video: ${error.message}`))
          return
        }
        try {
          resolve(factsFromProbe(JSON.parse(stdout) as ProbeJson, file, title))
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)))
        }
      }
    )
  })
}
