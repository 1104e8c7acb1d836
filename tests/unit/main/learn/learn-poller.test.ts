/**
 * The notifications poller with a scripted client, timers driven by hand and the real cursor file
 * in a temporary folder: the first poll only sets the cursor, new items become notifications (a
 * summary over three), a restart does not repeat them, failures back off, polls never overlap,
 * and nothing is polled without a library that has the `learn` feature.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  NOTIFICATIONS_PAGE_SIZE,
  type LearnClient,
  type LearnOutcome
} from '../../../../src/main/learn/learn-client'
import {
  createLearnPoller,
  MAX_BACKOFF_MS,
  notificationsToShow,
  POLL_INTERVAL_MS,
  type LearnPoller,
  type PollTimers
} from '../../../../src/main/learn/learn-poller'
import {
  createCursorStore,
  cursorKey,
  NOTIFICATION_CURSORS_FILE
} from '../../../../src/main/learn/notification-cursors'
import type { NotificationJson, NotificationsJson, RequestJson } from '../../../../src/shared/learn'

const LIB = 'https://library.example.com'

function note(id: number, over: Partial<NotificationJson> = {}): NotificationJson {
  return {
    id,
    kind: 'comment',
    actorName: 'bob',
    title: `bob commented ${id}`,
    body: `body ${id}`,
    url: `${LIB}/v/abc?t=${id}`,
    createdAt: '2026-12-01T10:00:00.000Z',
    read: false,
    ...over
  }
}

function req(id: string): RequestJson {
  return {
    id,
    title: `Request ${id}`,
    details: '',
    tags: [],
    askedBy: 'bob',
    createdAt: '2026-12-01T10:00:00.000Z',
    state: 'open',
    wanted: 1,
    answers: [],
    url: `${LIB}/requests/${id}`
  }
}

/** Timers run only when the test says so. */
function manualTimers(): PollTimers & { pending: { ms: number; run: () => void }[]; fire(): void } {
  const pending: { ms: number; run: () => void; handle: object }[] = []
  return {
    pending,
    setTimeout(run, ms) {
      const handle = {}
      pending.push({ ms, run, handle })
      return handle
    },
    clearTimeout(handle) {
      const i = pending.findIndex((p) => p.handle === handle)
      if (i >= 0) pending.splice(i, 1)
    },
    fire() {
      const next = pending.shift()
      if (!next) throw new Error('no timer pending')
      next.run()
    }
  }
}

let dir: string
let features: LearnOutcome<readonly string[]>
/** Whose the token is (`/api/me`'s name). */
let account: string
let inbox: NotificationJson[]
let notificationsAnswer: (() => LearnOutcome<NotificationsJson>) | null
let asked: (number | undefined)[]
let connected: boolean
let shown: { title: string; body: string; url?: string }[]
let notificationsOn: boolean
let timers: ReturnType<typeof manualTimers>
let open: RequestJson[]
let trayLists: string[][]
let featureCalls: number
/** When set, notifications() waits for it (to test overlapping polls). */
let gate: Promise<void> | null
let inFlight = 0
let maxInFlight = 0

const client: LearnClient = {
  credentials: async () => (connected ? { url: LIB, token: `t-${account}` } : null),
  me: async () => {
    featureCalls++
    return features.kind === 'ok'
      ? { kind: 'ok', value: { name: account, features: features.value } }
      : features
  },
  features: async () => features,
  openRequests: async () => ({ kind: 'ok', value: open }),
  notifications: async (after) => {
    asked.push(after)
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    try {
      if (gate) await gate
    } finally {
      inFlight--
    }
    if (notificationsAnswer) return notificationsAnswer()
    return {
      kind: 'ok',
      value: {
        // Newest first, one page at most, like the library.
        notifications: inbox
          .filter((n) => after === undefined || n.id > after)
          .sort((a, b) => b.id - a.id)
          .slice(0, NOTIFICATIONS_PAGE_SIZE),
        unread: 0
      }
    }
  }
}

