import { describe, expect, it, vi } from 'vitest'
import { SidecastError } from '../../../src/shared/errors'
import type { ChunkAck, InvokeChannel, SidecastApi } from '../../../src/shared/ipc'
import type { ProjectSummary } from '../../../src/shared/project'
import type {
  CameraCapture,
  CameraConstraints,
  CameraTrackPort,
  ChunkPort,
  DisplayCapture,
  DisplayConstraints,
  MediaPorts,
  MicrophoneCapture,
  MicrophoneConstraints,
  RecorderHandlers,
  RecorderOptions,
  RecorderPort,
  RecorderPortState,
  TrackPort
} from '../../../src/renderer/src/recorder/media-ports'
import {
  CAMERA_ENDED_UNPLUGGED,
  CAMERA_LOST,
  DISPLAY_CONSTRAINTS,
  ENDED_DISK_LOW,
  ENDED_SOURCE_CLOSED,
  MICROPHONE_LOST,
  OPEN_OFF_END,
  RecordingSession
} from '../../../src/renderer/src/recorder/recording-session'
import type { SessionEvent } from '../../../src/renderer/src/recorder/recording-session'

// ---------- fakes ----------

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function deferred<T>(): {
  promise: Promise<T>
  resolve: (v: T) => void
  reject: (e: unknown) => void
} {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** A chunk whose bytes arrive after `delayMs`, like a Blob read on a busy machine. */
function chunk(bytes: number[], delayMs = 0): ChunkPort {
  return {
    size: bytes.length,
    arrayBuffer: async () => {
      if (delayMs) await sleep(delayMs)
      return Uint8Array.from(bytes).buffer
    }
  }
}

class FakeTrack implements TrackPort {
  stopped = false
  constructor(readonly kind: string) {}
  stop(): void {
    this.stopped = true
  }
}

class FakeDisplay implements DisplayCapture {
  readonly videoTrack = new FakeTrack('video')
  stopped = false
  private endedListeners: Array<() => void> = []
  constructor(
    readonly width: number | null = 1920,
    readonly height: number | null = 1080
  ) {}
  onEnded(listener: () => void): () => void {
    this.endedListeners.push(listener)
    return () => {
      this.endedListeners = this.endedListeners.filter((l) => l !== listener)
    }
  }
  stop(): void {
    this.stopped = true
  }
  /** The user closed the shared window. */
  end(): void {
    for (const l of [...this.endedListeners]) l()
  }
}

class FakeMic implements MicrophoneCapture {
  readonly track = new FakeTrack('audio')
  closed = false
  currentLevel = 0.4
  private lostListeners: Array<() => void> = []
  level(): number {
    return this.currentLevel
  }
  onDeviceLost(listener: () => void): () => void {
    this.lostListeners.push(listener)
    return () => undefined
  }
  async close(): Promise<void> {
    this.closed = true
  }
  unplug(): void {
    for (const l of this.lostListeners) l()
  }
}

class FakeCameraTrack extends FakeTrack implements CameraTrackPort {
  enabled = true
  constructor() {
    super('video')
  }
}

class FakeCamera implements CameraCapture {
  readonly track = new FakeCameraTrack()
  readonly label = 'Integrated Camera (04f2:b6dd)'
  readonly width = 1280
  readonly height = 720
  stopped = false
  private endedListeners: Array<() => void> = []
  onEnded(listener: () => void): () => void {
    this.endedListeners.push(listener)
    return () => {
      this.endedListeners = this.endedListeners.filter((l) => l !== listener)
    }
  }
  stop(): void {
    this.stopped = true
    this.track.stop()
  }
  /** The camera was unplugged. */
  unplug(): void {
    for (const l of [...this.endedListeners]) l()
  }
}

class FakeRecorder implements RecorderPort {
  state: RecorderPortState = 'inactive'
  timeslice: number | null = null
  calls: string[] = []
  /** The chunk MediaRecorder flushes on stop(); null for none. */
  finalChunk: ChunkPort | null = chunk([99])
  /** False simulates a recorder whose stop event never comes. */
  firesStop = true
  constructor(
    readonly tracks: readonly TrackPort[],
    readonly options: RecorderOptions,
    readonly handlers: RecorderHandlers
  ) {}
  start(timesliceMs: number): void {
    this.timeslice = timesliceMs
    this.state = 'recording'
    this.calls.push('start')
  }
  pause(): void {
    this.state = 'paused'
    this.calls.push('pause')
  }
  resume(): void {
    this.state = 'recording'
    this.calls.push('resume')
  }
  stop(): void {
    this.state = 'inactive'
    this.calls.push('stop')
    // Like MediaRecorder: the last dataavailable, then stop, both asynchronously.
    setTimeout(() => {
      if (this.finalChunk) this.handlers.onData(this.finalChunk)
      if (this.firesStop) setTimeout(() => this.handlers.onStop(), 0)
    }, 5)
  }
  emit(c: ChunkPort): void {
    this.handlers.onData(c)
  }
  /** MediaRecorder's `start` event: the first frame is being taken. */
  started(): void {
    this.handlers.onStart()
  }
}

interface FakeMediaOptions {
  supported?: readonly string[]
  displayError?: unknown
  micError?: unknown
  cameraError?: unknown
}

class FakeMedia implements MediaPorts {
  display = new FakeDisplay()
  mic = new FakeMic()
  camera = new FakeCamera()
  recorder: FakeRecorder | null = null
  cameraRecorder: FakeRecorder | null = null
  cameraConstraints: CameraConstraints | null = null
  cameraOpened = 0
  displayConstraints: DisplayConstraints | null = null
  micConstraints: MicrophoneConstraints | null = null
  micOpened = 0
  constructor(private readonly options: FakeMediaOptions = {}) {}
  async getDisplayMedia(constraints: DisplayConstraints): Promise<DisplayCapture> {
    this.displayConstraints = constraints
    if (this.options.displayError) throw this.options.displayError
    return this.display
  }
  async openMicrophone(constraints: MicrophoneConstraints): Promise<MicrophoneCapture> {
    this.micConstraints = constraints
    this.micOpened++
    if (this.options.micError) throw this.options.micError
    return this.mic
  }
  async openCamera(constraints: CameraConstraints): Promise<CameraCapture> {
    this.cameraConstraints = constraints
    this.cameraOpened++
    if (this.options.cameraError) throw this.options.cameraError
    return this.camera
  }
  isTypeSupported(mimeType: string): boolean {
    return (
      this.options.supported ?? [
        'video/webm;codecs=vp9,opus',
        'video/webm;codecs=vp9',
        'video/webm;codecs=vp8',
        'video/webm'
      ]
    ).includes(mimeType)
  }
  createRecorder(
    tracks: readonly TrackPort[],
    options: RecorderOptions,
    handlers: RecorderHandlers
  ): RecorderPort {
    const recorder = new FakeRecorder(tracks, options, handlers)
    if (tracks.length === 1 && tracks[0] === this.camera.track) this.cameraRecorder = recorder
    else this.recorder = recorder
    return recorder
  }
}

const SUMMARY: ProjectSummary = {
  id: 'p1',
  title: 'Recording 2026-01-01 10:00',
  status: 'complete',
  createdAt: '2026-01-01T10:00:00.000Z',
  durationMs: 3000,
  width: 1920,
  height: 1080,
  sizeBytes: 1234,
  thumbnailUrl: null,
  mediaUrl: null,
  dir: '/tmp/p1',
  endedBecause: null,
  shareUrl: null
}

type Call = { channel: InvokeChannel; args: unknown[] }
type Handler = (...args: never[]) => unknown

/** A fake main: records every call in order; handlers can be replaced per test. */
class FakeApi {
  calls: Call[] = []
  inFlightChunks = 0
  maxInFlightChunks = 0
  handlers: Partial<Record<InvokeChannel, Handler>> = {
    'recording:start': () => ({ projectId: 'p1', title: SUMMARY.title }),
    'recording:chunk': (): ChunkAck => ({ bytesWritten: 0, diskLow: false }),
    'recording:camera-chunk': (): ChunkAck => ({ bytesWritten: 0, diskLow: false }),
    'recording:camera-info': () => undefined,
    'recording:state': () => undefined,
    'recording:stop': () => SUMMARY
  }
  readonly api: Pick<SidecastApi, 'invoke'> = {
    invoke: (async (channel: InvokeChannel, ...args: unknown[]) => {
      this.calls.push({ channel, args })
      const handler = this.handlers[channel] as ((...a: unknown[]) => unknown) | undefined
      if (!handler) throw new Error(`unexpected ${channel}`)
      if (channel !== 'recording:chunk') return handler(...args)
      this.inFlightChunks++
      this.maxInFlightChunks = Math.max(this.maxInFlightChunks, this.inFlightChunks)
      try {
        return await handler(...args)
      } finally {
        this.inFlightChunks--
      }
    }) as SidecastApi['invoke']
  }
  of(channel: InvokeChannel): unknown[][] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.args)
  }
  chunkSeqs(): number[] {
    return this.of('recording:chunk').map((args) => args[1] as number)
  }
  seqsOf(channel: InvokeChannel): number[] {
    return this.of(channel).map((args) => args[1] as number)
  }
  chunkBytes(): number[][] {
    return this.of('recording:chunk').map((args) => [...(args[2] as Uint8Array)])
  }
}

