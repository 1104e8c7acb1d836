/**
 * Learn together as main composes it (app-services.ts), against a real local HTTP server standing
 * in for the library: startup polls (the first poll only sets the cursor), new notifications reach
 * `adapters.notify` with their url, the tray hears of open requests, turning the setting on polls
 * at once, `requests:list` answers through the IPC dispatch, and shutdown stops the timer.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createAppServices, type AppServices } from '../../../../src/main/app-services'
import { dispatchInvoke } from '../../../../src/main/ipc/dispatch'
import type { PollTimers } from '../../../../src/main/learn/learn-poller'
import {
  createSettingsStore,
  type SettingsBacking
} from '../../../../src/main/settings/settings-store'
import { PLAIN_SECRETS } from '../../../../src/main/share/token-store'
import type { RequestsList } from '../../../../src/shared/ipc'
import type { NotificationJson, RequestJson } from '../../../../src/shared/learn'
import type { Settings } from '../../../../src/shared/settings'
import { tempDir } from '../helpers/fakes'

let server: Server
let base: string
let inbox: NotificationJson[]
let notificationCalls: string[]

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const send = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.headers.authorization !== 'Bearer sct_wiring') {
      res.writeHead(401, { 'content-type': 'application/json' })
      res.end('{"error":"no"}')
    } else if (url.pathname === '/api/me') {
      send({ name: 'alice', admin: false, features: ['learn'] })
    } else if (url.pathname === '/api/requests') {
      const request: RequestJson = {
        id: 'r1',
        title: 'How do I reconcile supplier invoices?',
        details: '',
        tags: ['finance'],
        askedBy: 'bob',
        createdAt: '2026-12-01T10:00:00.000Z',
        state: 'open',
        wanted: 2,
        answers: [],
        url: `${base}/requests/r1`
      }
      send({ requests: [request], total: 1 })
    } else if (url.pathname === '/api/notifications') {
      notificationCalls.push(url.search)
      const after = Number(url.searchParams.get('after') ?? -1)
      send({ notifications: inbox.filter((n) => n.id > after).reverse(), unread: inbox.length })
    } else {
      res.writeHead(404)
      res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

let services: AppServices
let cleanup: () => Promise<void>
let notified: { title: string; body: string; url?: string }[]
let pending: Set<() => void>
let trayLists: string[][]

function note(id: number): NotificationJson {
  return {
    id,
    kind: 'comment',
    actorName: 'bob',
    title: `bob asked a question ${id}`,
    body: 'Where does the supplier number come from?',
    url: `${base}/v/vid1?t=5`,
    createdAt: '2026-12-01T10:00:00.000Z',
    read: false
  }
}

beforeEach(async () => {
  const temp = await tempDir('sidecast-learn-wiring-')
  cleanup = temp.cleanup
  inbox = [note(1)]
  notificationCalls = []
  notified = []
  trayLists = []
  pending = new Set()
  let stored: Record<string, unknown> = {}
  const backing: SettingsBacking = {
    get store() {
      return stored
    },
    set(object: Partial<Settings>) {
      stored = { ...stored, ...object }
    }
  }
  // Timers that never fire by themselves: the test polls with pollNow or through the handlers.
  const timers: PollTimers = {
    setTimeout(run) {
      pending.add(run)
      return run
    },
    clearTimeout(handle) {
      pending.delete(handle as () => void)
    }
  }
  services = createAppServices({
    dataDir: temp.dir,
    version: '1.2.3',
    platform: 'linux',
    harness: true,
    settings: createSettingsStore(backing),
    adapters: {
      preventSleep: () => () => undefined,
      listCaptureSources: async () => [],
      revealPath: async () => undefined,
      mediaUrl: (id, file) => `sidecast-media://${id}/${file}`,
      copyText: () => undefined,
      notify: (title, body, options) => notified.push({ title, body, ...options }),
      openExternal: async () => undefined,
      secrets: PLAIN_SECRETS
    },
    emit: () => undefined,
    env: { SIDECAST_LIBRARY_URL: base, SIDECAST_LIBRARY_TOKEN: 'sct_wiring' },
    locateFfmpeg: () => ({
      ok: false,
      path: null,
      source: null,
      problem: 'none',
      ffprobePath: null
    }),
    trayRequests: true,
    learnPoll: { timers }
  })
  services.learn.onTrayRequests((list) => trayLists.push(list.map((r) => r.id)))
})

afterEach(async () => {
  await services.shutdown()
  await cleanup()
})

describe('learn together in main', () => {
  it('polls from startup, shows only new notifications with their url, and lists requests for the tray', async () => {
    await services.startup()
    await vi.waitFor(() => expect(notificationCalls).toHaveLength(1))
    await services.learn.poller.pollNow()
    expect(notificationCalls[0]).toBe('?limit=50')
    expect(notified).toEqual([])
    expect(trayLists).toEqual([['r1']])
    inbox.push(note(2))
    await services.learn.poller.pollNow()
    expect(notificationCalls.at(-1)).toBe('?limit=50&after=1')
    expect(notified).toEqual([
      {
        title: 'bob asked a question 2',
        body: 'Where does the supplier number come from?',
        url: `${base}/v/vid1?t=5`
      }
    ])
    expect(pending.size).toBe(1)
    await services.shutdown()
    expect(pending.size).toBe(0)
  })

  it('polls at once when notifications are turned on in Settings', async () => {
    const saved = await dispatchInvoke(services.handlers, 'settings:set', [
      { notifyActivity: false }
    ])
    expect(saved).toMatchObject({ ok: true, value: { notifyActivity: false } })
    await services.learn.poller.pollNow()
    expect(notificationCalls).toEqual([])
    await dispatchInvoke(services.handlers, 'settings:set', [{ notifyActivity: true }])
    await vi.waitFor(() => expect(notificationCalls).toHaveLength(1))
  })

  it('answers requests:list through the dispatch', async () => {
    const response = await dispatchInvoke(services.handlers, 'requests:list', [{ q: 'invoices' }])
    expect(response.ok).toBe(true)
    if (!response.ok) return
    const list = response.value as RequestsList
    expect(list.state).toBe('ok')
    expect(list.state === 'ok' && list.requests[0]?.title).toBe(
      'How do I reconcile supplier invoices?'
    )
  })
})
