/**
 * Uploads are checked a bounded number at a time (ffprobe and ffmpeg are heavy; started without
 * limit they starve the server and the machine). The rest wait in line, in the order they came,
 * and can say their place.
 */

interface Waiting {
  key: string
  start(): void
  cancel(error: Error): void
}

export class ProcessingQueue {
  private running = 0
  private waiting: Waiting[] = []

  constructor(private readonly concurrency: number) {}

  /** 1 for the next in line, 2 for the one after…; null when `key` is not waiting. */
  position(key: string): number | null {
    const index = this.waiting.findIndex((w) => w.key === key)
    return index < 0 ? null : index + 1
  }

  /** How many tasks hold a slot now. */
  get active(): number {
    return this.running
  }

  /** Runs `task` once a slot is free; the slot is held until it settles. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      await new Promise<void>((start, cancel) => {
        this.waiting.push({ key, start, cancel })
      })
    } else {
      this.running++
    }
    try {
      return await task()
    } finally {
      const next = this.waiting.shift()
      if (next)
        next.start() // the slot passes on
      else this.running--
    }
  }

  /** Refuses everything still waiting (the server is stopping); running tasks go on. */
  cancelWaiting(error: Error): void {
    for (const w of this.waiting.splice(0)) w.cancel(error)
  }
}