function poller(): LearnPoller {
  return createLearnPoller({
    client,
    notificationsOn: () => notificationsOn,
    notify: (title, body, options) => shown.push({ title, body, ...options }),
    cursors: createCursorStore(dir),
    timers,
    trayRequestsChanged: (list) => trayLists.push(list.map((r) => r.id)),
    warn: () => undefined
  })
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidecast-learn-'))
  features = { kind: 'ok', value: ['learn'] }
  account = 'alice'
  inbox = [note(1), note(2)]
  notificationsAnswer = null
  asked = []
  connected = true
  shown = []
  notificationsOn = true
  timers = manualTimers()
  open = [req('a')]
  trayLists = []
  featureCalls = 0
  gate = null
  inFlight = 0
  maxInFlight = 0
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('learn poller', () => {
  it('first sets the cursor without showing old news, then shows each new item with its url', async () => {
    const p = poller()
    await p.pollNow()
    expect(asked).toEqual([undefined])
    expect(shown).toEqual([])
    expect(timers.pending.map((t) => t.ms)).toEqual([POLL_INTERVAL_MS])
    inbox.push(note(3), note(4, { url: 'https://evil.test/phish' }))
    timers.fire()
    await p.pollNow()
    expect(asked.slice(1, 2)).toEqual([2])
    expect(shown).toEqual([
      { title: 'bob commented 3', body: 'body 3', url: `${LIB}/v/abc?t=3` },
      // A page outside the library is never opened from a click.
      { title: 'bob commented 4', body: 'body 4' }
    ])
    p.dispose()
  })

  it('keeps the cursor per library across a restart, so nothing is shown twice', async () => {
    const first = poller()
    await first.pollNow()
    inbox.push(note(3))
    await first.pollNow()
    expect(shown.map((s) => s.title)).toEqual(['bob commented 3'])
    first.dispose()
    const file = JSON.parse(await readFile(join(dir, NOTIFICATION_CURSORS_FILE), 'utf8'))
    expect(file.cursors).toEqual({ [cursorKey(LIB, 'alice')]: 3 })

    const second = poller()
    await second.pollNow()
    expect(asked.at(-1)).toBe(3)
    expect(shown).toHaveLength(1)
    second.dispose()
  })

  it('keeps the cursor per account: another person on the same library starts fresh', async () => {
    const p = poller()
    await p.pollNow()
    inbox.push(note(3))
    await p.pollNow()
    expect(shown.map((s) => s.title)).toEqual(['bob commented 3'])
    // Carol's token on the same library: her own backlog is old news to the desktop.
    account = 'carol'
    inbox = [note(1), note(2), note(3), note(10), note(11)]
    p.pollSoon()
    await p.pollNow()
    expect(asked.at(-1)).toBeUndefined()
    expect(shown).toHaveLength(1)
    inbox.push(note(12))
    await p.pollNow()
    expect(asked.at(-1)).toBe(11)
    expect(shown.map((s) => s.title)).toEqual(['bob commented 3', 'bob commented 12'])
    // Back to alice: her cursor is where she left it.
    account = 'alice'
    p.pollSoon()
    await p.pollNow()
    expect(asked.at(-1)).toBe(3)
    p.dispose()
  })

  it('starts fresh when the setting is turned back on, instead of showing what came meanwhile', async () => {
    const p = poller()
    await p.pollNow()
    notificationsOn = false
    await p.pollNow()
    inbox.push(note(3), note(4))
    await p.pollNow()
    notificationsOn = true
    await p.pollNow()
    expect(shown).toEqual([])
    inbox.push(note(5))
    await p.pollNow()
    expect(shown.map((s) => s.title)).toEqual(['bob commented 5'])
    p.dispose()
  })

  it('starts fresh when the setting is turned on after starting with it off', async () => {
    notificationsOn = false
    const first = poller()
    await first.pollNow()
    notificationsOn = true
    await first.pollNow()
    first.dispose()
    // Off again, a restart, news meanwhile, then on: none of it is shown.
    notificationsOn = false
    const second = poller()
    await second.pollNow()
    inbox.push(note(3))
    notificationsOn = true
    await second.pollNow()
    expect(shown).toEqual([])
    second.dispose()
  })

  it('says "50+ new" when a whole page of new items came (the library may have more)', async () => {
    const p = poller()
    await p.pollNow()
    for (let id = 3; id < 3 + NOTIFICATIONS_PAGE_SIZE + 5; id++) inbox.push(note(id))
    await p.pollNow()
    expect(shown).toEqual([
      {
        title: `${NOTIFICATIONS_PAGE_SIZE}+ new in Sidecast Library`,
        body: expect.any(String) as string,
        url: `${LIB}/inbox`
      }
    ])
    p.dispose()
  })

  it('turns more than three new items into one summary opening the inbox', async () => {
    const p = poller()
    await p.pollNow()
    inbox.push(note(3), note(4), note(5), note(6), note(7))
    await p.pollNow()
    expect(shown).toEqual([
      {
        title: '5 new in Sidecast Library',
        body: expect.any(String) as string,
        url: `${LIB}/inbox`
      }
    ])
    p.dispose()
  })

  it('backs off after failures (doubling, capped) and goes back to 60 s after a success', async () => {
    const p = poller()
    await p.pollNow()
    notificationsAnswer = () => ({ kind: 'unreachable', message: 'down' })
    const waits: number[] = []
    for (let i = 0; i < 6; i++) {
      await p.pollNow()
      waits.push(timers.pending.at(-1)!.ms)
    }
    expect(waits).toEqual([
      2 * POLL_INTERVAL_MS,
      4 * POLL_INTERVAL_MS,
      8 * POLL_INTERVAL_MS,
      MAX_BACKOFF_MS,
      MAX_BACKOFF_MS,
      MAX_BACKOFF_MS
    ])
    expect(timers.pending).toHaveLength(1)
    notificationsAnswer = null
    await p.pollNow()
    expect(timers.pending.map((t) => t.ms)).toEqual([POLL_INTERVAL_MS])
    p.dispose()
    expect(timers.pending).toEqual([])
  })

  it('never runs two polls at once: those asked for meanwhile become one poll after it', async () => {
    const p = poller()
    await p.pollNow()
    let release!: () => void
    gate = new Promise<void>((resolve) => (release = resolve))
    const running = p.pollNow()
    await vi.waitFor(() => expect(asked).toHaveLength(2))
    p.pollSoon()
    p.pollSoon()
    void p.pollNow()
    gate = null
    release()
    await running
    // The three asks made while it ran come to one poll after it, never beside it.
    await vi.waitFor(() => expect(asked).toHaveLength(3))
    expect(maxInFlight).toBe(1)
    p.dispose()
  })

  it('polls nothing without a library, or from one without the learn feature', async () => {
    connected = false
    const p = poller()
    await p.pollNow()
    expect(asked).toEqual([])
    expect(timers.pending).toEqual([])
    connected = true
    features = { kind: 'ok', value: ['edits'] }
    p.pollSoon()
    await p.pollNow()
    expect(asked).toEqual([])
    expect(timers.pending).toEqual([])
    // The library was updated; a reconnect (pollSoon) asks about its features again.
    features = { kind: 'ok', value: ['edits', 'learn'] }
    p.pollSoon()
    await p.pollNow()
    expect(asked).toEqual([undefined])
    p.dispose()
  })

  it('asks about features once per connection, not at every poll', async () => {
    const p = poller()
    await p.pollNow()
    await p.pollNow()
    await p.pollNow()
    expect(featureCalls).toBe(1)
    p.dispose()
  })

  it('shows nothing while the setting is off, but keeps the tray requests current', async () => {
    notificationsOn = false
    const p = poller()
    await p.pollNow()
    expect(asked).toEqual([])
    expect(trayLists).toEqual([['a']])
    open = [req('b'), req('a')]
    await p.pollNow()
    await p.pollNow()
    expect(trayLists).toEqual([['a'], ['b', 'a']])
    expect(p.trayRequests().map((r) => r.id)).toEqual(['b', 'a'])
    connected = false
    await p.pollNow()
    expect(trayLists.at(-1)).toEqual([])
    p.dispose()
  })

  it('lists at most eight requests for the tray', async () => {
    open = Array.from({ length: 12 }, (_, i) => req(`r${i}`))
    const p = poller()
    await p.pollNow()
    expect(p.trayRequests()).toHaveLength(8)
    p.dispose()
  })
})

describe('cursor store', () => {
  it('treats a broken file as empty and replaces it', async () => {
    await writeFile(join(dir, NOTIFICATION_CURSORS_FILE), '{not json')
    const store = createCursorStore(dir)
    expect(await store.get(LIB, 'alice')).toBeNull()
    await store.set(LIB, 'alice', 12)
    expect(await createCursorStore(dir).get(LIB, 'alice')).toBe(12)
    expect(await createCursorStore(dir).get(LIB, 'carol')).toBeNull()
  })

  it('ignores a version 1 cursor (per address only) and drops it when the account’s is set', async () => {
    const other = 'https://other.example.com'
    await writeFile(
      join(dir, NOTIFICATION_CURSORS_FILE),
      JSON.stringify({ version: 1, cursors: { [LIB]: 1, [other]: 7 } })
    )
    const p = poller()
    await p.pollNow()
    // Whose it was is not known: the first poll only sets the cursor (notes 1 and 2 not shown).
    expect(asked).toEqual([undefined])
    expect(shown).toEqual([])
    const file = JSON.parse(await readFile(join(dir, NOTIFICATION_CURSORS_FILE), 'utf8'))
    expect(file).toEqual({ version: 2, cursors: { [other]: 7, [cursorKey(LIB, 'alice')]: 2 } })
    p.dispose()
  })
})

describe('notificationsToShow', () => {
  it('shows a full page as "N+" even when few', () => {
    expect(notificationsToShow([note(1)], LIB, true)).toEqual([
      expect.objectContaining({ title: '1+ new in Sidecast Library', url: `${LIB}/inbox` })
    ])
  })

  it('shows three separately and four as a summary', () => {
    expect(notificationsToShow([note(1), note(2), note(3)], LIB)).toHaveLength(3)
    expect(notificationsToShow([note(1), note(2), note(3), note(4)], LIB)).toEqual([
      expect.objectContaining({ title: '4 new in Sidecast Library', url: `${LIB}/inbox` })
    ])
  })
})
