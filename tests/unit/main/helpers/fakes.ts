/** Fakes for main-process unit tests: media tools that copy bytes instead of running ffmpeg. */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MediaProbe, MediaTools } from '../../../../src/main/ffmpeg/media-tools'
import { SidecastError } from '../../../../src/shared/errors'

export interface FakeMediaTools extends MediaTools {
  /** Set to make the next calls of that operation fail. */
  fail: { remux?: boolean; probe?: boolean; thumbnail?: boolean }
  probeResult: MediaProbe
  calls: string[]
}

export function fakeMediaTools(): FakeMediaTools {
  const tools: FakeMediaTools = {
    fail: {},
    calls: [],
    probeResult: {
      durationMs: 4000,
      width: 1920,
      height: 1080,
      videoCodec: 'vp8',
      audioCodec: 'opus',
      formatName: 'matroska,webm'
    },
    async remux(input, output) {
      tools.calls.push(`remux ${input} ${output}`)
      if (tools.fail.remux) throw new SidecastError('ffmpeg-failed', 'ffmpeg could not remux: boom')
      await copyFile(input, output)
    },
    async probe(file) {
      tools.calls.push(`probe ${file}`)
      if (tools.fail.probe) throw new SidecastError('not-a-video', 'not a video')
      return tools.probeResult
    },
    async thumbnail(input, output) {
      tools.calls.push(`thumbnail ${input} ${output}`)
      if (tools.fail.thumbnail) throw new SidecastError('ffmpeg-failed', 'no thumbnail')
      await writeFile(output, 'jpeg')
    }
  }
  return tools
}

export async function tempDir(
  prefix: string
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

export function bytes(length: number, fill: number): Uint8Array {
  return new Uint8Array(length).fill(fill)
}
