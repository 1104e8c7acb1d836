/**
 * The recorder as React sees it: wraps one RecordingSession per recording, runs the countdown,
 * ticks the timer and mic meter, watches for a silent microphone, and reports how it ended.
 * Restart and Discard throw the take away, so each asks first (`confirming`); the recording is
 * paused while the question is up and resumes if the user keeps it.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { AnswerTarget, CaptureSource, RecorderCommand } from '../../../shared/ipc'
import { api } from '../api'
import { useLatest } from '../lib/use-latest'
import { openBubbleChannel } from '../bubble/bubble-channel'
import { answerTarget } from '../requests/requests-model'
import { linkToldAtStop } from '../share/uploads-model'
import { uploadsStore } from '../share/use-uploads'
import type { Notices } from '../ui/notices'
import { browserMedia } from './browser-media'
import { RecordingSession } from './recording-session'
import type { SessionEvent, SessionOutcome } from './recording-session'
import { SilenceWatch } from './silence-watch'
import { METER_INTERVAL_MS } from './use-mic-preview'

export type RecorderPhase =
  'idle' | 'preparing' | 'countdown' | 'starting' | 'recording' | 'paused' | 'finishing'

export const SILENT_MIC_WARNING =
  "We can't hear your microphone… Check that it isn't muted, or stop and pick another microphone."

/** What the recording bar is asking about: restarting the take, or discarding it. */
export type TakeQuestion = 'restart' | 'discard'

/** Ignore a second toggle this soon after the first (the in-window key and the global shortcut). */
const TOGGLE_DEBOUNCE_MS = 600

export interface UseRecorderOptions {
  /** The chosen capture source; null until sources have loaded. */
  readonly source: CaptureSource | null
  /** A device id, `default`, or `none`. */
  readonly microphoneId: string
  /** A camera device id, `default`, or `none` (absent: none). */
  readonly cameraId?: string
  /** The chosen camera's name as the list shows it, when known. */
  readonly cameraLabel?: string
  /** Seconds of countdown; 0 for none. */
  readonly countdownSeconds: number
  /** process.platform of the app, for permission advice. */
  readonly platform: string
  readonly notices: Notices
  /** Called after a recording was saved (or failed to be), e.g. to refresh the list. */
  readonly onFinished?: (outcome: SessionOutcome) => void
}

export interface Recorder {
  readonly phase: RecorderPhase
  /** Seconds left in the countdown, or null when not counting down. */
  readonly countdown: number | null
  readonly elapsedMs: number
  readonly micLevel: number
  readonly hasMicrophone: boolean
  /** A microphone problem to show while recording (disconnected, silent), or null. */
  readonly micWarning: string | null
  /** The question the bar asks before throwing the take away, or null. */
  readonly confirming: TakeQuestion | null
  /** True while recording with a camera (not lost). */
  readonly hasCamera: boolean
  /** False while the camera is switched off in the bar. */
  readonly cameraOn: boolean
  /** A camera problem to show while recording (disconnected, failed), or null. */
  readonly cameraWarning: string | null
  /** The library request this recording answers ("Answering: <title>"), or null. */
  readonly answering: AnswerTarget | null
  /** Switches the camera off (black, the bubble hidden there) or back on. */
  toggleCamera(): void
  start(): void
  /** Starts recording an answer to a library request: titled with it, linked to it when shared. */
  startAnswer(answer: AnswerTarget): void
  stop(): void
  pause(): void
  resume(): void
  /** Start when idle, otherwise stop (or cancel a pending start). */
  toggle(): void
  skipCountdown(): void
  /** Asks whether to restart the take (pausing it meanwhile). */
  askRestart(): void
  /** Asks whether to discard the take (pausing it meanwhile). */
  askDiscard(): void
  /** Does what was asked: restarts or discards the take. */
  confirm(): void
  /** Keeps the take: closes the question and resumes if it was recording before. */
  keep(): void
}

