/** The tray's "Answer a request" submenu (tray-menu.ts, pure). */
import { describe, expect, it, vi } from 'vitest'
import type { MenuItemConstructorOptions } from 'electron'
import {
  answerRequestItems,
  buildTrayMenu,
  TRAY_REQUEST_ITEMS,
  type TrayActions
} from '../../../src/main/electron/tray-menu'
import type { RecorderPhase } from '../../../src/shared/ipc'

function actions(): TrayActions {
  return {
    start: vi.fn(),
    stop: vi.fn(),
    pause: vi.fn(),
    resume: vi.fn(),
    restart: vi.fn(),
    discard: vi.fn(),
    uploadLast: vi.fn(),
    open: vi.fn(),
    quit: vi.fn(),
    answerRequest: vi.fn(),
    openRequests: vi.fn()
  }
}

const state = (phase: RecorderPhase) => ({ phase, projectId: phase === 'idle' ? null : 'p' })
const requests = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `r${i}`, title: `Request ${i}` }))

function click(item: MenuItemConstructorOptions | undefined): void {
  ;(item?.click as (() => void) | undefined)?.()
}

describe('answer a request', () => {
  it('is absent without open requests', () => {
    expect(answerRequestItems(state('idle'), [], actions())).toEqual([])
    const ids = buildTrayMenu(state('idle'), actions(), { requests: [] }).map((i) => i.id)
    expect(ids).not.toContain('answer-request')
  })

  it('lists up to eight requests, then "Open requests in the app…", after Start', () => {
    const a = actions()
    const menu = buildTrayMenu(state('idle'), a, { requests: requests(12) })
    expect(menu.map((i) => i.id).slice(0, 2)).toEqual(['start', 'answer-request'])
    const item = menu[1]!
    expect(item.enabled).toBe(true)
    const sub = item.submenu as MenuItemConstructorOptions[]
    expect(sub).toHaveLength(TRAY_REQUEST_ITEMS + 2)
    expect(sub.at(-1)).toMatchObject({ id: 'open-requests', label: 'Open requests in the app…' })
    click(sub[0])
    expect(a.answerRequest).toHaveBeenCalledWith({ requestId: 'r0', title: 'Request 0' })
    click(sub.at(-1))
    expect(a.openRequests).toHaveBeenCalledTimes(1)
  })

  it('is disabled while a recording is on', () => {
    for (const phase of ['recording', 'paused', 'finishing'] as const) {
      expect(answerRequestItems(state(phase), requests(1), actions())[0]?.enabled).toBe(false)
    }
  })

  it('shortens long titles and escapes & for the menu, but records the whole title', () => {
    const a = actions()
    const title = `Tips & tricks ${'x'.repeat(100)}`
    const sub = answerRequestItems(state('idle'), [{ id: 'r', title }], a)[0]!
      .submenu as MenuItemConstructorOptions[]
    expect(sub[0]!.label).toMatch(/^Tips && tricks x+…$/)
    expect([...sub[0]!.label!.replace('&&', '&')].length).toBe(60)
    click(sub[0])
    expect(a.answerRequest).toHaveBeenCalledWith({ requestId: 'r', title })
  })
})
