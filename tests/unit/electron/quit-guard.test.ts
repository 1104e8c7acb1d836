import { describe, expect, it, vi } from 'vitest'
import type { RecorderState } from '../../../src/shared/ipc'
import { createQuitGuard } from '../../../src/main/electron/quit-guard'

function fakeRecorder(initial: RecorderState['phase']) {
  let state: RecorderState = { phase: initial, projectId: initial === 'idle' ? null : 'p1' }
  const listeners = new Set<(s: RecorderState) => void>()
  return {
    state: () => state,
    onState: (l: (s: RecorderState) => void) => {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    set(phase: RecorderState['phase']) {
      state = { phase, projectId: phase === 'idle' ? null : 'p1' }
      for (const l of [...listeners]) l(state)
    },
    listenerCount: () => listeners.size
  }
}

function setup(phase: RecorderState['phase'], stopTimeoutMs = 10_000) {
  const recorder = fakeRecorder(phase)
  const log: string[] = []
  const quit = vi.fn(() => log.push('quit'))
  const guard = createQuitGuard({
    state: recorder.state,
    onState: recorder.onState,
    command: (c) => log.push(`command:${c}`),
    shutdown: async () => {
      log.push('shutdown')
    },
    quit,
    stopTimeoutMs
  })
  const quitRequest = () => {
    const event = { preventDefault: vi.fn() }
    guard.beforeQuit(event)
    return event.preventDefault.mock.calls.length > 0
  }
  return { recorder, log, quit, guard, quitRequest }
}

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('createQuitGuard', () => {
  it('while idle: finishes the services, then quits for real', async () => {
    const { log, guard, quitRequest } = setup('idle')
    expect(quitRequest()).toBe(true)
    await vi.waitFor(() => expect(log).toEqual(['shutdown', 'quit']))
    expect(guard.done).toBe(true)
    // The second before-quit (from quit()) goes through.
    expect(quitRequest()).toBe(false)
  })

  it('while recording: asks the renderer to stop and waits for the recording to finish', async () => {
    const { recorder, log, quitRequest } = setup('recording')
    expect(quitRequest()).toBe(true)
    await settle()
    expect(log).toEqual(['command:stop'])
    // More quit requests while waiting change nothing.
    expect(quitRequest()).toBe(true)
    recorder.set('finishing')
    await settle()
    expect(log).toEqual(['command:stop'])
    recorder.set('idle')
    await vi.waitFor(() => expect(log).toEqual(['command:stop', 'shutdown', 'quit']))
    expect(recorder.listenerCount()).toBe(0)
  })

  it('while finishing: waits without sending stop', async () => {
    const { recorder, log, quitRequest } = setup('finishing')
    quitRequest()
    await settle()
    expect(log).toEqual([])
    recorder.set('idle')
    await vi.waitFor(() => expect(log).toEqual(['shutdown', 'quit']))
  })

  it('finishes without the renderer when it does not stop in time', async () => {
    const { log, quitRequest } = setup('paused', 20)
    quitRequest()
    await vi.waitFor(() => expect(log).toEqual(['command:stop', 'shutdown', 'quit']))
  })

  it('still quits when shutdown fails', async () => {
    const warn = vi.fn()
    const quit = vi.fn()
    const guard = createQuitGuard({
      state: () => ({ phase: 'idle', projectId: null }),
      onState: () => () => undefined,
      command: () => undefined,
      shutdown: async () => {
        throw new Error('disk gone')
      },
      quit,
      warn
    })
    guard.beforeQuit({ preventDefault: () => undefined })
    await vi.waitFor(() => expect(quit).toHaveBeenCalled())
    expect(warn).toHaveBeenCalled()
  })
})
