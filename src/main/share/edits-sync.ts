/**
 * Keeps the edits of a recording that is in the team library in sync with it (issue 13): after
 * the editor saves (debounced), the project's edits go to the library as a new version
 * (`PUT /api/videos/:videoId/edits { baseVersion, edits }`, edits-api.ts), so a changed callout
 * reaches viewers without a new upload, under the same link.
 *
 * Per project, `<project>/edits-sync.json` (atomic writes) says where its edits stand:
 * `{ videoId, version, sentHash, state, message? }` — the library's video, the library's version
 * the edits were last synced as, sha256 of those edits (serializeEdits), and the state:
 * - `synced`: the library has them; a save whose edits hash the same sends nothing;
 * - `pending`: waiting (offline, a server problem, a timeout: retried with backoff, 1 s doubling
 *   to 60 s, and at every start; a refused token: retried when the token changes or at start);
 * - `conflict`: the library's edits changed elsewhere (409). Nothing is sent by itself any more;
 *   the local edits are kept, and "Send mine anyway" (sendMineAnyway) sends them on top of the
 *   library's newest version;
 * - `refused`: the library refused the edits (400, its message names the field) or the video is
 *   gone; the next save tries again.
 * The local edits.json is never changed here: nothing is lost, and nothing is overwritten
 * silently on either side.
 */
import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { emptyEdits, serializeEdits, type Edits } from '../../shared/edits'
import { SidecastError } from '../../shared/errors'
import {
  EDITS_SYNC_FILE,
  isValidProjectId,
  type EditsSyncState,
  type EditsSyncStatus
} from '../../shared/project'
import { readTextIfExists, writeJsonAtomic } from '../../engine/atomic-file'
import { errorMessage } from '../../engine/error-details'
import { readEdits as readEditsFile } from '../projects/edits-store'
import type { EditsAnswer, EditsApi } from './edits-api'

/** What edits-sync.json holds. */
export interface EditsSyncRecord {
  readonly videoId: string
  /** The library's version these edits were last synced as (0: none yet). */
  readonly version: number
  /** sha256 (hex) of serializeEdits of the edits last synced. */
  readonly sentHash: string
  readonly state: Exclude<EditsSyncState, 'syncing'>
  /** Why it waits or was refused. */
  readonly message?: string
}

/** Waits after a failed send: 1 s doubling to 60 s, the last one repeating. */
export const EDITS_RETRY_DELAYS_MS: readonly number[] = [
  1000, 2000, 4000, 8000, 16_000, 32_000, 60_000
]

/** The wait after the last save before the edits are sent. */
export const EDITS_DEBOUNCE_MS = 800

export const CONFLICT_MESSAGE =
  'Changed on the library since you last synced; your edits are kept here.'

/** Timers, injectable so tests drive the clock. */
export interface SyncTimers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const REAL_TIMERS: SyncTimers = {
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms)
    timer.unref?.()
    return timer
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout)
}

export interface EditsSyncOptions {
  readonly api: EditsApi
  /** The projects folder, scanned at start for edits waiting to be sent. */
  readonly projectsDir: string
  projectDir(projectId: string): string
  /** The recording's duration (kept ranges are read against it), when known. */
  durationMs(projectId: string): Promise<number | undefined>
  /** A project's sync state changed (the app tells the renderer: `projects:changed`). */
  changed(projectId: string): void
  /** Default: the project's edits.json. */
  readonly readEdits?: (projectDir: string, durationMs?: number) => Promise<Edits>
  /** Default EDITS_DEBOUNCE_MS. */
  readonly debounceMs?: number
  /** Default EDITS_RETRY_DELAYS_MS. */
  readonly retryDelaysMs?: readonly number[]
  readonly timers?: SyncTimers
  readonly warn?: (message: string) => void
}

