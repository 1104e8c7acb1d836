/**
 * The edits sync (src/main/share/edits-sync.ts) against a fake library (versions, a conflict
 * elsewhere, refusals, offline) and a fake clock, with real project folders: edits.json written
 * the way the editor's save writes it, edits-sync.json read back from disk.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emptyEdits, serializeEdits, type Edits } from '../../../../src/shared/edits'
import { EDITS_SYNC_FILE } from '../../../../src/shared/project'
import { writeEdits } from '../../../../src/main/projects/edits-store'
import type { EditsAnswer, EditsApi } from '../../../../src/main/share/edits-api'
import {
  CONFLICT_MESSAGE,
  createEditsSync,
  editsSyncHash,
  writeEditsSyncRecord,
  type EditsSync,
  type EditsSyncRecord,
  type SyncTimers
} from '../../../../src/main/share/edits-sync'
import { tempDir } from '../helpers/fakes'

const P1 = '20261129-120000-sync'
const VIDEO = 'vid_abc123'
const DURATION_MS = 10_000

/** Timers that only move when the test says so. */
class FakeClock implements SyncTimers {
  now = 0
  private nextId = 1
  private readonly timers = new Map<number, { at: number; callback: () => void }>()

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++
    this.timers.set(id, { at: this.now + ms, callback })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number)
  }

  /** Runs every timer due within `ms`, in time order. */
  advance(ms: number): void {
    const until = this.now + ms
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined
      for (const entry of this.timers) {
        if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry
      }
      if (!next) break
      this.timers.delete(next[0])
      this.now = next[1].at
      next[1].callback()
    }
    this.now = until
  }

  /** How long until each waiting timer fires. */
  waits(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.now)
  }
}

interface Put {
  readonly videoId: string
  readonly baseVersion: number
  readonly edits: Edits
}

/** The library's side: its newest version and edits, and how it answers. */
class FakeLibrary implements EditsApi {
  version = 0
  edits: Edits = emptyEdits()
  /** 'offline': no answer; 'refuse': 400 with `refusal`; 'token': 401. */
  mode: 'online' | 'offline' | 'refuse' | 'token' = 'online'
  refusal = 'The edits were refused: annotations[0].text must be text'
  readonly puts: Put[] = []
  gets = 0
  /** When set, PUTs wait for it before answering. */
  hold: Promise<void> | null = null

  async get(): Promise<EditsAnswer> {
    this.gets++
    if (this.mode === 'offline') return { kind: 'retry', message: 'Nothing is answering.' }
    return { kind: 'ok', version: this.version, edits: JSON.parse(serializeEdits(this.edits)) }
  }

  async put(videoId: string, baseVersion: number, edits: Edits): Promise<EditsAnswer> {
    this.puts.push({ videoId, baseVersion, edits })
    if (this.hold) await this.hold
    switch (this.mode) {
      case 'offline':
        return { kind: 'retry', message: 'Nothing is answering at 127.0.0.1:9.' }
      case 'refuse':
        return { kind: 'refused', message: this.refusal }
      case 'token':
        return { kind: 'auth', message: 'the library refused the access token' }
      case 'online':
        break
    }
    if (baseVersion !== this.version) {
      return {
        kind: 'conflict',
        version: this.version,
        message: `These edits are based on version ${baseVersion}, but the library has version ${this.version} (changed elsewhere). Nothing was saved.`
      }
    }
    this.version++
    this.edits = edits
    return { kind: 'ok', version: this.version }
  }

  /** Another client saves a version. */
  changeElsewhere(edits: Edits): void {
    this.version++
    this.edits = edits
  }
}

function callout(id: string, text: string): Edits['annotations'][number] {
  return { id, type: 'callout', startMs: 1000, endMs: 3000, x: 0.1, y: 0.1, w: 0.4, h: 0.2, text }
}

function edits(...texts: string[]): Edits {
  return {
    version: 2,
    keep: [
      [0, 4000],
      [6000, DURATION_MS]
    ],
    annotations: texts.map((text, i) => callout(`c${i}`, text))
  }
}

let dir: string
let cleanup: () => Promise<void>
let projectsDir: string
let projectDir: string
let clock: FakeClock
let library: FakeLibrary
let changes: string[]
let syncs: EditsSync[]

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir('sidecast-edits-sync-'))
  projectsDir = join(dir, 'projects')
  projectDir = join(projectsDir, P1)
  await mkdir(projectDir, { recursive: true })
  clock = new FakeClock()
  library = new FakeLibrary()
  changes = []
  syncs = []
})

afterEach(async () => {
  for (const sync of syncs) await sync.shutdown()
  await cleanup()
})

function makeSync(api: EditsApi = library): EditsSync {
  const sync = createEditsSync({
    api,
    projectsDir,
    projectDir: (id) => join(projectsDir, id),
    durationMs: async () => DURATION_MS,
    changed: (id) => changes.push(id),
    timers: clock,
    warn: () => undefined
  })
  syncs.push(sync)
  return sync
}

