/**
 * How far an upload is, as the renderer and the tray see it: the fraction, the speed over a
 * sliding window of progress samples, the time left, and a throttle so that progress reaches the
 * renderer at most a few times a second (the latest value always arriving in the end).
 */
import type { UploadInfo } from '../../shared/ipc'
import { livePhase, type Upload } from './upload-state'

/** Bytes sent at a moment, for the speed estimate. */
export interface SpeedSample {
  readonly t: number
  readonly bytes: number
}

/** What only the running queue knows about an upload (never stored). */
export interface LiveProgress {
  /** 0–1 of its export, while exporting. */
  readonly exportFraction: number
  /** The export's time left (ms), once it can tell; absent or null before. */
  readonly exportEtaMs?: number | null
  /** Recent progress samples, oldest first. */
  readonly samples: readonly SpeedSample[]
}

/** `samples` with `sample` added and those older than `windowMs` dropped (two are always kept). */
export function addSample(
  samples: readonly SpeedSample[],
  sample: SpeedSample,
  windowMs: number
): SpeedSample[] {
  const next = [...samples, sample]
  while (next.length > 2 && sample.t - (next[0]?.t ?? sample.t) > windowMs) next.shift()
  return next
}

/** Bytes per second over the samples; null until they span a second. */
export function speedOf(samples: readonly SpeedSample[]): number | null {
  const first = samples[0]
  const last = samples[samples.length - 1]
  if (!first || !last || last.t - first.t < 1000) return null
  return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.t - first.t))
}

/** The upload as `uploads:changed` and `uploads:list` tell it. */
export function uploadInfo(upload: Upload, live: LiveProgress | undefined): UploadInfo {
  const total = upload.bytesTotal
  const phase = livePhase(upload)
  let fraction: number
  if (upload.state === 'done') fraction = 1
  else if (upload.state === 'exporting') fraction = live?.exportFraction ?? 0
  else fraction = total && total > 0 ? Math.min(1, upload.bytesSent / total) : 0
  const speed = upload.state === 'uploading' && live ? speedOf(live.samples) : null
  let etaMs: number | null = null
  if (upload.state === 'exporting') etaMs = live?.exportEtaMs ?? null
  else if (speed && speed > 0 && total !== null) {
    etaMs = Math.round(((total - upload.bytesSent) * 1000) / speed)
  }
  return {
    id: upload.id,
    projectId: upload.projectId,
    title: upload.title,
    state: upload.state,
    fraction,
    bytesSent: upload.bytesSent,
    bytesTotal: total,
    speedBps: speed === null ? null : Math.round(speed),
    etaMs,
    createdAt: upload.createdAt,
    ...(upload.error ? { error: upload.error } : {}),
    ...(upload.needsToken ? { needsToken: true } : {}),
    ...(upload.url ? { url: upload.url } : {}),
    ...(phase ? { live: phase } : {}),
    ...(upload.linkAnnounced ? { linkAnnounced: true } : {})
  }
}

/** Sends one upload's changes: state changes at once, progress at most every `intervalMs`. */
export class ProgressThrottle {
  private lastSentAt = 0
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly intervalMs: number,
    private readonly clock: () => number,
    private readonly send: () => void
  ) {}

  /** Sends now (a state change), dropping any progress still waiting. */
  sendNow(): void {
    this.lastSentAt = this.clock()
    this.stop()
    this.send()
  }

  /** Sends now if the interval has passed, else once when it has. */
  progressed(): void {
    const wait = this.lastSentAt + this.intervalMs - this.clock()
    if (wait <= 0) this.sendNow()
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null
        this.sendNow()
      }, wait)
    }
  }

  /** Forgets progress still waiting to be sent. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