function setup(mediaOptions: FakeMediaOptions = {}) {
  const media = new FakeMedia(mediaOptions)
  const fake = new FakeApi()
  let now = 0
  const session = new RecordingSession({ api: fake.api, media, now: () => now, stopTimeoutMs: 200 })
  const events: SessionEvent[] = []
  session.subscribe((e) => events.push(e))
  return {
    media,
    fake,
    session,
    events,
    setNow: (t: number) => {
      now = t
    },
    recorder: (): FakeRecorder => {
      if (!media.recorder) throw new Error('no recorder yet')
      return media.recorder
    },
    cameraRecorder: (): FakeRecorder => {
      if (!media.cameraRecorder) throw new Error('no camera recorder yet')
      return media.cameraRecorder
    },
    finished: () => events.filter((e) => e.type === 'finished'),
    chunkSeqsOf: (channel: InvokeChannel) => fake.seqsOf(channel)
  }
}

async function recording(mediaOptions: FakeMediaOptions = {}, microphoneId = 'default') {
  const t = setup(mediaOptions)
  await t.session.prepare({ sourceName: 'Entire screen', microphoneId })
  await t.session.begin()
  return t
}

// ---------- tests ----------

describe('RecordingSession: acquiring', () => {
  it('asks for the native screen size and a processed microphone', async () => {
    const t = setup()
    await t.session.prepare({ sourceName: 'Entire screen', microphoneId: 'usb-mic' })
    expect(t.media.displayConstraints).toEqual(DISPLAY_CONSTRAINTS)
    expect(DISPLAY_CONSTRAINTS.video.width.ideal).toBeGreaterThanOrEqual(7680)
    expect(DISPLAY_CONSTRAINTS.audio).toBe(false)
    expect(t.media.micConstraints).toEqual({
      audio: { deviceId: 'usb-mic', echoCancellation: true, noiseSuppression: true }
    })
    expect(t.session.phase).toBe('ready')
  })

  it.each([
    { microphoneId: 'default', opens: 1, deviceId: undefined },
    { microphoneId: 'none', opens: 0, deviceId: undefined }
  ])(
    'microphone "$microphoneId" opens $opens device(s)',
    async ({ microphoneId, opens, deviceId }) => {
      const t = setup()
      await t.session.prepare({ sourceName: 'Entire screen', microphoneId })
      expect(t.media.micOpened).toBe(opens)
      expect(t.session.hasMicrophone).toBe(opens === 1)
      if (opens) expect(t.media.micConstraints?.audio.deviceId).toBe(deviceId)
    }
  )

  it.each([
    { platform: 'darwin', fragment: 'System Settings › Privacy & Security › Screen Recording' },
    { platform: 'linux', fragment: 'Allow screen sharing' }
  ])('explains a denied screen permission on $platform', async ({ platform, fragment }) => {
    const denied = Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' })
    const t = setup({ displayError: denied })
    const error = await t.session
      .prepare({ sourceName: 'Entire screen', microphoneId: 'default', platform })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SidecastError)
    expect((error as SidecastError).code).toBe('screen-permission-denied')
    expect((error as SidecastError).message).toMatch(/^Screen recording permission was denied/)
    expect((error as SidecastError).message).toContain(fragment)
    expect(t.session.phase).toBe('idle')
    expect(t.media.micOpened).toBe(0)
  })

  it('gives the screen back when the microphone cannot be opened', async () => {
    const missing = Object.assign(new Error('Requested device not found'), {
      name: 'NotFoundError'
    })
    const t = setup({ micError: missing })
    const error = await t.session
      .prepare({ sourceName: 'Entire screen', microphoneId: 'default' })
      .catch((e: unknown) => e)
    expect((error as SidecastError).code).toBe('microphone-not-found')
    expect((error as SidecastError).message).toContain('No microphone')
    expect(t.media.display.stopped).toBe(true)
    expect(t.session.phase).toBe('idle')
  })

  it('releases the streams when cancelled during the countdown', async () => {
    const t = setup()
    await t.session.prepare({ sourceName: 'Entire screen', microphoneId: 'default' })
    t.session.cancel()
    expect(t.media.display.stopped).toBe(true)
    expect(t.media.mic.closed).toBe(true)
    expect(t.fake.calls).toEqual([])
    expect(t.finished()).toHaveLength(1)
  })

  it('reports a source closed before recording began without creating a project', async () => {
    const t = setup()
    await t.session.prepare({ sourceName: 'Entire screen', microphoneId: 'none' })
    t.media.display.end()
    expect(t.session.phase).toBe('idle')
    expect(t.fake.calls).toEqual([])
    const [finished] = t.finished()
    expect(finished?.type === 'finished' && finished.outcome.summary).toBeNull()
    expect(finished?.type === 'finished' && finished.outcome.endedBecause).toMatch(/closed/)
  })
})

