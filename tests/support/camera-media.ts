/**
 * Generated media for the camera and render tests (tests/server/camera.test.ts,
 * tests/server/renders.test.ts, tests/integration/upload-camera.test.ts): a flat-coloured screen
 * recording, a flat-coloured camera, the pixels of a box of a frame and their mean colour, and
 * the library-side steps those tests share (saving edits as the owner, a video by id).
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { serializeEdits, type Edits } from '../../src/shared/edits'
import type { Video } from '../../server/src/db/types'
import { ffmpeg, type TestServer } from '../server/support'

const run = promisify(execFile)
const FFMPEG = process.env.SIDECAST_TEST_FFMPEG ?? 'ffmpeg'

/** A box of a frame, in pixels. */
export interface Box {
  x: number
  y: number
  w: number
  h: number
}

/**
 * A flat `colour` 320×240 H.264 screen recording of `seconds` into `file`, with a 440 Hz AAC
 * tone unless `audio` is false; a keyframe every `gop` frames if given; index first if `faststart`.
 */
export async function makeScreen(
  file: string,
  opts: { colour: string; seconds: number; audio?: boolean; gop?: number; faststart?: boolean }
): Promise<void> {
  const audio = opts.audio ?? true
  const video = `color=c=${opts.colour}:size=320x240:rate=25:duration=${opts.seconds}`
  await ffmpeg([
    ...['-f', 'lavfi', '-i', video],
    ...(audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${opts.seconds}`] : []),
    ...['-c:v', 'libx264', '-preset', 'ultrafast'],
    ...(opts.gop !== undefined ? ['-g', String(opts.gop)] : []),
    ...['-pix_fmt', 'yuv420p'],
    ...(audio ? ['-c:a', 'aac', '-shortest'] : []),
    ...(opts.faststart ? ['-movflags', '+faststart'] : []),
    file
  ])
}

/** A flat `colour` 160×120 VP8 WebM camera recording of `seconds`, without sound, into `file`. */
export async function makeCamera(file: string, colour: string, seconds: number): Promise<void> {
  await ffmpeg([
    ...['-f', 'lavfi', '-i', `color=c=${colour}:size=160x120:rate=25:duration=${seconds}`],
    ...['-c:v', 'libvpx', '-b:v', '200k', '-deadline', 'realtime', '-cpu-used', '8'],
    ...['-pix_fmt', 'yuv420p', file]
  ])
}

/** The pixels (`rgb24`: r, g, b per pixel; `gray`: one byte) of `box` of the frame at `seconds`. */
export async function boxPixels(
  file: string,
  seconds: number,
  box: Box,
  format: 'rgb24' | 'gray'
): Promise<Uint8Array> {
  // prettier-ignore
  const { stdout } = await run(
    FFMPEG,
    [
      '-v', 'error', '-ss', String(seconds), '-i', file, '-frames:v', '1',
      '-vf', `crop=${box.w}:${box.h}:${box.x}:${box.y},format=${format}`,
      '-f', 'rawvideo', 'pipe:1'
    ],
    { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 }
  )
  return new Uint8Array(stdout)
}

/** The mean colour (r, g, b) of `box` of the frame at `seconds` of `file`. */
export async function meanColour(
  file: string,
  seconds: number,
  box: Box
): Promise<[number, number, number]> {
  const px = await boxPixels(file, seconds, box, 'rgb24')
  if (px.length < 3) throw new Error(`No frame decoded at ${seconds}s of ${file}`)
  const sum = [0, 0, 0]
  for (let i = 0; i < px.length; i += 3) {
    for (let c = 0; c < 3; c++) sum[c] = (sum[c] ?? 0) + (px[i + c] ?? 0)
  }
  const n = px.length / 3
  return [(sum[0] ?? 0) / n, (sum[1] ?? 0) / n, (sum[2] ?? 0) / n]
}

/** Saves `edits` on `base` as the owner and tells the renders; the new edits version. */
export async function saveEdits(
  s: TestServer,
  videoId: string,
  base: number,
  edits: Edits
): Promise<number> {
  const saved = await s.app.library.write((db) =>
    db.saveEdits(videoId, base, serializeEdits(edits), s.user.id, [])
  )
  if (!saved || !('version' in saved)) throw new Error(`edits not saved: ${JSON.stringify(saved)}`)
  await s.app.library.renders.editsChanged(videoId)
  return saved.version
}

/** The video `id` as the library has it now (throws if there is none). */
export async function videoOf(s: TestServer, id: string): Promise<Video> {
  const v = await s.app.library.db.getVideo(id)
  if (!v) throw new Error(`no video ${id}`)
  return v
}
