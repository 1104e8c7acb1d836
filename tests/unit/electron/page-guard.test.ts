import { describe, expect, it, vi } from 'vitest'
import type { WebContents } from 'electron'
import {
  CRASH_RELOAD_INTERVAL_MS,
  decidePageLost,
  guardPage,
  isBlockedShortcut,
  type KeyInput,
  type PageGuardOptions
} from '../../../src/main/electron/page-guard'
import type { RecorderPhase } from '../../../src/shared/ipc'

vi.mock('electron', () => ({}))

const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({
  type: 'keyDown',
  key: k,
  code: k.length === 1 ? `Key${k.toUpperCase()}` : k,
  control: false,
  meta: false,
  shift: false,
  alt: false,
  ...mods
})

describe('isBlockedShortcut', () => {
  it.each([
    ['Ctrl+R', key('r', { control: true })],
    ['Cmd+R', key('r', { meta: true })],
    ['F5', key('F5')],
    ['Ctrl+F5', key('F5', { control: true })],
    ['Shift+F5', key('F5', { shift: true })],
    ['F12', key('F12')],
    ['Ctrl+Shift+I', key('I', { control: true, shift: true })],
    ['Cmd+Alt+I (key changed by Alt)', { ...key('ˆ', { meta: true, alt: true }), code: 'KeyI' }],
    ['Ctrl+Shift+J', key('J', { control: true, shift: true })]
  ])('blocks %s', (_name, input) => {
    expect(isBlockedShortcut(input)).toBe(true)
  })

  it.each([
    [
      'Ctrl+Shift+R (the record shortcut, handled by the page)',
      key('R', { control: true, shift: true })
    ],
    ['Cmd+Shift+R', key('R', { meta: true, shift: true })],
    ['R (rectangle tool)', key('r')],
    ['Ctrl+Z', key('z', { control: true })],
    ['Ctrl+C (copy)', key('c', { control: true })],
    ['I', key('i')],
    ['keyUp of Ctrl+R', { ...key('r', { control: true }), type: 'keyUp' }]
  ])('lets %s through', (_name, input) => {
    expect(isBlockedShortcut(input)).toBe(false)
  })
})

describe('decidePageLost', () => {
  const context = (
    phase: RecorderPhase,
    more: Partial<Parameters<typeof decidePageLost>[1]> = {}
  ) => ({
    phase,
    closing: false,
    now: 1_000_000,
    lastCrashReloadAt: null,
    ...more
  })

  it.each([
    [
      'a reload while recording',
      { kind: 'navigation' } as const,
      context('recording'),
      'window-reloaded',
      false
    ],
    [
      'a reload while paused',
      { kind: 'navigation' } as const,
      context('paused'),
      'window-reloaded',
      false
    ],
    ['a reload when idle', { kind: 'navigation' } as const, context('idle'), null, false],
    [
      'a reload while finishing',
      { kind: 'navigation' } as const,
      context('finishing'),
      null,
      false
    ],
    [
      'a crash while recording',
      { kind: 'gone', reason: 'crashed' } as const,
      context('recording'),
      'window-crashed',
      true
    ],
    [
      'an out-of-memory kill while paused',
      { kind: 'gone', reason: 'oom' } as const,
      context('paused'),
      'window-crashed',
      true
    ],
    ['a crash when idle', { kind: 'gone', reason: 'killed' } as const, context('idle'), null, true],
    [
      'a clean exit (window closing)',
      { kind: 'gone', reason: 'clean-exit' } as const,
      context('idle'),
      null,
      false
    ],
    [
      'a crash while quitting',
      { kind: 'gone', reason: 'crashed' } as const,
      context('recording', { closing: true }),
      'window-crashed',
      false
    ],
    [
      'a second crash within a minute of the last reload',
      { kind: 'gone', reason: 'crashed' } as const,
      context('idle', { lastCrashReloadAt: 1_000_000 - CRASH_RELOAD_INTERVAL_MS + 1 }),
      null,
      false
    ],
    [
      'a crash a minute after the last reload',
      { kind: 'gone', reason: 'crashed' } as const,
      context('idle', { lastCrashReloadAt: 1_000_000 - CRASH_RELOAD_INTERVAL_MS }),
      null,
      true
    ]
  ])('%s', (_name, event, ctx, finishRecording, reload) => {
    expect(decidePageLost(event, ctx)).toEqual({ finishRecording, reload })
  })
})

describe('guardPage', () => {
  type Listener = (...args: unknown[]) => void
  function fakeContents() {
    const listeners = new Map<string, Listener>()
    return {
      listeners,
      on: vi.fn((name: string, listener: Listener) => listeners.set(name, listener)),
      reload: vi.fn(),
      isDestroyed: () => false,
      emit: (name: string, ...args: unknown[]) => listeners.get(name)?.(...args)
    }
  }

  function setup(more: Partial<PageGuardOptions> = {}) {
    const contents = fakeContents()
    let phase: RecorderPhase = 'recording'
    const finishRecording = vi.fn(async () => undefined)
    guardPage(contents as unknown as WebContents, {
      isPackaged: true,
      phase: () => phase,
      closing: () => false,
      finishRecording,
      now: () => 5_000_000,
      ...more
    })
    return { contents, finishRecording, setPhase: (p: RecorderPhase) => (phase = p) }
  }

  it('finishes the recording when the page reloads mid-recording, not on same-document or subframe navigations', () => {
    const { contents, finishRecording } = setup()
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true })
    contents.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false })
    expect(finishRecording).not.toHaveBeenCalled()
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false })
    expect(finishRecording).toHaveBeenCalledWith('window-reloaded')
  })

  it('finishes the recording and reloads the window when the renderer crashes, once a minute at most', () => {
    const { contents, finishRecording, setPhase } = setup()
    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 })
    expect(finishRecording).toHaveBeenCalledWith('window-crashed')
    expect(contents.reload).toHaveBeenCalledTimes(1)
    setPhase('idle')
    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 })
    expect(contents.reload).toHaveBeenCalledTimes(1)
    expect(finishRecording).toHaveBeenCalledTimes(1)
  })

  it('blocks the reload and DevTools keys in a packaged app', () => {
    const { contents } = setup()
    const event = { preventDefault: vi.fn() }
    contents.emit('before-input-event', event, key('r', { control: true }))
    expect(event.preventDefault).toHaveBeenCalled()
    const record = { preventDefault: vi.fn() }
    contents.emit('before-input-event', record, key('R', { control: true, shift: true }))
    expect(record.preventDefault).not.toHaveBeenCalled()
  })

  it('leaves the keys alone in development', () => {
    const { contents } = setup({ isPackaged: false })
    expect(contents.listeners.has('before-input-event')).toBe(false)
    expect(contents.listeners.has('did-start-navigation')).toBe(true)
  })

  it('reports a failed finish instead of throwing', async () => {
    const warn = vi.fn()
    const { contents } = setup({
      warn,
      finishRecording: vi.fn(async () => {
        throw new Error('boom')
      })
    })
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false })
    await vi.waitFor(() => expect(warn).toHaveBeenCalled())
  })
})