describe('RecordingSession: starting', () => {
  it('starts main and the recorder with the first supported type, a one-second timeslice and a keyframe every second or two', async () => {
    const t = await recording()
    expect(t.fake.of('recording:start')).toEqual([
      [{ mimeType: 'video/webm;codecs=vp9,opus', sourceName: 'Entire screen' }]
    ])
    const recorder = t.recorder()
    expect(recorder.timeslice).toBeLessThanOrEqual(1000)
    expect(recorder.state).toBe('recording')
    expect(recorder.tracks.map((track) => track.kind)).toEqual(['video', 'audio'])
    // The graph's destination track is recorded, not the device's own.
    expect(recorder.tracks[1]).toBe(t.media.mic.track)
    expect(recorder.options.mimeType).toBe('video/webm;codecs=vp9,opus')
    expect(recorder.options.videoBitsPerSecond).toBeGreaterThanOrEqual(2_500_000)
    expect(recorder.options.videoBitsPerSecond).toBeLessThanOrEqual(6_000_000)
    // A keyframe every second or two, so smart export copies untouched stretches.
    expect(recorder.options.videoKeyFrameIntervalDuration).toBeGreaterThanOrEqual(1000)
    expect(recorder.options.videoKeyFrameIntervalDuration).toBeLessThanOrEqual(2000)
    expect(t.session.projectId).toBe('p1')
    expect(t.session.phase).toBe('recording')
  })

  it('records video only, without Opus, when there is no microphone', async () => {
    const t = await recording({}, 'none')
    expect(t.fake.of('recording:start')[0]?.[0]).toEqual({
      mimeType: 'video/webm;codecs=vp9',
      sourceName: 'Entire screen'
    })
    expect(t.recorder().tracks.map((track) => track.kind)).toEqual(['video'])
    expect(t.recorder().options.audioBitsPerSecond).toBeUndefined()
  })

  it("passes main's refusal on unchanged and releases the streams", async () => {
    const t = setup()
    const refusal = new SidecastError(
      'disk-low',
      'Only 200 MB are free. Free up space, then start again.'
    )
    t.fake.handlers['recording:start'] = () => {
      throw refusal
    }
    await t.session.prepare({ sourceName: 'Entire screen', microphoneId: 'default' })
    await expect(t.session.begin()).rejects.toBe(refusal)
    expect(t.media.recorder).toBeNull()
    expect(t.media.display.stopped).toBe(true)
    expect(t.media.mic.closed).toBe(true)
    expect(t.session.phase).toBe('idle')
  })

  it('refuses clearly when no WebM type is supported', async () => {
    const t = setup({ supported: [] })
    await t.session.prepare({ sourceName: 'Entire screen', microphoneId: 'default' })
    await expect(t.session.begin()).rejects.toMatchObject({ code: 'recorder-unsupported' })
    expect(t.fake.of('recording:start')).toEqual([])
  })
})