export function useRecorder(options: UseRecorderOptions): Recorder {
  const [phase, setPhase] = useState<RecorderPhase>('idle')
  const [countdown, setCountdown] = useState<number | null>(null)
  const [elapsedMs, setElapsedMs] = useState(0)
  const [micLevel, setMicLevel] = useState(0)
  const [hasMicrophone, setHasMicrophone] = useState(false)
  const [micLost, setMicLost] = useState<string | null>(null)
  const [micSilent, setMicSilent] = useState(false)
  const [confirming, setConfirming] = useState<TakeQuestion | null>(null)
  const [hasCamera, setHasCamera] = useState(false)
  const [cameraOn, setCameraOn] = useState(true)
  const [cameraLost, setCameraLost] = useState<string | null>(null)
  const [answering, setAnswering] = useState<AnswerTarget | null>(null)
  /** Whether the take was recording (not paused) when the question came up. */
  const resumeAfterQuestion = useRef(false)
  const questionOpen = useRef(false)
  const sessionRef = useRef<RecordingSession | null>(null)
  const lastToggle = useRef(0)
  const optionsRef = useLatest(options)

  const report = useCallback(
    (outcome: SessionOutcome) => {
      const { notices, onFinished } = optionsRef.current
      const title = outcome.summary ? `“${outcome.summary.title}”` : null
      if (outcome.error) notices.error(outcome.error)
      if (outcome.discarded) {
        if (!outcome.error) notices.info('The recording was discarded.')
        onFinished?.(outcome)
        return
      }
      if (outcome.endedBecause) {
        notices.warning(title ? `${outcome.endedBecause} Saved as ${title}.` : outcome.endedBecause)
      } else if (title && outcome.summary) {
        // Shared while recording: the link's notice at Stop says it all (one notice, not two).
        const upload = uploadsStore.getSnapshot().byProject.get(outcome.summary.id)
        if (!linkToldAtStop(upload)) notices.info(`Saved ${title}.`)
      }
      if (outcome.summary || outcome.error) onFinished?.(outcome)
    },
    [optionsRef]
  )

  const reset = useCallback(() => {
    sessionRef.current = null
    setPhase('idle')
    setCountdown(null)
    questionOpen.current = false
    setConfirming(null)
    setMicSilent(false)
    setMicLost(null)
    setMicLevel(0)
    setHasCamera(false)
    setCameraOn(true)
    setCameraLost(null)
    setAnswering(null)
  }, [])

  const onSessionEvent = useCallback(
    (session: RecordingSession, event: SessionEvent) => {
      if (sessionRef.current !== session) return
      switch (event.type) {
        case 'phase':
          if (event.phase === 'recording') {
            setPhase('recording')
            setHasCamera(session.hasCamera)
          } else if (event.phase === 'paused') setPhase('paused')
          else if (event.phase === 'starting')
            setPhase('starting') // a restarted take
          else if (event.phase === 'stopping') {
            questionOpen.current = false
            setConfirming(null)
            setPhase('finishing')
          }
          break
        case 'microphone-lost':
          setMicLost(event.message)
          break
        case 'camera-lost':
          setCameraLost(event.message)
          setHasCamera(session.hasCamera)
          break
        case 'camera':
          setCameraOn(event.on)
          break
        case 'finished':
          reset()
          report(event.outcome)
          break
      }
    },
    [report, reset]
  )

  const begin = useCallback(
    (session: RecordingSession) => {
      if (sessionRef.current !== session || session.phase !== 'ready') return
      setCountdown(null)
      setPhase('starting')
      session.begin().catch((error: unknown) => {
        if (sessionRef.current !== session) return
        reset()
        optionsRef.current.notices.error(error)
      })
    },
    [reset, optionsRef]
  )

  const startWith = useCallback(
    (answer: AnswerTarget | null) => {
      if (sessionRef.current) return
      const { source, microphoneId, cameraId, cameraLabel, platform, countdownSeconds, notices } =
        optionsRef.current
      if (!source) {
        notices.error('Pick a screen or window to record first.')
        return
      }
      const session = new RecordingSession({ api, media: browserMedia })
      sessionRef.current = session
      session.subscribe((event) => onSessionEvent(session, event))
      setPhase('preparing')
      setElapsedMs(0)
      setMicLost(null)
      setMicSilent(false)
      setCameraLost(null)
      setCameraOn(true)
      setAnswering(answer)
      // Main answers getDisplayMedia with the selected source, so tell it first.
      api
        .invoke('sources:select', source.id)
        .then(() =>
          session.prepare({
            sourceName: source.name,
            microphoneId,
            platform,
            cameraId: cameraId ?? 'none',
            ...(cameraLabel ? { cameraLabel } : {}),
            ...(answer ? { answer } : {})
          })
        )
        .then(() => {
          if (sessionRef.current !== session || session.phase !== 'ready') return
          setHasMicrophone(session.hasMicrophone)
          if (countdownSeconds > 0) {
            setCountdown(countdownSeconds)
            setPhase('countdown')
          } else {
            begin(session)
          }
        })
        .catch((error: unknown) => {
          if (sessionRef.current === session) reset()
          notices.error(error)
        })
    },
    [begin, onSessionEvent, reset, optionsRef]
  )
  const start = useCallback(() => startWith(null), [startWith])
  const startAnswer = useCallback((answer: AnswerTarget) => startWith(answer), [startWith])

  const stop = useCallback(() => {
    const session = sessionRef.current
    if (!session) return
    if (session.phase === 'acquiring' || session.phase === 'ready') {
      session.cancel()
      reset()
      return
    }
    void session.stop()
  }, [reset])

  const pause = useCallback(() => sessionRef.current?.pause(), [])
  const toggleCamera = useCallback(() => {
    const session = sessionRef.current
    session?.setCameraOn(!session.cameraEnabled)
  }, [])

  // The bubble window (Electron) hides while the camera is off or gone; it asks when it opens.
  const showsCamera =
    hasCamera && cameraOn && (phase === 'recording' || phase === 'paused' || phase === 'starting')
  const showsCameraRef = useRef(showsCamera)
  const bubble = useRef<ReturnType<typeof openBubbleChannel>>(null)
  useEffect(() => {
    const channel = openBubbleChannel((message) => {
      if (message.type === 'hello') channel?.post({ type: 'camera', on: showsCameraRef.current })
    })
    bubble.current = channel
    return () => {
      bubble.current = null
      channel?.close()
    }
  }, [])
  useEffect(() => {
    showsCameraRef.current = showsCamera
    bubble.current?.post({ type: 'camera', on: showsCamera })
  }, [showsCamera])
  const resume = useCallback(() => sessionRef.current?.resume(), [])

  const ask = useCallback((question: TakeQuestion) => {
    const session = sessionRef.current
    if (!session || (session.phase !== 'recording' && session.phase !== 'paused')) return
    if (!questionOpen.current) {
      questionOpen.current = true
      resumeAfterQuestion.current = session.phase === 'recording'
      // Nothing of the deciding goes into the take.
      session.pause()
    }
    setConfirming(question)
  }, [])
  const askRestart = useCallback(() => ask('restart'), [ask])
  const askDiscard = useCallback(() => ask('discard'), [ask])

  const keep = useCallback(() => {
    if (!questionOpen.current) return
    questionOpen.current = false
    setConfirming(null)
    if (resumeAfterQuestion.current) sessionRef.current?.resume()
    resumeAfterQuestion.current = false
  }, [])

  const confirm = useCallback(() => {
    const session = sessionRef.current
    const question = confirming
    questionOpen.current = false
    setConfirming(null)
    resumeAfterQuestion.current = false
    if (!session || !question) return
    if (question === 'discard') void session.discard()
    else void session.restart()
  }, [confirming])

  const toggle = useCallback(() => {
    const now = Date.now()
    if (now - lastToggle.current < TOGGLE_DEBOUNCE_MS) return
    lastToggle.current = now
    if (sessionRef.current) stop()
    else start()
  }, [start, stop])

  const skipCountdown = useCallback(() => {
    const session = sessionRef.current
    if (session) begin(session)
  }, [begin])

  // The countdown: one tick a second, recording begins when it reaches zero.
  useEffect(() => {
    if (phase !== 'countdown' || countdown === null) return
    const timer = setTimeout(() => {
      if (countdown <= 1) {
        const session = sessionRef.current
        if (session) begin(session)
      } else {
        setCountdown(countdown - 1)
      }
    }, 1000)
    return () => clearTimeout(timer)
  }, [phase, countdown, begin])

  // Timer, meter and silence watch while recording.
  useEffect(() => {
    if (phase !== 'recording' && phase !== 'paused' && phase !== 'finishing') return
    const session = sessionRef.current
    if (!session) return
    const watch = new SilenceWatch()
    const tick = (): void => {
      const elapsed = session.elapsedMs()
      const level = session.micLevel()
      setElapsedMs(elapsed)
      setMicLevel(level)
      if (session.hasMicrophone && session.phase === 'recording') {
        setMicSilent(watch.sample(elapsed, level))
      }
    }
    tick()
    const timer = setInterval(tick, METER_INTERVAL_MS)
    return () => clearInterval(timer)
  }, [phase])

  // Stop the streams if the window goes away mid-recording (main recovers the file).
  useEffect(() => () => void sessionRef.current?.stop(), [])

  // Commands from the tray and the global shortcut.
  const commands = useRef({
    toggle,
    start,
    stop,
    pause,
    resume,
    askRestart,
    askDiscard,
    startAnswer
  })
  useEffect(() => {
    commands.current = { toggle, start, stop, pause, resume, askRestart, askDiscard, startAnswer }
  })
  // The tray's "Answer a request": like its Start, with the request attached.
  useEffect(
    () =>
      api.on('requests:answer', (answer: AnswerTarget) =>
        commands.current.startAnswer(answerTarget({ id: answer.requestId, title: answer.title }))
      ),
    []
  )
  useEffect(
    () =>
      api.on('recorder:command', (command: RecorderCommand) => {
        const c = commands.current
        switch (command) {
          case 'toggle':
            return c.toggle()
          case 'start':
            return c.start()
          case 'stop':
            return c.stop()
          case 'pause':
            return c.pause()
          case 'resume':
            return c.resume()
          case 'restart':
            return c.askRestart()
          case 'discard':
            return c.askDiscard()
        }
      }),
    []
  )

  return {
    phase,
    countdown,
    elapsedMs,
    micLevel,
    hasMicrophone,
    micWarning: micLost ?? (micSilent ? SILENT_MIC_WARNING : null),
    confirming,
    hasCamera,
    cameraOn,
    cameraWarning: cameraLost,
    answering,
    toggleCamera,
    start,
    startAnswer,
    stop,
    pause,
    resume,
    toggle,
    skipCountdown,
    askRestart,
    askDiscard,
    confirm,
    keep
  }
}
