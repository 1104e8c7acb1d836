/** The window-wide store core that exports and uploads are built on. */
import { describe, expect, it, vi } from 'vitest'
import { createLiveStore } from '../../../src/renderer/src/lib/live-store'

describe('createLiveStore', () => {
  it('starts listening once, on the first subscriber, outcome consumer or start()', () => {
    const listen = vi.fn()
    const store = createLiveStore<number, string>(0, listen)
    expect(listen).not.toHaveBeenCalled()
    store.subscribe(() => undefined)
    store.onOutcome(() => undefined)
    store.start()
    expect(listen).toHaveBeenCalledTimes(1)
  })

  it('tells every listener of a commit, after the snapshot changed', () => {
    const store = createLiveStore<number, string>(0, () => undefined)
    const seen: number[] = []
    const stop = store.subscribe(() => seen.push(store.getSnapshot()))
    store.commit(1)
    store.notify()
    stop()
    store.commit(2)
    expect(seen).toEqual([1, 1])
    expect(store.getSnapshot()).toBe(2)
  })

  it('delivers each outcome once: to the first consumer, or to the next that registers', () => {
    const store = createLiveStore<number, string>(0, () => undefined)
    store.commit(1, 'early')
    const first: string[] = []
    const second: string[] = []
    const stopFirst = store.onOutcome((o) => first.push(o))
    store.onOutcome((o) => second.push(o))
    store.commit(2, 'while both listen')
    stopFirst()
    store.commit(3, 'after the first left')
    expect(first).toEqual(['early', 'while both listen'])
    expect(second).toEqual(['after the first left'])
  })
})
