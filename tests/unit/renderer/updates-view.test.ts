/**
 * Settings › Updates as data (src/renderer/src/settings/updates-view.ts): the status line for each
 * phase and which controls the section offers. The section itself is drawn in the e2e test.
 */
import { describe, expect, it } from 'vitest'
import {
  formatCheckedAt,
  updatesView,
  type UpdatesView
} from '../../../src/renderer/src/settings/updates-view'
import type { UpdateStatus } from '../../../src/shared/ipc'

const status = (change: Partial<UpdateStatus>): UpdateStatus => ({
  currentVersion: '0.1.0',
  phase: 'idle',
  automatic: false,
  managed: false,
  checkedAt: null,
  version: null,
  fraction: null,
  message: null,
  restartWaitsFor: null,
  ...change
})

const at = (iso: string): string => `[${iso.slice(11, 16)}]`
const controls = (view: UpdatesView) => ({
  showCheck: view.showCheck,
  canCheck: view.canCheck,
  showRestart: view.showRestart,
  canRestart: view.canRestart,
  canToggle: view.canToggle
})

describe('the status line', () => {
  it.each([
    [
      'not installed from a release',
      status({ phase: 'unavailable', message: 'This copy runs from its source code.' }),
      'This copy runs from its source code.'
    ],
    [
      'no library',
      status({ phase: 'no-library', message: 'Connect one under Team library.' }),
      'Connect one under Team library.'
    ],
    [
      'nothing checked, manual',
      status({}),
      'Sidecast checks for updates only when you press Check now.'
    ],
    [
      'nothing checked, automatic',
      status({ automatic: true }),
      'Sidecast checks for updates shortly after it starts, then every few hours.'
    ],
    ['checking', status({ phase: 'checking' }), 'Checking for updates…'],
    [
      'downloading',
      status({ phase: 'downloading', version: '0.2.0', fraction: 0.426 }),
      'Downloading Sidecast 0.2.0… 42%'
    ],
    [
      'up to date',
      status({ phase: 'up-to-date', checkedAt: '2026-12-01T10:42:00.000Z' }),
      'Up to date · checked [10:42]'
    ],
    [
      'a .deb hears of a release',
      status({ phase: 'available', version: '0.2.0', message: 'Use your package manager.' }),
      'Sidecast 0.2.0 is available. Use your package manager.'
    ],
    [
      'ready',
      status({ phase: 'ready', version: '0.2.0' }),
      'Sidecast 0.2.0 is ready — Restart to update.'
    ],
    [
      'ready while recording',
      status({ phase: 'ready', version: '0.2.0', restartWaitsFor: 'the recording' }),
      'Sidecast 0.2.0 is ready. Restart to update once the recording has finished.'
    ],
    [
      'failed',
      status({ phase: 'failed', message: 'Could not check for updates. The library is busy.' }),
      'Could not check for updates. The library is busy.'
    ]
  ])('%s', (_what, given, line) => {
    expect(updatesView(given, at).line).toBe(line)
  })

  it('marks a failure as a problem and up to date or ready as fine', () => {
    expect(updatesView(status({ phase: 'failed', message: 'x' })).tone).toBe('problem')
    expect(updatesView(status({ phase: 'up-to-date' })).tone).toBe('ok')
    expect(updatesView(status({ phase: 'ready', version: '1' })).tone).toBe('ok')
    expect(updatesView(status({})).tone).toBe('normal')
  })
})

describe('the controls', () => {
  it.each([
    [
      'unavailable: nothing to press',
      status({ phase: 'unavailable', message: 'x' }),
      { showCheck: false, canCheck: false, showRestart: false, canRestart: false, canToggle: false }
    ],
    [
      'no library: Check now waits for one',
      status({ phase: 'no-library', message: 'x' }),
      { showCheck: true, canCheck: false, showRestart: false, canRestart: false, canToggle: true }
    ],
    [
      'idle',
      status({}),
      { showCheck: true, canCheck: true, showRestart: false, canRestart: false, canToggle: true }
    ],
    [
      'downloading',
      status({ phase: 'downloading', version: '2', fraction: 0 }),
      { showCheck: true, canCheck: false, showRestart: false, canRestart: false, canToggle: true }
    ],
    [
      'ready',
      status({ phase: 'ready', version: '2' }),
      { showCheck: true, canCheck: false, showRestart: true, canRestart: true, canToggle: true }
    ],
    [
      'ready while exporting',
      status({ phase: 'ready', version: '2', restartWaitsFor: 'the export' }),
      { showCheck: true, canCheck: false, showRestart: true, canRestart: false, canToggle: true }
    ],
    [
      'fixed by the administrator',
      status({ managed: true, automatic: true }),
      { showCheck: true, canCheck: true, showRestart: false, canRestart: false, canToggle: false }
    ]
  ])('%s', (_what, given, expected) => {
    expect(controls(updatesView(given))).toEqual(expected)
  })
})

describe('when it was checked', () => {
  it('says the time for today and the date otherwise', () => {
    const now = new Date(2026, 11, 1, 15, 0)
    const today = new Date(2026, 11, 1, 10, 42).toISOString()
    const earlier = new Date(2026, 10, 28, 9, 5).toISOString()
    expect(formatCheckedAt(today, now)).toMatch(/10.42/)
    expect(formatCheckedAt(today, now)).not.toMatch(/2026/)
    expect(formatCheckedAt(earlier, now)).toMatch(/2026/)
    expect(formatCheckedAt('not a date', now)).toBe('not a date')
  })
})
