/**
 * The app's edits sync against the real library server (in-process on 127.0.0.1, stoppable and
 * restartable on the same port): a recording with a cut and a callout goes up as it is through
 * the real upload queue (no export), its edits follow as version 1; a changed callout arrives as
 * version 2 in a small request; a stale write is reported as a conflict with the local edits
 * intact; a library that is down leaves the edits pending until it is back.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AppServices } from '../../src/main/app-services'
import { NODE_LIBRARY_NET, type LibraryNet } from '../../src/main/share/library-net'
import { serializeEdits, type Edits } from '../../src/shared/edits'
import type { EventChannel, UploadInfo } from '../../src/shared/ipc'
import { EDITS_SYNC_FILE, type RecordingFacts } from '../../src/shared/project'
import { makeVideo, tempDir } from '../server/support'
import { testAppServices } from '../support/app-services'
import { startTestLibrary, type TestLibrary } from '../support/library'

const ID = '20261129-120000-sync'
const DURATION_MS = 2000

let video: Buffer
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  video = await makeVideo(join(tempDir('edits-sync-src'), 'small.mp4'), {
    seconds: 2,
    faststart: true
  })
}, 120_000)

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

/** One request the app's library network sent (the JSON API's, not tus's). */
interface SentRequest {
  readonly method: string
  readonly path: string
  readonly bodyBytes: number
}

function edits(calloutText: string): Edits {
  return {
    version: 2,
    // A cut from 0.8 s to 1.2 s.
    keep: [
      [0, 800],
      [1200, DURATION_MS]
    ],
    annotations: [
      {
        id: 'c1',
        type: 'callout',
        startMs: 200,
        endMs: 700,
        x: 0.1,
        y: 0.1,
        w: 0.5,
        h: 0.2,
        text: calloutText
      }
    ]
  }
}

async function project(projectsDir: string, first: Edits): Promise<string> {
  const dir = join(projectsDir, ID)
  await mkdir(dir, { recursive: true })
  const facts: RecordingFacts = {
    version: 1,
    id: ID,
    status: 'complete',
    title: 'Edits travel with the video',
    createdAt: '2026-11-29T12:00:00.000Z',
    sourceName: 'Entire screen',
    file: 'recording.mp4',
    container: 'mp4',
    mimeType: 'video/webm;codecs=h264,opus',
    videoCodec: 'h264',
    audioCodec: 'aac',
    width: 320,
    height: 240,
    durationMs: DURATION_MS
  }
  await writeFile(join(dir, 'recording.json'), JSON.stringify(facts, null, 2))
  await writeFile(join(dir, 'recording.mp4'), video)
  await writeFile(join(dir, 'edits.json'), serializeEdits(first))
  return dir
}

interface App {
  readonly services: AppServices
  readonly sent: SentRequest[]
  readonly events: { channel: EventChannel; payload: unknown }[]
}

async function app(library: TestLibrary): Promise<App> {
  const sent: SentRequest[] = []
  const events: { channel: EventChannel; payload: unknown }[] = []
  // Node's network, with every JSON API request's body counted.
  const net: LibraryNet = {
    httpStack: NODE_LIBRARY_NET.httpStack,
    fetch: (url, init) => {
      sent.push({
        method: init.method ?? 'GET',
        path: new URL(String(url)).pathname,
        bodyBytes: init.body === undefined ? 0 : Buffer.byteLength(init.body)
      })
      return NODE_LIBRARY_NET.fetch(url, init)
    }
  }
  const services = testAppServices({
    dataDir: tempDir('edits-sync-app'),
    env: { SIDECAST_LIBRARY_URL: library.url, SIDECAST_LIBRARY_TOKEN: library.token },
    uploadRetryDelaysMs: [100, 200],
    editsSyncTiming: { debounceMs: 50, retryDelaysMs: [100, 200, 400] },
    emit: (channel, payload) => events.push({ channel, payload }),
    adapters: { net }
  })
  cleanups.push(() => services.shutdown())
  await services.startup()
  return { services, sent, events }
}

/** The library's edits of a video, read by its owner. */
async function libraryEdits(
  library: TestLibrary,
  videoId: string
): Promise<{ version: number; edits: Edits }> {
  const res = await fetch(`${library.url}/api/videos/${videoId}/edits`, {
    headers: { Authorization: `Bearer ${library.token}` }
  })
  expect(res.status).toBe(200)
  return (await res.json()) as { version: number; edits: Edits }
}

async function syncRecord(dir: string): Promise<{ state: string; version: number }> {
  return JSON.parse(await readFile(join(dir, EDITS_SYNC_FILE), 'utf8')) as {
    state: string
    version: number
  }
}

