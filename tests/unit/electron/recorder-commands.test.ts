import { describe, expect, it, vi } from 'vitest'
import type { RecorderCommand, RecorderPhase } from '../../../src/shared/ipc'
import {
  commandStartsRecording,
  deliverRecorderCommand
} from '../../../src/main/electron/recorder-commands'

function fakeWindow(destroyed = false) {
  const log: string[] = []
  return {
    log,
    isDestroyed: () => destroyed,
    show: () => log.push('show'),
    focus: () => log.push('focus'),
    webContents: {
      executeJavaScript: vi.fn(async (_code: string, userGesture?: boolean) => {
        log.push(`activate:${String(userGesture)}`)
      }),
      send: (channel: string, command: unknown) => log.push(`${channel}:${String(command)}`)
    }
  }
}

describe('deliverRecorderCommand', () => {
  it.each([
    // command, phase, what happens to the window
    ['start', 'idle', ['show', 'focus', 'activate:true', 'recorder:command:start']],
    ['toggle', 'idle', ['show', 'focus', 'activate:true', 'recorder:command:toggle']],
    ['toggle', 'recording', ['recorder:command:toggle']],
    ['toggle', 'paused', ['recorder:command:toggle']],
    ['stop', 'recording', ['recorder:command:stop']],
    ['pause', 'recording', ['recorder:command:pause']],
    ['resume', 'paused', ['recorder:command:resume']],
    // The question is in the bar: the window comes forward with the keyboard, no activation.
    ['restart', 'recording', ['show', 'focus', 'recorder:command:restart']],
    ['discard', 'paused', ['show', 'focus', 'recorder:command:discard']]
  ] as Array<[RecorderCommand, RecorderPhase, string[]]>)(
    '%s while %s → %j',
    async (command, phase, expected) => {
      const window = fakeWindow()
      await deliverRecorderCommand(window, command, phase)
      expect(window.log).toEqual(expected)
      expect(commandStartsRecording(command, phase)).toBe(expected.includes('activate:true'))
    }
  )

  it('still sends the command when granting activation fails', async () => {
    const window = fakeWindow()
    window.webContents.executeJavaScript.mockRejectedValueOnce(new Error('navigated'))
    await deliverRecorderCommand(window, 'start', 'idle')
    expect(window.log).toContain('recorder:command:start')
  })

  it('does nothing without a live window', async () => {
    const window = fakeWindow(true)
    await deliverRecorderCommand(window, 'start', 'idle')
    await deliverRecorderCommand(null, 'start', 'idle')
    expect(window.log).toEqual([])
  })
})
