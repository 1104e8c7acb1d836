import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ffprobeBeside } from '../../../src/engine/smart-probes'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidecast-ffprobe-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function executable(name: string): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, '#!/bin/sh\n')
  await chmod(file, 0o755)
  return file
}

describe('ffprobeBeside (the engine finds ffprobe where ffmpeg is, when not told)', () => {
  it('is the executable ffprobe in the same folder', async () => {
    const ffmpeg = await executable('ffmpeg')
    const ffprobe = await executable('ffprobe')
    expect(ffprobeBeside(ffmpeg)).toBe(ffprobe)
  })

  it('keeps a suffix such as .exe', async () => {
    const ffmpeg = await executable('ffmpeg.exe')
    const ffprobe = await executable('ffprobe.exe')
    expect(ffprobeBeside(ffmpeg)).toBe(ffprobe)
  })

  it('is null when there is none, or it cannot run', async () => {
    const ffmpeg = await executable('ffmpeg')
    expect(ffprobeBeside(ffmpeg)).toBeNull()
    await writeFile(join(dir, 'ffprobe'), 'not executable')
    await chmod(join(dir, 'ffprobe'), 0o644)
    expect(ffprobeBeside(ffmpeg)).toBeNull()
  })

  it('is null for a binary whose name does not say ffmpeg', async () => {
    const other = await executable('avconv')
    await executable('ffprobe')
    expect(ffprobeBeside(other)).toBeNull()
  })
})