describe('RecordingSession: chunks', () => {
  it('sends chunks one at a time, in order, even when later ones are read faster', async () => {
    const t = await recording()
    const r = t.recorder()
    r.emit(chunk([1, 1], 40))
    r.emit(chunk([2], 0))
    r.emit(chunk([], 0)) // empty blobs carry nothing and take no sequence number
    r.emit(chunk([3, 3, 3], 10))
    await vi.waitFor(() => expect(t.fake.chunkSeqs()).toHaveLength(3))
    expect(t.fake.chunkSeqs()).toEqual([0, 1, 2])
    expect(t.fake.chunkBytes()).toEqual([[1, 1], [2], [3, 3, 3]])
    expect(t.fake.of('recording:chunk').every((args) => args[0] === 'p1')).toBe(true)
    expect(t.fake.maxInFlightChunks).toBe(1)
  })

  it('waits for the last chunk and every acknowledgement before finishing', async () => {
    const t = await recording()
    const slowAck = deferred<ChunkAck>()
    let first = true
    t.fake.handlers['recording:chunk'] = () => {
      if (first) {
        first = false
        return slowAck.promise
      }
      return { bytesWritten: 0, diskLow: false }
    }
    t.recorder().emit(chunk([1]))
    const stopping = t.session.stop()
    expect(t.session.phase).toBe('stopping')
    await sleep(30)
    // The first ack is still pending: nothing after it may be sent, and main must not finish yet.
    expect(t.fake.of('recording:stop')).toEqual([])
    expect(t.fake.chunkSeqs()).toEqual([0])
    slowAck.resolve({ bytesWritten: 1, diskLow: false })
    const outcome = await stopping
    expect(t.fake.chunkSeqs()).toEqual([0, 1])
    expect(t.fake.chunkBytes()[1]).toEqual([99])
    const channels = t.fake.calls.map((c) => c.channel)
    expect(channels.lastIndexOf('recording:chunk')).toBeLessThan(channels.indexOf('recording:stop'))
    expect(t.fake.of('recording:stop')).toEqual([['p1', {}]])
    expect(outcome).toEqual({ summary: SUMMARY, endedBecause: null, error: null })
    expect(t.media.display.stopped).toBe(true)
    expect(t.media.mic.closed).toBe(true)
    expect(t.session.phase).toBe('stopped')
    expect(t.finished()).toHaveLength(1)
  })

  it('finishes once however often stop is asked for', async () => {
    const t = await recording()
    const [a, b] = [t.session.stop(), t.session.stop()]
    expect(a).toBe(b)
    await a
    await t.session.stop()
    expect(t.fake.of('recording:stop')).toHaveLength(1)
    expect(t.recorder().calls.filter((c) => c === 'stop')).toHaveLength(1)
  })

  it('stops with a reason when main says the disk is almost full', async () => {
    const t = await recording()
    t.fake.handlers['recording:chunk'] = () => ({ bytesWritten: 10, diskLow: true })
    t.recorder().emit(chunk([1]))
    await vi.waitFor(() => expect(t.finished()).toHaveLength(1))
    expect(t.fake.of('recording:stop')).toEqual([['p1', { endedBecause: ENDED_DISK_LOW }]])
    expect(ENDED_DISK_LOW).toMatch(/^Your disk is almost full/)
  })

  it('stops after a failed chunk, sends nothing more, and keeps what was written', async () => {
    const t = await recording()
    let n = 0
    t.fake.handlers['recording:chunk'] = () => {
      n++
      if (n === 2) throw new SidecastError('write-failed', 'The disk was removed.')
      return { bytesWritten: n, diskLow: false }
    }
    const r = t.recorder()
    r.emit(chunk([1]))
    r.emit(chunk([2]))
    r.emit(chunk([3]))
    await vi.waitFor(() => expect(t.finished()).toHaveLength(1))
    expect(t.fake.chunkSeqs()).toEqual([0, 1])
    const [[, info]] = t.fake.of('recording:stop') as [[string, { endedBecause: string }]]
    expect(info.endedBecause).toContain('The disk was removed.')
    expect(info.endedBecause).toContain('kept')
    const finished = t.finished()[0]
    expect(finished?.type === 'finished' && finished.outcome.summary).toEqual(SUMMARY)
  })

  it('tells the user when finishing fails, and that the recording will be recovered', async () => {
    const t = await recording()
    t.fake.handlers['recording:stop'] = () => {
      throw new SidecastError('remux-failed', 'ffmpeg could not read the recording.')
    }
    const outcome = await t.session.stop()
    expect(outcome.summary).toBeNull()
    expect(outcome.error).toContain('ffmpeg could not read the recording.')
    expect(outcome.error).toContain('recovers')
    expect(t.media.display.stopped).toBe(true)
  })

  it('finishes even if the recorder never reports that it stopped', async () => {
    const t = await recording()
    t.recorder().firesStop = false
    const outcome = await t.session.stop()
    expect(outcome.summary).toEqual(SUMMARY)
  })
})

