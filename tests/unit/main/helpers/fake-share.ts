/**
 * Fakes for the sharing tests: a tus layer whose "server" keeps an offset per fingerprint and
 * whose runs the test drives by hand, an exporter the test finishes by hand, and a project on disk.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Edits } from '../../../../src/shared/edits'
import type { RecordingFacts } from '../../../../src/shared/project'
import type {
  TusCallbacks,
  TusFailure,
  TusJob,
  TusLayer,
  TusRun,
  VideoStatus
} from '../../../../src/main/share/tus-layer'
import type { UploadExporter } from '../../../../src/main/share/upload-queue'

export class FakeRun implements TusRun {
  aborted = false
  terminated = false
  ended = false
  constructor(
    readonly job: TusJob,
    private readonly callbacks: TusCallbacks,
    private readonly tus: FakeTus
  ) {}

  /** The upload's length: the file's size, or a live upload's once sealed (else unbounded). */
  get size(): number {
    return this.job.size ?? this.job.growing?.sealedSize() ?? Number.POSITIVE_INFINITY
  }

  /** The server accepts `bytes` more (as a PATCH would). */
  send(bytes: number): void {
    if (this.ended) throw new Error('run already ended')
    const offset = Math.min(this.size, this.tus.offset(this.job.fingerprint) + bytes)
    this.tus.offsets.set(this.job.fingerprint, offset)
    this.callbacks.onProgress(offset, this.job.size ?? 0)
    this.callbacks.onAccepted(offset)
  }

  /** The creation answered (a new upload on the server), with the video it reserved. */
  created(videoId = 'vid1', videoUrl = `https://lib.test/v/${videoId}`): void {
    this.callbacks.onCreated?.({
      uploadUrl: `https://lib.test/api/uploads/${this.tus.runs.indexOf(this)}`,
      videoId,
      videoUrl
    })
  }

  succeed(
    videoUrl: string | null = 'https://lib.test/v/vid1',
    videoId: string | null = 'vid1'
  ): void {
    this.tus.offsets.set(this.job.fingerprint, this.size)
    this.ended = true
    this.callbacks.onSuccess({
      uploadUrl: `https://lib.test/api/uploads/${this.tus.runs.indexOf(this)}`,
      videoUrl,
      videoId
    })
  }

  fail(failure: TusFailure): void {
    this.ended = true
    this.callbacks.onError(failure)
  }

  async abort(): Promise<void> {
    this.aborted = true
    this.ended = true
  }

  async terminate(): Promise<void> {
    this.terminated = true
    this.ended = true
    this.tus.terminated.push(this.job.fingerprint)
    this.tus.offsets.delete(this.job.fingerprint)
  }
}

export class FakeTus implements TusLayer {
  readonly runs: FakeRun[] = []
  readonly offsets = new Map<string, number>()
  readonly terminated: string[] = []
  readonly forgotten: string[] = []
  /** Answers of videoStatus, in order (the last one repeats). */
  statuses: VideoStatus[] = []
  statusCalls = 0

  offset(fingerprint: string): number {
    return this.offsets.get(fingerprint) ?? 0
  }

  start(job: TusJob, callbacks: TusCallbacks): TusRun {
    const run = new FakeRun(job, callbacks, this)
    this.runs.push(run)
    // Like the HEAD of a resume: the server says what it already has.
    const known = this.offsets.get(job.fingerprint)
    if (known !== undefined) queueMicrotask(() => !run.ended && callbacks.onAccepted(known))
    return run
  }

  /** The newest run. */
  get last(): FakeRun {
    const run = this.runs[this.runs.length - 1]
    if (!run) throw new Error('no run started')
    return run
  }

  async terminate(fingerprint: string): Promise<void> {
    this.terminated.push(fingerprint)
    this.offsets.delete(fingerprint)
  }

  async forget(fingerprint: string): Promise<void> {
    this.forgotten.push(fingerprint)
  }

  async videoStatus(): Promise<VideoStatus> {
    const answer = this.statuses[Math.min(this.statusCalls, this.statuses.length - 1)]
    this.statusCalls++
    return answer ?? { state: 'processing' }
  }
}

interface PendingExport {
  readonly projectId: string
  readonly outFile: string
  readonly signal: AbortSignal
  progress(fraction: number): void
  /** Writes the file and ends the export successfully. */
  finish(bytes?: Buffer): Promise<void>
  fail(message: string): void
}

/** An exporter the test completes by hand. */
export class FakeExporter implements UploadExporter {
  readonly calls: PendingExport[] = []
  /** Whether the output file existed when each export began (a stale one must be gone). */
  readonly staleFileAtStart: boolean[] = []

  async export(request: Parameters<UploadExporter['export']>[0]): Promise<void> {
    const { existsSync } = await import('node:fs')
    this.staleFileAtStart.push(existsSync(request.outFile))
    await new Promise<void>((resolve, reject) => {
      request.signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true })
      this.calls.push({
        projectId: request.projectId,
        outFile: request.outFile,
        signal: request.signal,
        progress: (fraction) => request.onProgress(fraction),
        finish: async (bytes = Buffer.alloc(5000, 7)) => {
          await mkdir(join(request.outFile, '..'), { recursive: true })
          await writeFile(request.outFile, bytes)
          resolve()
        },
        fail: (message) => reject(new Error(message))
      })
    })
  }

  get last(): PendingExport {
    const call = this.calls[this.calls.length - 1]
    if (!call) throw new Error('no export started')
    return call
  }
}

/** Writes a finished project (recording.json + a recording file) and optional edits. */
export async function makeProject(
  projectsDir: string,
  id: string,
  options: {
    size?: number
    edits?: Edits
    status?: RecordingFacts['status']
    durationMs?: number
  } = {}
): Promise<RecordingFacts> {
  const dir = join(projectsDir, id)
  await mkdir(dir, { recursive: true })
  const facts: RecordingFacts = {
    version: 1,
    id,
    status: options.status ?? 'complete',
    title: `Walkthrough ${id.slice(-4)}`,
    createdAt: '2026-11-29T12:00:00.000Z',
    sourceName: 'Entire screen',
    file: 'recording.webm',
    container: 'webm',
    mimeType: 'video/webm;codecs=vp8,opus',
    videoCodec: 'vp8',
    audioCodec: 'opus',
    width: 640,
    height: 480,
    durationMs: options.durationMs ?? 10_000
  }
  await writeFile(join(dir, 'recording.json'), JSON.stringify(facts, null, 2))
  await writeFile(join(dir, facts.file), Buffer.alloc(options.size ?? 10_000, 1))
  if (options.edits) await writeFile(join(dir, 'edits.json'), JSON.stringify(options.edits))
  return facts
}