export interface EditsSync {
  /** Sends whatever waits: every project whose edits are pending or changed since their sync. */
  start(): Promise<void>
  /** The editor saved the project's edits: they go to the library after the debounce. */
  saved(projectId: string): void
  /**
   * The project's recording has just been uploaded as library video `videoId` (as it is, to a
   * library that takes edits): its edits follow, based on version 0 — or, for a new version of
   * a video already there (`replaced`), on the library's newest.
   */
  uploaded(
    projectId: string,
    videoId: string,
    options?: { readonly replaced?: boolean }
  ): Promise<void>
  /** Sends the project's edits now (Upload on a recording already in the library). */
  syncNow(projectId: string): Promise<EditsSyncStatus | null>
  /**
   * "Send mine anyway" after a conflict: the library's newest version becomes the base and the
   * local edits are sent on top of it (a deliberate overwrite by the user, never a silent one).
   */
  sendMineAnyway(projectId: string): Promise<EditsSyncStatus>
  /** Where the project's edits stand in the library; null when it is not synced at all. */
  status(projectId: string): Promise<EditsSyncStatus | null>
  /** The project's edits-sync.json, or null. */
  record(projectId: string): Promise<EditsSyncRecord | null>
  /** The network is back or the token changed: whatever is pending goes now. */
  retryPending(): void
  /** Resolves once nothing is being sent or read (tests; shutdown). */
  idle(): Promise<void>
  /** Stops the timers and waits for what is being sent; pending edits go at the next start. */
  shutdown(): Promise<void>
}

/** sha256 of the edits as edits.json holds them. */
export function editsSyncHash(edits: Edits): string {
  return createHash('sha256').update(serializeEdits(edits)).digest('hex')
}

const STATES: readonly string[] = ['synced', 'pending', 'conflict', 'refused']

/** Reads edits-sync.json; null when absent or not one (a broken file is as if never synced). */
export async function readEditsSyncRecord(projectDir: string): Promise<EditsSyncRecord | null> {
  const text = await readTextIfExists(join(projectDir, EDITS_SYNC_FILE)).catch(() => null)
  if (text === null) return null
  let json: unknown
  try {
    json = JSON.parse(text) as unknown
  } catch {
    return null
  }
  if (typeof json !== 'object' || json === null) return null
  const { videoId, version, sentHash, state, message } = json as Record<string, unknown>
  if (typeof videoId !== 'string' || videoId === '') return null
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) return null
  if (typeof sentHash !== 'string' || typeof state !== 'string' || !STATES.includes(state)) {
    return null
  }
  return {
    videoId,
    version,
    sentHash,
    state: state as EditsSyncRecord['state'],
    ...(typeof message === 'string' && message ? { message } : {})
  }
}

export function writeEditsSyncRecord(projectDir: string, record: EditsSyncRecord): Promise<void> {
  return writeJsonAtomic(join(projectDir, EDITS_SYNC_FILE), {
    videoId: record.videoId,
    version: record.version,
    sentHash: record.sentHash,
    state: record.state,
    ...(record.message ? { message: record.message } : {})
  })
}

interface Runtime {
  debounce: unknown
  retry: unknown
  /** Failed sends in a row (picks the backoff). */
  attempt: number
  /** The project's operations run one after another. */
  chain: Promise<void>
  /** True while a PUT is on its way. */
  sending: boolean
}