async function waitForSync(dir: string, state: string, version?: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const record = await syncRecord(dir).catch(() => null)
      expect(record?.state).toBe(state)
      if (version !== undefined) expect(record?.version).toBe(version)
    },
    { timeout: 30_000, interval: 50 }
  )
}

describe('edits travel with the video (real library server)', () => {
  it('uploads as it is, then syncs versions, reports a stale write, and waits out a library that is down', async () => {
    const library = await startTestLibrary()
    cleanups.push(() => library.dispose())
    const { services, sent, events } = await app(library)
    const first = edits('Press the walrus button')
    const dir = await project(services.projects.projectsDir, first)

    // 1. Upload: the recording as it is, no export; its edits follow as version 1.
    await services.handlers['uploads:start'](ID, {})
    await vi.waitFor(
      async () => {
        const [upload] = await services.handlers['uploads:list']()
        if (upload?.state === 'failed') throw new Error(`failed: ${upload.error}`)
        expect(upload?.state).toBe('done')
      },
      { timeout: 60_000, interval: 100 }
    )
    const uploadEvents = events
      .filter((e) => e.channel === 'uploads:changed')
      .map((e) => e.payload as UploadInfo)
    expect(uploadEvents.map((u) => u.state)).not.toContain('exporting')
    expect(events.filter((e) => e.channel === 'export:progress')).toEqual([])
    const link = JSON.parse(await readFile(join(dir, 'share.json'), 'utf8')) as {
      videoId: string
      url: string
    }
    await waitForSync(dir, 'synced', 1)
    const v1 = await libraryEdits(library, link.videoId)
    expect(v1.version).toBe(1)
    expect(v1.edits.keep).toEqual(first.keep)
    expect(v1.edits.annotations).toEqual(first.annotations)
    // The first PUT was based on version 0.
    const firstPut = sent.find((r) => r.method === 'PUT')
    expect(firstPut?.path).toBe(`/api/videos/${link.videoId}/edits`)
    const [summary] = await services.handlers['projects:list']()
    expect(summary?.editsSync).toEqual({ state: 'synced', message: null, version: 1 })
    expect(summary?.shareUrl).toBe(link.url)

    // 2. A changed callout: version 2, in a small request, no new upload, same link.
    const putsBefore = sent.filter((r) => r.method === 'PUT').length
    const second = edits('Press the otter button')
    await services.handlers['edits:save'](ID, second)
    await waitForSync(dir, 'synced', 2)
    const v2 = await libraryEdits(library, link.videoId)
    expect(v2.version).toBe(2)
    expect(v2.edits.annotations[0]).toMatchObject({ text: 'Press the otter button' })
    const puts = sent.filter((r) => r.method === 'PUT').slice(putsBefore)
    expect(puts).toHaveLength(1)
    expect(puts[0]!.bodyBytes).toBeGreaterThan(0)
    expect(puts[0]!.bodyBytes).toBeLessThan(64 * 1024)
    expect(await services.handlers['uploads:list']()).toHaveLength(1)
    expect(JSON.parse(await readFile(join(dir, 'share.json'), 'utf8'))).toMatchObject(link)

    // 3. Another client saves version 3; the app's next save is stale: a conflict, nothing lost.
    const theirs = edits('Changed elsewhere')
    const bump = await fetch(`${library.url}/api/videos/${link.videoId}/edits`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${library.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ baseVersion: 2, edits: theirs })
    })
    expect(bump.status).toBe(200)
    const mine = edits('Mine, after theirs')
    const stored = await services.handlers['edits:save'](ID, mine)
    await waitForSync(dir, 'conflict', 2)
    expect(await readFile(join(dir, 'edits.json'), 'utf8')).toBe(serializeEdits(stored))
    const v3 = await libraryEdits(library, link.videoId)
    expect(v3.version).toBe(3)
    expect(v3.edits.annotations[0]).toMatchObject({ text: 'Changed elsewhere' })
    expect((await services.handlers['projects:list']())[0]?.editsSync?.state).toBe('conflict')

    // "Send mine anyway": on top of version 3.
    const resolved = await services.handlers['share:send-mine-anyway'](ID)
    expect(resolved).toEqual({ state: 'synced', message: null, version: 4 })
    expect((await libraryEdits(library, link.videoId)).edits.annotations[0]).toMatchObject({
      text: 'Mine, after theirs'
    })

    // 4. The library is down: the edits wait (pending); once it is back they arrive.
    await library.stop()
    await services.handlers['edits:save'](ID, edits('Written offline'))
    await waitForSync(dir, 'pending')
    expect((await services.handlers['projects:list']())[0]?.editsSync?.state).toMatch(
      /pending|syncing/
    )
    await library.start()
    await waitForSync(dir, 'synced', 5)
    const v5 = await libraryEdits(library, link.videoId)
    expect(v5.edits.annotations[0]).toMatchObject({ text: 'Written offline' })
  }, 120_000)
})
