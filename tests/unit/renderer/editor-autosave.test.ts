import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  AutoSaver,
  saveStatusText,
  type SaveStatus
} from '../../../src/renderer/src/editor/autosave'

/** A save function whose calls the test settles by hand. */
function controlledSave() {
  const calls: { value: string; resolve: () => void; reject: (e: Error) => void }[] = []
  const save = (value: string): Promise<void> =>
    new Promise<void>((resolve, reject) => calls.push({ value, resolve, reject }))
  return { calls, save }
}

/** Lets pending promise callbacks run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('AutoSaver', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('waits for a quiet spell and saves only the latest value', async () => {
    const { calls, save } = controlledSave()
    const statuses: SaveStatus['kind'][] = []
    const saver = new AutoSaver({ save, delayMs: 600, onStatus: (s) => statuses.push(s.kind) })
    saver.schedule('a')
    await vi.advanceTimersByTimeAsync(400)
    saver.schedule('b')
    await vi.advanceTimersByTimeAsync(400)
    expect(calls).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(200)
    expect(calls.map((c) => c.value)).toEqual(['b'])
    calls[0]?.resolve()
    await settle()
    expect(saver.status.kind).toBe('saved')
    expect(statuses).toEqual(['pending', 'pending', 'saving', 'saved'])
  })

  it('runs one save at a time; a change during a save is saved after it', async () => {
    const { calls, save } = controlledSave()
    const saver = new AutoSaver({ save, delayMs: 600 })
    saver.schedule('a')
    await vi.advanceTimersByTimeAsync(600)
    expect(calls).toHaveLength(1)
    saver.schedule('b')
    saver.schedule('c')
    await vi.advanceTimersByTimeAsync(2000)
    expect(calls).toHaveLength(1)
    calls[0]?.resolve()
    await settle()
    await vi.advanceTimersByTimeAsync(600)
    expect(calls.map((c) => c.value)).toEqual(['a', 'c'])
    calls[1]?.resolve()
    await settle()
    expect(saver.hasUnsaved).toBe(false)
  })

  it('retries a failed save with growing pauses and never drops the edits', async () => {
    const { calls, save } = controlledSave()
    const saver = new AutoSaver({ save, delayMs: 100, retryDelaysMs: [1000, 5000] })
    saver.schedule('edits')
    await vi.advanceTimersByTimeAsync(100)
    calls[0]?.reject(new Error('The disk is full.'))
    await settle()
    expect(saver.status).toEqual({ kind: 'failed', reason: 'The disk is full.', retryInMs: 1000 })
    expect(saveStatusText(saver.status)).toBe('Not saved: The disk is full — retrying')
    await vi.advanceTimersByTimeAsync(999)
    expect(calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(calls.map((c) => c.value)).toEqual(['edits', 'edits'])
    calls[1]?.reject(new Error('Still full.'))
    await settle()
    expect(saver.status).toMatchObject({ kind: 'failed', retryInMs: 5000 })
    calls.length = 0
    await vi.advanceTimersByTimeAsync(5000)
    calls[0]?.reject(new Error('Still full.'))
    await settle()
    expect(saver.status).toMatchObject({ kind: 'failed', retryInMs: 5000 })
    // A change while failing keeps saying "not saved" until a save works, and saves the newest.
    saver.schedule('newer')
    expect(saver.status.kind).toBe('failed')
    await vi.advanceTimersByTimeAsync(100)
    expect(calls[1]?.value).toBe('newer')
    calls[1]?.resolve()
    await settle()
    expect(saver.status.kind).toBe('saved')
    expect(saver.hasUnsaved).toBe(false)
  })

  it('flush saves at once and tells whether it worked', async () => {
    const { calls, save } = controlledSave()
    const saver = new AutoSaver({ save, delayMs: 600 })
    await expect(saver.flush()).resolves.toBe(true)
    saver.schedule('a')
    const ok = saver.flush()
    expect(calls.map((c) => c.value)).toEqual(['a'])
    calls[0]?.resolve()
    await expect(ok).resolves.toBe(true)

    saver.schedule('b')
    const failed = saver.flush()
    calls[1]?.reject(new Error('Offline'))
    await expect(failed).resolves.toBe(false)
    expect(saver.hasUnsaved).toBe(true)
  })

  it('flush during a save waits for it and then saves what changed since', async () => {
    const { calls, save } = controlledSave()
    const saver = new AutoSaver({ save, delayMs: 600 })
    saver.schedule('a')
    await vi.advanceTimersByTimeAsync(600)
    saver.schedule('b')
    const done = saver.flush()
    expect(calls).toHaveLength(1)
    calls[0]?.resolve()
    await settle()
    expect(calls.map((c) => c.value)).toEqual(['a', 'b'])
    calls[1]?.resolve()
    await expect(done).resolves.toBe(true)
  })

  it('cancel hands back what is not saved and stops', async () => {
    const { calls, save } = controlledSave()
    const saver = new AutoSaver({ save, delayMs: 600 })
    saver.schedule('x')
    expect(saver.cancel()).toBe('x')
    await vi.advanceTimersByTimeAsync(5000)
    expect(calls).toHaveLength(0)
    saver.schedule('y')
    await vi.advanceTimersByTimeAsync(5000)
    expect(calls).toHaveLength(0)
    await expect(saver.flush()).resolves.toBe(true)
  })

  it.each([
    [{ kind: 'saved' }, 'Saved'],
    [{ kind: 'pending' }, 'Saving…'],
    [{ kind: 'saving' }, 'Saving…'],
    [
      { kind: 'failed', reason: 'No space left.', retryInMs: 1000 },
      'Not saved: No space left — retrying'
    ]
  ] as const)('status text %o', (status, text) => {
    expect(saveStatusText(status)).toBe(text)
  })
})