describe('RecordingSession: while recording', () => {
  it('pauses and resumes the recorder, tells main, and leaves pauses out of the time', async () => {
    const t = setup()
    await t.session.prepare({ sourceName: 'Entire screen', microphoneId: 'default' })
    t.setNow(1000)
    await t.session.begin()
    t.setNow(3000)
    t.session.pause()
    expect(t.session.phase).toBe('paused')
    t.setNow(10_000)
    expect(t.session.elapsedMs()).toBe(2000)
    t.session.resume()
    t.setNow(11_500)
    expect(t.session.elapsedMs()).toBe(3500)
    expect(t.recorder().calls).toEqual(['start', 'pause', 'resume'])
    await vi.waitFor(() =>
      expect(t.fake.of('recording:state')).toEqual([
        ['p1', 'paused'],
        ['p1', 'recording']
      ])
    )
  })

  it('ignores pause and resume in the wrong phase', async () => {
    const t = await recording()
    t.session.resume()
    t.session.pause()
    t.session.pause()
    expect(t.recorder().calls).toEqual(['start', 'pause'])
  })

  it('stops and saves when the shared window closes', async () => {
    const t = await recording()
    t.media.display.end()
    await vi.waitFor(() => expect(t.finished()).toHaveLength(1))
    expect(t.fake.of('recording:stop')).toEqual([['p1', { endedBecause: ENDED_SOURCE_CLOSED }]])
    expect(ENDED_SOURCE_CLOSED).toBe('The shared screen or window was closed.')
  })

  it('keeps recording when the microphone is unplugged, and says so', async () => {
    const t = await recording()
    t.media.mic.unplug()
    expect(t.events).toContainEqual({ type: 'microphone-lost', message: MICROPHONE_LOST })
    expect(t.session.phase).toBe('recording')
    expect(t.recorder().calls).toEqual(['start'])
  })

  it('reads the microphone level from the recording graph', async () => {
    const t = await recording()
    t.media.mic.currentLevel = 0.7
    expect(t.session.micLevel()).toBe(0.7)
  })

  it('stops with a reason when the recorder fails', async () => {
    const t = await recording()
    t.recorder().state = 'inactive'
    t.recorder().handlers.onError('encoder crashed')
    await vi.waitFor(() => expect(t.finished()).toHaveLength(1))
    const [[, info]] = t.fake.of('recording:stop') as [[string, { endedBecause: string }]]
    expect(info.endedBecause).toContain('encoder crashed')
  })
})

describe('RecordingSession: restart and discard', () => {
  it('discard sends the last chunk to the take, then has main delete it, and ends as discarded', async () => {
    const t = await recording()
    t.fake.handlers['recording:discard'] = () => undefined
    t.recorder().emit(chunk([1]))
    const outcome = await t.session.discard()
    const channels = t.fake.calls.map((c) => c.channel)
    expect(channels.lastIndexOf('recording:chunk')).toBeLessThan(
      channels.indexOf('recording:discard')
    )
    expect(t.fake.of('recording:discard')).toEqual([['p1']])
    expect(t.fake.of('recording:stop')).toEqual([])
    expect(outcome).toEqual({ summary: null, endedBecause: null, error: null, discarded: true })
    expect(t.media.display.stopped).toBe(true)
    expect(t.media.mic.closed).toBe(true)
    expect(t.session.phase).toBe('stopped')
    expect(t.finished()).toHaveLength(1)
    // A stop afterwards answers the same, and saves nothing.
    expect(await t.session.stop()).toBe(outcome)
    expect(t.fake.of('recording:stop')).toEqual([])
  })

  it('restart throws the take away and records a new one with the same streams, from 0:00', async () => {
    const t = setup()
    t.fake.handlers['recording:restart'] = () => ({ projectId: 'p2', title: SUMMARY.title })
    await t.session.prepare({ sourceName: 'Entire screen', microphoneId: 'default' })
    await t.session.begin()
    const first = t.recorder()
    first.emit(chunk([1]))
    t.setNow(5000)
    t.session.pause()
    await t.session.restart()
    const second = t.recorder()
    expect(second).not.toBe(first)
    expect(first.calls).toContain('stop')
    expect(second.calls).toEqual(['start'])
    // The same screen and microphone: nothing acquired again, nothing released.
    expect(second.tracks).toEqual(first.tracks)
    expect(t.media.micOpened).toBe(1)
    expect(t.media.display.stopped).toBe(false)
    expect(t.session.phase).toBe('recording')
    expect(t.session.projectId).toBe('p2')
    expect(t.session.elapsedMs()).toBe(0)
    expect(t.fake.of('recording:restart')).toEqual([
      ['p1', { mimeType: 'video/webm;codecs=vp9,opus', sourceName: 'Entire screen' }]
    ])
    // The old take's chunks (the last one too) went to the old take before the restart.
    expect(t.fake.of('recording:chunk').map((a) => [a[0], a[1]])).toEqual([
      ['p1', 0],
      ['p1', 1]
    ])
    second.emit(chunk([7]))
    await t.session.stop()
    expect(
      t.fake
        .of('recording:chunk')
        .slice(2)
        .map((a) => [a[0], a[1]])
    ).toEqual([
      ['p2', 0],
      ['p2', 1]
    ])
    expect(t.fake.of('recording:stop')).toEqual([['p2', {}]])
  })

  it('when main cannot start the new take, the old take is saved and the user told why', async () => {
    const t = await recording()
    t.fake.handlers['recording:restart'] = () => {
      throw new SidecastError('disk-full', 'Only 10 MB free.')
    }
    await t.session.restart()
    const outcome = await t.session.stop()
    expect(t.fake.of('recording:stop')).toEqual([
      ['p1', { endedBecause: expect.stringMatching(/could not start again \(Only 10 MB free\.\)/) }]
    ])
    expect(outcome.summary).toEqual(SUMMARY)
    expect(t.finished()).toHaveLength(1)
  })

  it('a stop asked for during a restart stops the new take', async () => {
    const t = await recording()
    const answer = deferred<{ projectId: string; title: string }>()
    t.fake.handlers['recording:restart'] = () => answer.promise
    const restarting = t.session.restart()
    const stopping = t.session.stop()
    answer.resolve({ projectId: 'p2', title: SUMMARY.title })
    await restarting
    await stopping
    expect(t.fake.of('recording:stop')).toEqual([['p2', {}]])
    expect(t.finished()).toHaveLength(1)
  })
})

