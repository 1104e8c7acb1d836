/**
 * The core of a window-wide store of something main reports as it happens (exports, uploads):
 * one snapshot that React reads with useSyncExternalStore, listeners told of every change, and
 * outcomes (an export or upload that ended) each delivered once — to the first consumer
 * registered, or kept until one registers, so nothing is lost while no view listens.
 */
export interface LiveStore<S, O> {
  /** Starts listening on the first call; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
  getSnapshot(): S
  /**
   * Takes the outcomes, each delivered once: to the first consumer registered, or — when none
   * is — kept until one registers.
   */
  onOutcome(consumer: (outcome: O) => void): () => void
}

/** What the store built on the core uses to change it. */
export interface LiveStoreCore<S, O> extends LiveStore<S, O> {
  /** Starts listening to main, once (`listen` runs on the first call only). */
  start(): void
  /** Makes `next` the snapshot, hands over `outcome` if there is one, then tells the listeners. */
  commit(next: S, outcome?: O): void
  /** Tells the listeners that something read beside the snapshot changed. */
  notify(): void
}

export function createLiveStore<S, O>(initial: S, listen: () => void): LiveStoreCore<S, O> {
  let state = initial
  let started = false
  const listeners = new Set<() => void>()
  const consumers: Array<(outcome: O) => void> = []
  const pending: O[] = []

  const start = (): void => {
    if (started) return
    started = true
    listen()
  }
  const notify = (): void => {
    for (const listener of [...listeners]) listener()
  }

  return {
    subscribe(listener) {
      listeners.add(listener)
      start()
      return () => listeners.delete(listener)
    },
    getSnapshot: () => state,
    onOutcome(consumer) {
      consumers.push(consumer)
      start()
      while (consumers[0] === consumer && pending.length > 0) {
        const outcome = pending.shift()
        if (outcome !== undefined) consumer(outcome)
      }
      return () => {
        const index = consumers.indexOf(consumer)
        if (index >= 0) consumers.splice(index, 1)
      }
    },
    start,
    commit(next, outcome) {
      state = next
      if (outcome !== undefined) {
        const consumer = consumers[0]
        if (consumer) consumer(outcome)
        else pending.push(outcome)
      }
      notify()
    },
    notify
  }
}