/** What the editor's save does: edits.json written, then the sync told. */
async function save(sync: EditsSync, value: Edits): Promise<Edits> {
  const stored = await writeEdits(projectDir, value, DURATION_MS)
  sync.saved(P1)
  return stored
}

async function record(): Promise<EditsSyncRecord> {
  return JSON.parse(await readFile(join(projectDir, EDITS_SYNC_FILE), 'utf8')) as EditsSyncRecord
}

/** A project whose edits `synced` are in the library as version `version`. */
async function inLibrary(synced: Edits, version: number): Promise<void> {
  const stored = await writeEdits(projectDir, synced, DURATION_MS)
  library.version = version
  library.edits = stored
  await writeEditsSyncRecord(projectDir, {
    videoId: VIDEO,
    version,
    sentHash: editsSyncHash(stored),
    state: 'synced'
  })
}

describe('sending saved edits', () => {
  it('waits for the saves to stop, then sends the last edits once, on the synced version', async () => {
    await inLibrary(edits('First'), 1)
    const sync = makeSync()
    await save(sync, edits('Second'))
    clock.advance(300)
    await save(sync, edits('Third'))
    clock.advance(300)
    const last = await save(sync, edits('Fourth', 'Another'))
    clock.advance(799)
    await sync.idle()
    expect(library.puts).toEqual([])

    clock.advance(1)
    await sync.idle()
    expect(library.puts).toHaveLength(1)
    expect(library.puts[0]).toMatchObject({ videoId: VIDEO, baseVersion: 1 })
    expect(serializeEdits(library.puts[0]!.edits)).toBe(serializeEdits(last))
    expect(await record()).toEqual({
      videoId: VIDEO,
      version: 2,
      sentHash: editsSyncHash(last),
      state: 'synced'
    })
    expect(await sync.status(P1)).toEqual({ state: 'synced', message: null, version: 2 })
    expect(changes).toContain(P1)
  })

  it('sends nothing when the saved edits are the ones the library has', async () => {
    await inLibrary(edits('Same'), 3)
    const sync = makeSync()
    await save(sync, edits('Same'))
    clock.advance(800)
    await sync.idle()
    expect(library.puts).toEqual([])
    expect((await record()).version).toBe(3)
  })

  it('does nothing for a project that is not in the library', async () => {
    const sync = makeSync()
    await save(sync, edits('Local only'))
    clock.advance(800)
    await sync.idle()
    await sync.start()
    await sync.idle()
    expect(library.puts).toEqual([])
    expect(library.gets).toBe(0)
    expect(existsSync(join(projectDir, EDITS_SYNC_FILE))).toBe(false)
    expect(await sync.status(P1)).toBeNull()
  })

  it('says "syncing" while a PUT is on its way', async () => {
    await inLibrary(edits('A'), 1)
    const sync = makeSync()
    let release!: () => void
    library.hold = new Promise((resolve) => (release = resolve))
    await save(sync, edits('B'))
    clock.advance(800)
    await expect.poll(() => library.puts.length, { timeout: 20_000 }).toBe(1)
    expect((await sync.status(P1))?.state).toBe('syncing')
    release()
    await sync.idle()
    expect((await sync.status(P1))?.state).toBe('synced')
  })
})

describe('after an upload', () => {
  it('sends the edits of a new video as version 1, based on 0', async () => {
    const local = await writeEdits(projectDir, edits('After upload'), DURATION_MS)
    const sync = makeSync()
    await sync.uploaded(P1, VIDEO)
    expect(library.puts).toEqual([{ videoId: VIDEO, baseVersion: 0, edits: local }])
    expect(await record()).toMatchObject({ videoId: VIDEO, version: 1, state: 'synced' })
  })

  it('sends nothing for a recording without edits, and syncs its first edit later', async () => {
    const sync = makeSync()
    await sync.uploaded(P1, VIDEO)
    expect(library.puts).toEqual([])
    expect(await record()).toMatchObject({ version: 0, state: 'synced' })

    await save(sync, edits('First edit'))
    clock.advance(800)
    await sync.idle()
    expect(library.puts.map((p) => p.baseVersion)).toEqual([0])
    expect((await record()).version).toBe(1)
  })

  it('puts the edits of a new version of a video on top of the library’s newest', async () => {
    await writeEdits(projectDir, edits('New recording'), DURATION_MS)
    library.version = 4
    const sync = makeSync()
    await sync.uploaded(P1, VIDEO, { replaced: true })
    expect(library.puts.map((p) => p.baseVersion)).toEqual([4])
    expect((await record()).version).toBe(5)
  })
})