// ---------- the camera ----------

async function withCamera(mediaOptions: FakeMediaOptions = {}, cameraId = 'cam-1') {
  const t = setup(mediaOptions)
  await t.session.prepare({
    sourceName: 'Entire screen',
    microphoneId: 'default',
    cameraId,
    cameraLabel: 'Desk camera'
  })
  await t.session.begin()
  return t
}

function cameraInfos(t: ReturnType<typeof setup>): unknown[] {
  return t.fake.of('recording:camera-info').map((args) => args[1])
}

describe('RecordingSession: the camera', () => {
  it('opens no camera and asks main for no camera file when none is chosen', async () => {
    const t = setup()
    await t.session.prepare({ sourceName: 'Entire screen', microphoneId: 'default' })
    await t.session.begin()
    expect(t.media.cameraOpened).toBe(0)
    expect(t.session.hasCamera).toBe(false)
    expect(t.fake.of('recording:start')[0]?.[0]).not.toHaveProperty('camera')
    expect(t.media.cameraRecorder).toBeNull()

    const none = setup()
    await none.session.prepare({ sourceName: 'S', microphoneId: 'none', cameraId: 'none' })
    expect(none.media.cameraOpened).toBe(0)
  })

  it('opens the chosen camera exactly, about 720p at 30 fps, and records it alone in its own WebM', async () => {
    const t = await withCamera()
    expect(t.media.cameraConstraints).toEqual({
      video: {
        deviceId: { exact: 'cam-1' },
        width: { ideal: 1280 },
        height: { ideal: 720 },
        frameRate: { ideal: 30, max: 30 }
      },
      audio: false
    })
    expect(t.fake.of('recording:start')).toEqual([
      [
        {
          mimeType: 'video/webm;codecs=vp9,opus',
          sourceName: 'Entire screen',
          camera: { mimeType: 'video/webm;codecs=vp8', deviceName: 'Desk camera' }
        }
      ]
    ])
    const camera = t.cameraRecorder()
    expect(camera.tracks).toEqual([t.media.camera.track])
    expect(camera.options.mimeType).toBe('video/webm;codecs=vp8')
    expect(camera.options).not.toHaveProperty('audioBitsPerSecond')
    expect(camera.timeslice).toBe(1000)
    // The screen's recorder does not get the camera.
    expect(t.recorder().tracks).not.toContain(t.media.camera.track)
    expect(t.session.hasCamera).toBe(true)
  })

  it("asks for the system's default camera without a device id, and names it by its label", async () => {
    const t = setup()
    await t.session.prepare({ sourceName: 'S', microphoneId: 'none', cameraId: 'default' })
    await t.session.begin()
    expect(t.media.cameraConstraints?.video).not.toHaveProperty('deviceId')
    expect(t.fake.of('recording:start')[0]?.[0]).toMatchObject({
      camera: { deviceName: 'Integrated Camera (04f2:b6dd)' }
    })
  })

  it.each([
    ['NotAllowedError', 'camera-permission-denied', /permission was denied/],
    ['NotReadableError', 'camera-busy', /another app may be using it/],
    ['OverconstrainedError', 'camera-not-found', /was not found/]
  ])(
    'a camera that cannot be opened (%s) is named, nothing is recorded and the streams go back',
    async (name, code, words) => {
      const failure = Object.assign(new Error('Could not start video source'), { name })
      const t = setup({ cameraError: failure })
      const error = await t.session
        .prepare({ sourceName: 'S', microphoneId: 'default', cameraId: 'cam-1' })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SidecastError)
      expect((error as SidecastError).code).toBe(code)
      expect((error as SidecastError).message).toMatch(words)
      expect((error as SidecastError).message).toMatch(/nothing was recorded/)
      expect((error as SidecastError).message).toMatch(/No camera/)
      expect(t.session.phase).toBe('idle')
      expect(t.media.display.stopped).toBe(true)
      expect(t.media.mic.closed).toBe(true)
      expect(t.fake.calls).toEqual([])
    }
  )

  it("sends the camera's chunks in order on its own channel, numbered from 0 apart from the screen's", async () => {
    const t = await withCamera()
    t.recorder().emit(chunk([1]))
    t.cameraRecorder().emit(chunk([10], 20)) // read slowly
    t.cameraRecorder().emit(chunk([11]))
    t.recorder().emit(chunk([2]))
    t.cameraRecorder().emit(chunk([], 0)) // empty: skipped
    await t.session.stop()
    const camera = t.fake.of('recording:camera-chunk')
    expect(camera.map((a) => [a[0], a[1], [...(a[2] as Uint8Array)]])).toEqual([
      ['p1', 0, [10]],
      ['p1', 1, [11]],
      ['p1', 2, [99]] // the camera's last chunk, flushed at stop
    ])
    expect(t.chunkSeqsOf('recording:chunk')).toEqual([0, 1, 2])
  })

  it("measures the offset from each recorder's start and sends it once both started", async () => {
    const t = await withCamera()
    t.setNow(100)
    t.recorder().started()
    expect(cameraInfos(t)).toEqual([])
    t.setNow(137)
    t.cameraRecorder().started()
    await t.session.stop()
    expect(cameraInfos(t)).toEqual([{ offsetMs: 37 }])

    // The camera may start first: the offset is then negative.
    const u = await withCamera()
    u.setNow(50)
    u.cameraRecorder().started()
    u.setNow(80)
    u.recorder().started()
    await u.session.stop()
    expect(cameraInfos(u)).toEqual([{ offsetMs: -30 }])
  })

  it('stop waits for both last chunks and the camera facts before finishing', async () => {
    const t = await withCamera()
    t.recorder().started()
    t.cameraRecorder().started()
    t.cameraRecorder().finalChunk = chunk([42], 30)
    const outcome = await t.session.stop()
    const channels = t.fake.calls.map((c) => c.channel)
    const stopAt = channels.indexOf('recording:stop')
    expect(channels.lastIndexOf('recording:camera-chunk')).toBeLessThan(stopAt)
    expect(channels.lastIndexOf('recording:chunk')).toBeLessThan(stopAt)
    expect(channels.lastIndexOf('recording:camera-info')).toBeLessThan(stopAt)
    expect(t.fake.of('recording:camera-chunk').map((a) => [...(a[2] as Uint8Array)])).toEqual([
      [42]
    ])
    expect(t.cameraRecorder().calls).toEqual(['start', 'stop'])
    expect(t.media.camera.stopped).toBe(true)
    expect(outcome.summary).toEqual(SUMMARY)
  })

  it('pauses and resumes the camera with the screen', async () => {
    const t = await withCamera()
    t.session.pause()
    t.session.resume()
    expect(t.cameraRecorder().calls).toEqual(['start', 'pause', 'resume'])
  })

  it('camera off blacks the track and records the off stretch on the recording clock', async () => {
    const t = await withCamera()
    const toggles: boolean[] = []
    t.session.subscribe((e) => {
      if (e.type === 'camera') toggles.push(e.on)
    })
    t.setNow(2000)
    t.session.setCameraOn(false)
    expect(t.media.camera.track.enabled).toBe(false)
    // Still recording: black frames keep the camera file's timing.
    expect(t.cameraRecorder().state).toBe('recording')
    t.setNow(5000)
    t.session.setCameraOn(true)
    expect(t.media.camera.track.enabled).toBe(true)
    t.setNow(7000)
    t.session.setCameraOn(false)
    // Paused time is not on the recording clock.
    t.session.pause()
    t.setNow(60_000)
    t.session.resume()
    t.setNow(61_000)
    await t.session.stop()
    expect(toggles).toEqual([false, true, false])
    // Each switch-off is told at once, open-ended (a crash while off keeps it); on or Stop closes it.
    expect(cameraInfos(t)).toEqual([
      { offRanges: [[2000, OPEN_OFF_END]] },
      { offRanges: [[2000, 5000]] },
      {
        offRanges: [
          [2000, 5000],
          [7000, OPEN_OFF_END]
        ]
      },
      {
        offRanges: [
          [2000, 5000],
          [7000, 8000]
        ]
      }
    ])
    expect(t.session.cameraEnabled).toBe(false)
  })

  it('ignores camera on/off without a camera or when not recording', async () => {
    const t = await recording()
    t.session.setCameraOn(false)
    expect(t.session.cameraEnabled).toBe(true)
    expect(cameraInfos(t)).toEqual([])
    const u = setup()
    await u.session.prepare({ sourceName: 'S', microphoneId: 'none', cameraId: 'cam-1' })
    u.session.setCameraOn(false)
    expect(u.media.camera.track.enabled).toBe(true)
  })

  it('a camera unplugged mid-recording stops only the camera, keeps its last chunk, and says so', async () => {
    const t = await withCamera()
    t.recorder().started()
    t.cameraRecorder().started()
    t.cameraRecorder().emit(chunk([10]))
    t.media.camera.unplug()
    await vi.waitFor(() =>
      expect(cameraInfos(t)).toContainEqual({ endedBecause: CAMERA_ENDED_UNPLUGGED })
    )
    expect(t.events).toContainEqual({ type: 'camera-lost', message: CAMERA_LOST })
    expect(t.cameraRecorder().state).toBe('inactive')
    expect(t.fake.of('recording:camera-chunk').map((a) => a[1])).toEqual([0, 1])
    expect(t.session.hasCamera).toBe(false)
    // The screen goes on.
    expect(t.session.phase).toBe('recording')
    expect(t.recorder().state).toBe('recording')
    t.recorder().emit(chunk([3]))
    const outcome = await t.session.stop()
    expect(outcome.endedBecause).toBeNull()
    expect(t.chunkSeqsOf('recording:chunk')).toEqual([0, 1])
    expect(t.fake.of('recording:stop')).toEqual([['p1', {}]])
  })

  it('a failed camera chunk stops only the camera; the screen keeps recording', async () => {
    const t = await withCamera()
    t.fake.handlers['recording:camera-chunk'] = () => {
      throw new Error('EIO: i/o error')
    }
    t.cameraRecorder().emit(chunk([10]))
    t.cameraRecorder().emit(chunk([11]))
    await vi.waitFor(() =>
      expect(cameraInfos(t)).toContainEqual({
        endedBecause: expect.stringMatching(/Saving the camera failed \(EIO: i\/o error\)/)
      })
    )
    expect(t.events.some((e) => e.type === 'camera-lost')).toBe(true)
    // Only the first failed one was tried: no holes are written after it.
    expect(t.fake.of('recording:camera-chunk').map((a) => a[1])).toEqual([0])
    expect(t.session.phase).toBe('recording')
    t.recorder().emit(chunk([1]))
    const outcome = await t.session.stop()
    expect(outcome.summary).toEqual(SUMMARY)
    expect(outcome.endedBecause).toBeNull()
  })

  it('a camera chunk that finds the disk almost full stops the whole recording', async () => {
    const t = await withCamera()
    t.fake.handlers['recording:camera-chunk'] = (): ChunkAck => ({
      bytesWritten: 1,
      diskLow: true
    })
    t.cameraRecorder().emit(chunk([10]))
    await vi.waitFor(() => expect(t.finished()).toHaveLength(1))
    expect(t.fake.of('recording:stop')).toEqual([['p1', { endedBecause: ENDED_DISK_LOW }]])
  })

  it('a camera unplugged before recording begins: the take is made without it, and the user told', async () => {
    const t = setup()
    await t.session.prepare({ sourceName: 'S', microphoneId: 'none', cameraId: 'cam-1' })
    t.media.camera.unplug()
    expect(t.events).toContainEqual({ type: 'camera-lost', message: CAMERA_LOST })
    await t.session.begin()
    expect(t.fake.of('recording:start')[0]?.[0]).not.toHaveProperty('camera')
    expect(t.media.cameraRecorder).toBeNull()
  })

  it('restart records the camera again for the new take, from seq 0, with a new offset', async () => {
    const t = await withCamera()
    t.fake.handlers['recording:restart'] = () => ({ projectId: 'p2', title: SUMMARY.title })
    const first = t.cameraRecorder()
    first.emit(chunk([10]))
    t.setNow(1000)
    t.session.setCameraOn(false)
    await t.session.restart()
    const second = t.cameraRecorder()
    expect(second).not.toBe(first)
    expect(first.calls).toContain('stop')
    expect(t.fake.of('recording:restart')[0]?.[1]).toMatchObject({
      camera: { mimeType: 'video/webm;codecs=vp8', deviceName: 'Desk camera' }
    })
    t.setNow(2000)
    t.recorder().started()
    t.setNow(2010)
    second.started()
    second.emit(chunk([20]))
    // Still off: the new take (its clock began at 1000) is off from 0 until switched on.
    t.setNow(3000)
    t.session.setCameraOn(true)
    await t.session.stop()
    const chunks = t.fake.of('recording:camera-chunk').map((a) => [a[0], a[1]])
    expect(chunks).toEqual([
      ['p1', 0],
      ['p1', 1],
      ['p2', 0],
      ['p2', 1]
    ])
    const p2Infos = t.fake
      .of('recording:camera-info')
      .filter((a) => a[0] === 'p2')
      .map((a) => a[1])
    expect(p2Infos).toEqual([
      { offRanges: [[0, OPEN_OFF_END]] },
      { offsetMs: 10 },
      { offRanges: [[0, 2000]] }
    ])
  })

  it('discard stops the camera too, before main deletes the take', async () => {
    const t = await withCamera()
    t.fake.handlers['recording:discard'] = () => undefined
    await t.session.discard()
    const channels = t.fake.calls.map((c) => c.channel)
    expect(channels.lastIndexOf('recording:camera-chunk')).toBeLessThan(
      channels.indexOf('recording:discard')
    )
    expect(t.cameraRecorder().state).toBe('inactive')
    expect(t.media.camera.stopped).toBe(true)
  })
})