export function createEditsSync(options: EditsSyncOptions): EditsSync {
  const timers = options.timers ?? REAL_TIMERS
  const debounceMs = options.debounceMs ?? EDITS_DEBOUNCE_MS
  const delays = options.retryDelaysMs ?? EDITS_RETRY_DELAYS_MS
  const readEdits = options.readEdits ?? readEditsFile
  const warn = options.warn ?? ((message: string) => console.warn(`[edits-sync] ${message}`))
  const runtimes = new Map<string, Runtime>()
  /** Projects whose last known state is pending (retryPending's list). */
  const pending = new Set<string>()
  const running = new Set<Promise<void>>()
  let stopping = false

  function runtime(projectId: string): Runtime {
    let rt = runtimes.get(projectId)
    if (!rt) {
      rt = { debounce: null, retry: null, attempt: 0, chain: Promise.resolve(), sending: false }
      runtimes.set(projectId, rt)
    }
    return rt
  }

  /** Runs `op` after the project's earlier operations; its failure is returned, not lost. */
  function enqueue<T>(projectId: string, op: () => Promise<T>): Promise<T> {
    const rt = runtime(projectId)
    const result = rt.chain.then(op)
    const done = result.then(
      () => undefined,
      () => undefined
    )
    rt.chain = done
    running.add(done)
    void done.finally(() => running.delete(done))
    return result
  }

  function background(projectId: string, op: () => Promise<void>): void {
    if (stopping) return
    enqueue(projectId, op).catch((error: unknown) =>
      warn(`syncing the edits of ${projectId} failed: ${errorMessage(error)}`)
    )
  }

  const dir = (projectId: string): string => options.projectDir(projectId)

  async function store(projectId: string, record: EditsSyncRecord): Promise<void> {
    await writeEditsSyncRecord(dir(projectId), record)
    if (record.state === 'pending') pending.add(projectId)
    else pending.delete(projectId)
    options.changed(projectId)
  }

  async function localEdits(projectId: string): Promise<Edits> {
    return readEdits(dir(projectId), await options.durationMs(projectId))
  }

  function clearRetry(rt: Runtime): void {
    if (rt.retry !== null) timers.clearTimeout(rt.retry)
    rt.retry = null
  }

  function scheduleRetry(projectId: string): void {
    const rt = runtime(projectId)
    clearRetry(rt)
    if (stopping) return
    const delay = delays[Math.min(rt.attempt, delays.length - 1)] ?? 60_000
    rt.attempt++
    rt.retry = timers.setTimeout(() => {
      rt.retry = null
      background(projectId, () => flush(projectId))
    }, delay)
  }

  /** Stores what the library answered to a PUT of `edits` (hash `hash`) on `record`. */
  async function settle(
    projectId: string,
    record: EditsSyncRecord,
    hash: string,
    answer: EditsAnswer
  ): Promise<void> {
    const rt = runtime(projectId)
    const base = { videoId: record.videoId, version: record.version, sentHash: record.sentHash }
    switch (answer.kind) {
      case 'ok':
        rt.attempt = 0
        clearRetry(rt)
        await store(projectId, {
          videoId: record.videoId,
          version: answer.version,
          sentHash: hash,
          state: 'synced'
        })
        return
      case 'conflict':
        clearRetry(rt)
        await store(projectId, { ...base, state: 'conflict', message: CONFLICT_MESSAGE })
        return
      case 'refused':
      case 'gone':
        clearRetry(rt)
        await store(projectId, { ...base, state: 'refused', message: answer.message })
        return
      case 'auth':
        // No timer: every try would be refused the same way until the token changes.
        clearRetry(rt)
        await store(projectId, { ...base, state: 'pending', message: answer.message })
        return
      case 'retry':
        await store(projectId, {
          ...base,
          state: 'pending',
          message: `the library is unreachable; retrying. ${answer.message}`
        })
        scheduleRetry(projectId)
        return
    }
  }

  /** PUTs `edits` on `base` and stores the answer; the card shows "Syncing" meanwhile. */
  async function send(
    projectId: string,
    record: EditsSyncRecord,
    edits: Edits,
    baseVersion: number
  ): Promise<void> {
    const rt = runtime(projectId)
    rt.sending = true
    options.changed(projectId)
    let answer: EditsAnswer
    try {
      answer = await options.api.put(record.videoId, baseVersion, edits)
    } catch (error) {
      answer = { kind: 'retry', message: errorMessage(error) }
    } finally {
      rt.sending = false
    }
    await settle(projectId, { ...record, version: baseVersion }, editsSyncHash(edits), answer)
  }

  /** Sends the project's edits when they differ from what the library has; never in a conflict. */
  async function flush(projectId: string): Promise<void> {
    if (stopping) return
    const record = await readEditsSyncRecord(dir(projectId))
    if (!record) return
    if (record.state === 'pending') pending.add(projectId)
    // A conflict waits for the user: sending on a stale base would only be refused again.
    if (record.state === 'conflict') return
    let edits: Edits
    try {
      edits = await localEdits(projectId)
    } catch (error) {
      // A broken edits.json is the editor's to fix; what the library has stays.
      warn(`the edits of ${projectId} cannot be read: ${errorMessage(error)}`)
      return
    }
    if (editsSyncHash(edits) === record.sentHash) {
      // Nothing changed since the last sync (or a change was undone): nothing to send.
      if (record.state !== 'synced') {
        clearRetry(runtime(projectId))
        await store(projectId, { ...record, state: 'synced', message: undefined })
      }
      return
    }
    await send(projectId, record, edits, record.version)
  }

  async function status(projectId: string): Promise<EditsSyncStatus | null> {
    const record = await readEditsSyncRecord(dir(projectId))
    if (!record) return null
    const sending = runtimes.get(projectId)?.sending === true
    return {
      state: sending ? 'syncing' : record.state,
      message: sending ? null : (record.message ?? null),
      version: record.version
    }
  }

  function notSynced(): SidecastError {
    return new SidecastError(
      'not-shared',
      'This recording’s edits are not in the library yet. Upload it first.'
    )
  }

  return {
    async start() {
      stopping = false
      let names: string[]
      try {
        names = await readdir(options.projectsDir)
      } catch {
        return
      }
      for (const projectId of names) {
        if (!isValidProjectId(projectId)) continue
        const record = await readEditsSyncRecord(dir(projectId)).catch(() => null)
        // Pending ones go now; synced ones go if they were saved but not sent before a quit.
        if (record && (record.state === 'pending' || record.state === 'synced')) {
          background(projectId, () => flush(projectId))
        }
      }
    },

    saved(projectId) {
      if (stopping) return
      const rt = runtime(projectId)
      if (rt.debounce !== null) timers.clearTimeout(rt.debounce)
      rt.debounce = timers.setTimeout(() => {
        rt.debounce = null
        clearRetry(rt)
        background(projectId, () => flush(projectId))
      }, debounceMs)
    },

    async uploaded(projectId, videoId, uploadOptions = {}) {
      await enqueue(projectId, async () => {
        const before = await readEditsSyncRecord(dir(projectId))
        let version = 0
        if (uploadOptions.replaced) {
          // A new recording for a video already there: on top of its newest edits.
          const newest = await options.api.get(videoId)
          if (newest.kind === 'ok') version = newest.version
          else if (before?.videoId === videoId) version = before.version
        }
        const record: EditsSyncRecord = {
          videoId,
          version,
          // Version 0 is "no edits": empty edits need not be sent.
          sentHash: version === 0 ? editsSyncHash(emptyEdits()) : '',
          state: 'pending'
        }
        await store(projectId, record)
        await flush(projectId)
      })
    },

    async syncNow(projectId) {
      const rt = runtime(projectId)
      clearRetry(rt)
      rt.attempt = 0
      await enqueue(projectId, () => flush(projectId))
      return status(projectId)
    },

    async sendMineAnyway(projectId) {
      await enqueue(projectId, async () => {
        const record = await readEditsSyncRecord(dir(projectId))
        if (!record) throw notSynced()
        const newest = await options.api.get(record.videoId)
        if (newest.kind !== 'ok') {
          // The conflict stays as it is; the user hears why nothing was sent.
          const why =
            newest.kind === 'retry'
              ? `The library could not be reached, so nothing was sent: ${newest.message}`
              : newest.message
          throw new SidecastError('edits-not-sent', why)
        }
        const edits = await localEdits(projectId)
        clearRetry(runtime(projectId))
        runtime(projectId).attempt = 0
        await send(projectId, record, edits, newest.version)
      })
      const after = await status(projectId)
      if (!after) throw notSynced()
      return after
    },

    status,
    record: (projectId) => readEditsSyncRecord(dir(projectId)),

    retryPending() {
      for (const projectId of [...pending]) {
        const rt = runtime(projectId)
        clearRetry(rt)
        rt.attempt = 0
        background(projectId, () => flush(projectId))
      }
    },

    async idle() {
      while (running.size > 0) await Promise.all([...running])
    },

    async shutdown() {
      stopping = true
      for (const rt of runtimes.values()) {
        if (rt.debounce !== null) timers.clearTimeout(rt.debounce)
        rt.debounce = null
        clearRetry(rt)
      }
      while (running.size > 0) await Promise.all([...running])
    }
  }
}