describe('a conflict', () => {
  it('is kept (local edits intact, nothing sent by itself) until "Send mine anyway"', async () => {
    await inLibrary(edits('Mine v1'), 1)
    library.changeElsewhere(edits('Theirs'))
    const sync = makeSync()
    const mine = await save(sync, edits('Mine v2'))
    clock.advance(800)
    await sync.idle()
    expect(await record()).toMatchObject({
      state: 'conflict',
      version: 1,
      message: CONFLICT_MESSAGE
    })
    expect(await readFile(join(projectDir, 'edits.json'), 'utf8')).toBe(serializeEdits(mine))
    expect(library.edits.annotations[0]).toMatchObject({ text: 'Theirs' })

    // More saves do not send on a stale base; nor does the start scan.
    await save(sync, edits('Mine v3'))
    clock.advance(800)
    await sync.idle()
    await sync.start()
    await sync.idle()
    expect(library.puts).toHaveLength(1)
    expect((await sync.status(P1))?.state).toBe('conflict')

    const after = await sync.sendMineAnyway(P1)
    expect(after).toEqual({ state: 'synced', message: null, version: 3 })
    expect(library.puts.at(-1)?.baseVersion).toBe(2)
    expect(library.edits.annotations[0]).toMatchObject({ text: 'Mine v3' })
  })

  it('"Send mine anyway" while the library is unreachable says so and keeps the conflict', async () => {
    await inLibrary(edits('Mine v1'), 1)
    library.changeElsewhere(edits('Theirs'))
    const sync = makeSync()
    await save(sync, edits('Mine v2'))
    clock.advance(800)
    await sync.idle()
    library.mode = 'offline'
    await expect(sync.sendMineAnyway(P1)).rejects.toThrow(/could not be reached/)
    expect((await record()).state).toBe('conflict')
  })
})

describe('a refusal', () => {
  it('is stored with the library’s message; the next save tries again', async () => {
    await inLibrary(edits('Fine'), 1)
    library.mode = 'refuse'
    const sync = makeSync()
    await save(sync, edits('Bad?'))
    clock.advance(800)
    await sync.idle()
    expect(await record()).toMatchObject({ state: 'refused', message: library.refusal, version: 1 })
    expect(await sync.status(P1)).toEqual({
      state: 'refused',
      message: library.refusal,
      version: 1
    })
    // A refusal is not retried by a timer.
    expect(clock.waits()).toEqual([])

    library.mode = 'online'
    await save(sync, edits('Fixed'))
    clock.advance(800)
    await sync.idle()
    expect(await record()).toMatchObject({ state: 'synced', version: 2 })
  })

  it('a refused token waits (pending, with the reason) without retrying until told to', async () => {
    await inLibrary(edits('A'), 1)
    library.mode = 'token'
    const sync = makeSync()
    await save(sync, edits('B'))
    clock.advance(800)
    await sync.idle()
    expect(await record()).toMatchObject({
      state: 'pending',
      message: 'the library refused the access token'
    })
    expect(clock.waits()).toEqual([])
    library.mode = 'online'
    sync.retryPending()
    await sync.idle()
    expect(await record()).toMatchObject({ state: 'synced', version: 2 })
  })
})

describe('offline', () => {
  it('stays pending and retries with backoff (1 s doubling to 60 s), then syncs', async () => {
    await inLibrary(edits('A'), 1)
    library.mode = 'offline'
    const sync = makeSync()
    const latest = await save(sync, edits('B'))
    clock.advance(800)
    await sync.idle()
    const waits: number[] = []
    for (let i = 0; i < 8; i++) {
      expect((await record()).state).toBe('pending')
      const [wait, ...others] = clock.waits()
      expect(others).toEqual([])
      waits.push(wait!)
      clock.advance(wait!)
      await sync.idle()
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000])
    expect(library.puts).toHaveLength(9)
    expect((await record()).message).toMatch(/unreachable; retrying/)

    library.mode = 'online'
    clock.advance(60_000)
    await sync.idle()
    expect(await record()).toMatchObject({
      state: 'synced',
      version: 2,
      sentHash: editsSyncHash(latest)
    })
    expect(clock.waits()).toEqual([])
  })

  it('pending edits survive a quit: a new instance sends them at start', async () => {
    await inLibrary(edits('A'), 1)
    library.mode = 'offline'
    const first = makeSync()
    const latest = await save(first, edits('B'))
    clock.advance(800)
    await first.idle()
    await first.shutdown()
    expect((await record()).state).toBe('pending')

    library.mode = 'online'
    const second = makeSync()
    await second.start()
    await second.idle()
    expect(library.puts.at(-1)).toMatchObject({ baseVersion: 1 })
    expect(await record()).toMatchObject({
      state: 'synced',
      version: 2,
      sentHash: editsSyncHash(latest)
    })
  })

  it('a save not yet sent at quit (debounce cut short) goes at the next start', async () => {
    await inLibrary(edits('A'), 1)
    const first = makeSync()
    await save(first, edits('B'))
    await first.shutdown()
    expect(library.puts).toEqual([])

    const second = makeSync()
    await second.start()
    await second.idle()
    expect(library.puts).toHaveLength(1)
    expect((await record()).version).toBe(2)
  })
})
