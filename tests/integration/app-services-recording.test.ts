/**
 * The whole main-process recording flow as the renderer drives it (through dispatchInvoke, as the
 * Electron edge and the harness bridge do), with the real bundled ffmpeg.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { AppServices } from '../../src/main/app-services'
import { dispatchInvoke } from '../../src/main/ipc/dispatch'
import type { EventChannel, IpcResponse } from '../../src/shared/ipc'
import type { ProjectSummary, RecoveryNotice } from '../../src/shared/project'
import { decodesCleanly, makeSource, testFfmpeg, type TestFfmpeg } from './helpers/media-fixtures'
import { testAppServices } from '../support/app-services'
import { ffmpegToFile } from '../support/media'

let root: string
let ffmpeg: TestFfmpeg
let source: string
let services: AppServices
const events: { channel: EventChannel; payload: unknown }[] = []
const LEFT_ID = '20261128-101010-0bad'

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sidecast-app-int-'))
  ffmpeg = testFfmpeg()
  source = join(root, 'source.webm')
  await makeSource(ffmpeg, 'vp8', source, 3)

  // A recording an earlier run left behind: capture cut at 60 %, facts still "recording".
  const dataDir = join(root, 'data')
  const leftDir = join(dataDir, 'projects', LEFT_ID)
  await mkdir(leftDir, { recursive: true })
  const bytes = await readFile(source)
  await writeFile(join(leftDir, 'capture.webm'), bytes.subarray(0, Math.floor(bytes.length * 0.6)))
  await writeFile(
    join(leftDir, 'recording.json'),
    JSON.stringify({
      version: 1,
      id: LEFT_ID,
      status: 'recording',
      title: 'Before the crash',
      createdAt: '2026-11-28T10:10:10.000Z',
      sourceName: 'Entire screen',
      file: 'capture.webm',
      container: 'webm',
      mimeType: 'video/webm;codecs=vp8,opus'
    })
  )

  services = testAppServices({
    dataDir,
    emit: (channel, payload) => events.push({ channel, payload })
  })
})

afterAll(async () => {
  await services.shutdown()
  await rm(root, { recursive: true, force: true })
})

async function value<T>(channel: string, ...args: unknown[]): Promise<T> {
  const response: IpcResponse<unknown> = await dispatchInvoke(services.handlers, channel, args)
  if (!response.ok) throw new Error(`${channel}: ${response.error.code}: ${response.error.message}`)
  return response.value as T
}

it('recovers the left-behind recording at startup and tells the renderer once', async () => {
  const notices = await services.startup()
  expect(notices).toHaveLength(1)
  expect(notices[0]).toMatchObject({ projectId: LEFT_ID, title: 'Before the crash', problem: null })
  expect(notices[0]?.durationMs).toBeGreaterThan(1000)
  expect(await value<RecoveryNotice[]>('projects:recovery-notices')).toEqual(notices)
  expect(await value<RecoveryNotice[]>('projects:recovery-notices')).toEqual([])
})

it('records, stops and lists a playable recording', async () => {
  const info = await value<{ ffmpeg: { ok: boolean; source: string } }>('app:info')
  expect(info.ffmpeg).toMatchObject({ ok: true, source: 'bundled' })

  const { projectId } = await value<{ projectId: string }>('recording:start', {
    mimeType: 'video/webm;codecs=vp8,opus',
    sourceName: 'Entire screen'
  })
  const bytes = await readFile(source)
  let seq = 0
  for (let offset = 0; offset < bytes.length; offset += 64 * 1024) {
    const ack = await value<{ bytesWritten: number; diskLow: boolean }>(
      'recording:chunk',
      projectId,
      seq++,
      new Uint8Array(bytes.subarray(offset, offset + 64 * 1024))
    )
    expect(ack.diskLow).toBe(false)
    expect(ack.bytesWritten).toBe(Math.min(bytes.length, offset + 64 * 1024))
  }
  const summary = await value<ProjectSummary>('recording:stop', projectId, {})
  expect(summary).toMatchObject({
    id: projectId,
    status: 'complete',
    width: 320,
    height: 240,
    mediaUrl: `/media/${projectId}/recording.webm`,
    thumbnailUrl: `/media/${projectId}/thumbnail.jpg`
  })
  expect(Math.abs((summary.durationMs ?? 0) - 3000)).toBeLessThanOrEqual(500)
  await decodesCleanly(ffmpeg, join(summary.dir, 'recording.webm'))

  const list = await value<ProjectSummary[]>('projects:list')
  expect(list.map((p) => p.id)).toEqual([projectId, LEFT_ID])
  expect(
    events
      .filter((e) => e.channel === 'recorder:state')
      .map((e) => (e.payload as { phase: string }).phase)
  ).toEqual(['recording', 'finishing', 'idle'])
})

it('records the camera beside the screen through its channels and lists it with the recording', async () => {
  const camera = join(root, 'camera.webm')
  // prettier-ignore
  await ffmpegToFile(ffmpeg.ffmpegPath, [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=30', '-t', '2', '-an',
    '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-f', 'webm', 'pipe:1'
  ], camera)
  const { projectId } = await value<{ projectId: string }>('recording:start', {
    mimeType: 'video/webm;codecs=vp8,opus',
    sourceName: 'Entire screen',
    camera: { mimeType: 'video/webm;codecs=vp8', deviceName: 'Fake camera' }
  })
  const send = async (channel: string, file: string): Promise<void> => {
    const bytes = await readFile(file)
    let seq = 0
    for (let offset = 0; offset < bytes.length; offset += 64 * 1024) {
      const ack = await value<{ bytesWritten: number }>(
        channel,
        projectId,
        seq++,
        new Uint8Array(bytes.subarray(offset, offset + 64 * 1024))
      )
      expect(ack.bytesWritten).toBe(Math.min(bytes.length, offset + 64 * 1024))
    }
  }
  await send('recording:chunk', source)
  await send('recording:camera-chunk', camera)
  await value('recording:camera-info', projectId, { offsetMs: 35, offRanges: [[200, 400]] })
  const summary = await value<ProjectSummary>('recording:stop', projectId, {})
  expect(summary).toMatchObject({
    status: 'complete',
    mediaUrl: `/media/${projectId}/recording.webm`
  })
  expect(summary.camera).toMatchObject({
    url: `/media/${projectId}/camera.webm`,
    offsetMs: 35,
    width: 160,
    height: 120,
    offRanges: [[200, 400]],
    endedBecause: null
  })
  expect(Math.abs((summary.camera?.durationMs ?? 0) - 2000)).toBeLessThanOrEqual(500)
  await decodesCleanly(ffmpeg, join(summary.dir, 'camera.webm'))
})
