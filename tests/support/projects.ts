/**
 * Finished projects on disk, made the way the app makes them: a live-style WebM (VP8/Opus,
 * written to a pipe like MediaRecorder's output) fed to the real capture writer in chunks, then
 * finished (remuxed, probed, thumbnailed). For e2e tests and benchmarks that start from a
 * recording rather than from a screen.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMediaTools } from '../../src/main/ffmpeg/media-tools'
import { locateFfmpeg } from '../../src/main/ffmpeg/locate-ffmpeg'
import { createProjectFolders } from '../../src/main/projects/project-folders'
import { createCaptureWriter } from '../../src/main/recording/capture-writer'
import type { RecordingFacts } from '../../src/shared/project'
import { ffmpegToFile } from './media'

export interface SourceOptions {
  readonly seconds: number
  readonly width: number
  readonly height: number
  /** Background colour as ffmpeg names it, e.g. `0x808080`. */
  readonly background?: string
  /** `vp8` (default, as Chromium records) or `h264` (Matroska, as Chromium can record too). */
  readonly codec?: 'vp8' | 'h264'
  readonly fps?: number
}

function ffmpegPaths(): { ffmpegPath: string; ffprobePath: string } {
  const found = locateFfmpeg({ settingPath: '' })
  if (!found.ok || !found.path || !found.ffprobePath) {
    throw new Error(`No ffmpeg for tests: ${found.problem ?? 'unknown problem'}`)
  }
  return { ffmpegPath: found.path, ffprobePath: found.ffprobePath }
}

/**
 * Writes a screen-like source: a plain background with a small box moving along the bottom
 * edge (so frames differ, but the middle of the frame stays the background colour) and a tone.
 */
export async function makeScreenSource(file: string, options: SourceOptions): Promise<void> {
  const { width, height, seconds } = options
  const fps = options.fps ?? 30
  const background = options.background ?? '0x808080'
  const box = Math.max(8, Math.round(height / 12))
  const graph = [
    `color=c=${background}:s=${width}x${height}:r=${fps}[bg]`,
    `color=c=0x2050c0:s=${box}x${box}:r=${fps}[box]`,
    `[bg][box]overlay=x='mod(t*${Math.round(width / 4)},${width - box})':y=${height - box},format=yuv420p[v]`
  ].join(';')
  const video =
    options.codec === 'h264'
      ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(fps)]
      : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1500k']
  // prettier-ignore
  const args = [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'nullsrc=s=16x16',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-filter_complex', graph, '-map', '[v]', '-map', '1:a',
    '-t', String(seconds),
    ...video,
    '-c:a', 'libopus', '-b:a', '64k',
    '-f', options.codec === 'h264' ? 'matroska' : 'webm', 'pipe:1'
  ]
  await ffmpegToFile(ffmpegPaths().ffmpegPath, args, file)
}

/**
 * Records `sourceFile` into a new project of `dataDir` through the real capture writer, in
 * MediaRecorder-sized chunks, and finishes it; returns its facts.
 */
export async function recordProjectFromFile(
  dataDir: string,
  sourceFile: string,
  options: { mimeType?: string; projectsDir?: string } = {}
): Promise<RecordingFacts> {
  const tools = createMediaTools(ffmpegPaths())
  const store = createCaptureWriter({
    folders: createProjectFolders({
      dataDir,
      ...(options.projectsDir ? { projectsDir: options.projectsDir } : {})
    }),
    mediaTools: () => tools,
    warn: () => undefined
  })
  const facts = await store.create({
    sourceName: 'Entire screen',
    mimeType: options.mimeType ?? 'video/webm;codecs=vp8,opus'
  })
  const handle = await open(sourceFile, 'r')
  try {
    const chunk = 256 * 1024
    const size = (await handle.stat()).size
    let seq = 0
    for (let offset = 0; offset < size; offset += chunk) {
      const buffer = new Uint8Array(Math.min(chunk, size - offset))
      await handle.read(buffer, 0, buffer.byteLength, offset)
      await store.appendChunk(facts.id, seq++, buffer)
    }
  } finally {
    await handle.close()
  }
  return store.finish(facts.id, { status: 'complete' })
}

/** A finished project made from a fresh screen-like source; the source file is removed. */
export async function makeFinishedProject(
  dataDir: string,
  options: SourceOptions
): Promise<RecordingFacts> {
  const work = mkdtempSync(join(tmpdir(), 'sidecast-source-'))
  try {
    const file = join(work, options.codec === 'h264' ? 'source.mkv' : 'source.webm')
    await makeScreenSource(file, options)
    return await recordProjectFromFile(dataDir, file, {
      mimeType: options.codec === 'h264' ? 'video/x-matroska;codecs=avc1,opus' : undefined
    })
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
