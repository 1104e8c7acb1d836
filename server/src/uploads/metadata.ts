/**
 * Upload-Metadata as the desktop app sends it, validated before an upload is created. Every
 * value is stored as data; none ever becomes part of a filesystem path.
 */
import {
  CONTROL_CHARS,
  CONTROL_CHARS_EXCEPT_NEWLINES,
  UPLOAD_METADATA_LIMITS
} from '../../../src/shared/upload-metadata'
import { LIBRARY_PROJECT_ID_PATTERN } from '../../../src/shared/project'
import { ANSWERS_METADATA_KEY, REQUEST_ID } from '../../../src/shared/learn'
import type { Callout } from '../db/types'
import { VIDEO_ID } from '../library'

export interface UploadMeta {
  filename: string
  title: string
  description: string
  durationMs: number | null
  projectId: string | null
  callouts: Callout[]
  /**
   * The id of the video this upload is a new version of (`replaces`), or null for a new video.
   * Only its shape is checked here; who may replace it is checked when the upload is created.
   */
  replaces: string | null
  /**
   * Sent while recording (`live` = `1`): raw MediaRecorder WebM of a length not known yet, which
   * the server stream-copies into a seekable file once all of it is there.
   */
  live: boolean
  /**
   * `editsFollow` = `1`: the recording is sent as it is and its edits follow (PUT .../edits);
   * until they are there, viewers other than the owner get nothing of it (render-queue.ts).
   */
  editsFollow: boolean
  /**
   * `cameraFollows` = `1`: the recording has a camera recording that is sent after it (an upload
   * with `cameraFor`); until it is there, viewers other than the owner get nothing of it.
   */
  cameraFollows: boolean
  /**
   * `cameraFor` = a video id: this upload is not a video but the camera recording of that video
   * (its owner's), with the facts below; a second one replaces the first.
   */
  cameraFor: string | null
  /** With `cameraFor`: the camera facts the render needs (recording.json's camera, in part). */
  camera: CameraMeta | null
  /**
   * `answers` = a request id: the recording answers that walkthrough request. When the upload
   * becomes a new video, it is linked as an answer and the asker is told (processor.ts); a
   * request gone by then is logged, the video stays. Not with `cameraFor`.
   */
  answers: string | null
}

/** The camera facts sent with a camera upload (`cameraOffsetMs`, `cameraDurationMs`, `cameraOffRanges`). */
export interface CameraMeta {
  /** Where the camera's first frame falls on the recording's clock, ms (may be negative). */
  offsetMs: number
  /** Its length, ms (informative: the stored length comes from ffprobe when this is absent). */
  durationMs: number | null
  /** Stretches of the recording's clock where the camera was switched off: sorted [start, end] ms. */
  offRanges: [number, number][]
}

const LIMITS = UPLOAD_METADATA_LIMITS

export class MetadataError extends Error {}

function text(
  meta: Record<string, string | null | undefined>,
  key: string,
  max: number,
  multiline = false
): string | undefined {
  if (!(key in meta)) return undefined
  const value = meta[key]
  if (value === null || value === undefined) return ''
  if (value.includes('\uFFFD')) throw new MetadataError(`${key} is not valid UTF-8`)
  if ([...value].length > max) throw new MetadataError(`${key} is longer than ${max} characters`)
  if ((multiline ? CONTROL_CHARS_EXCEPT_NEWLINES : CONTROL_CHARS).test(value)) {
    throw new MetadataError(`${key} contains control characters`)
  }
  return value
}

function nonNegativeInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

export function parseCallouts(json: string): Callout[] {
  if (Buffer.byteLength(json) > LIMITS.calloutsJson) {
    throw new MetadataError(`callouts is larger than ${LIMITS.calloutsJson / 1024} KB`)
  }
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    throw new MetadataError('callouts is not valid JSON')
  }
  if (!Array.isArray(value)) throw new MetadataError('callouts must be a JSON array')
  if (value.length > LIMITS.callouts) {
    throw new MetadataError(`callouts has more than ${LIMITS.callouts} entries`)
  }
  return value.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new MetadataError(`callouts[${i}] must be an object`)
    }
    const { text: t, startMs, endMs } = item as Record<string, unknown>
    if (typeof t !== 'string') throw new MetadataError(`callouts[${i}].text must be a string`)
    if ([...t].length > LIMITS.calloutText) {
      throw new MetadataError(`callouts[${i}].text is longer than ${LIMITS.calloutText} characters`)
    }
    if (CONTROL_CHARS_EXCEPT_NEWLINES.test(t)) {
      throw new MetadataError(`callouts[${i}].text contains control characters`)
    }
    if (!nonNegativeInt(startMs) || !nonNegativeInt(endMs) || endMs < startMs) {
      throw new MetadataError(
        `callouts[${i}] needs integer startMs and endMs (milliseconds, endMs ≥ startMs)`
      )
    }
    return { text: t, startMs, endMs }
  })
}

/** Validates tus Upload-Metadata (already base64-decoded). Throws MetadataError with a reason. */
export function validateMetadata(meta: Record<string, string | null | undefined>): UploadMeta {
  if (Object.keys(meta).length > LIMITS.keys) throw new MetadataError('too many metadata keys')

  const filename = text(meta, 'filename', LIMITS.filename)
  if (!filename) throw new MetadataError('filename is required')
  if (/[/\\]/.test(filename) || filename === '.' || filename === '..') {
    throw new MetadataError('filename must be a plain file name, without folders')
  }

  const description = text(meta, 'description', LIMITS.description, true) ?? ''
  let title = (text(meta, 'title', LIMITS.title) ?? '').trim()
  if (!title) title = filename.replace(/\.[A-Za-z0-9]{1,5}$/, '') || filename

  let durationMs: number | null = null
  const durationText = text(meta, 'durationMs', 20)
  if (durationText !== undefined && durationText !== '') {
    if (!/^\d{1,15}$/.test(durationText)) {
      throw new MetadataError('durationMs must be a whole number of milliseconds')
    }
    durationMs = Number(durationText)
  }

  let projectId: string | null = null
  const projectText = text(meta, 'projectId', LIMITS.projectId)
  if (projectText) {
    if (!LIBRARY_PROJECT_ID_PATTERN.test(projectText)) {
      throw new MetadataError('projectId may contain only letters, digits, ".", "_" and "-"')
    }
    projectId = projectText
  }

  let callouts: Callout[] = []
  if ('callouts' in meta) {
    const raw = meta.callouts
    if (raw !== null && raw !== undefined && raw !== '') callouts = parseCallouts(raw)
  }

  let replaces: string | null = null
  const replacesText = text(meta, 'replaces', 64)
  if (replacesText) {
    if (!VIDEO_ID.test(replacesText)) {
      throw new MetadataError('replaces must be a video id (letters, digits, "_" and "-")')
    }
    replaces = replacesText
  }

  const liveText = text(meta, 'live', 1)
  if (liveText !== undefined && liveText !== '' && liveText !== '0' && liveText !== '1') {
    throw new MetadataError('live must be 1 (sent while recording) or 0')
  }
  const live = liveText === '1'

  const followText = text(meta, 'editsFollow', 1)
  if (followText !== undefined && followText !== '' && followText !== '0' && followText !== '1') {
    throw new MetadataError('editsFollow must be 1 (the edits are sent after the recording) or 0')
  }
  const editsFollow = followText === '1'

  const cameraFollowsText = text(meta, 'cameraFollows', 1)
  if (
    cameraFollowsText !== undefined &&
    cameraFollowsText !== '' &&
    cameraFollowsText !== '0' &&
    cameraFollowsText !== '1'
  ) {
    throw new MetadataError(
      'cameraFollows must be 1 (the camera recording is sent after the recording) or 0'
    )
  }
  const cameraFollows = cameraFollowsText === '1'

  let cameraFor: string | null = null
  let camera: CameraMeta | null = null
  const cameraForText = text(meta, 'cameraFor', 64)
  if (cameraForText) {
    if (!VIDEO_ID.test(cameraForText)) {
      throw new MetadataError('cameraFor must be a video id (letters, digits, "_" and "-")')
    }
    if (replaces) throw new MetadataError('cameraFor and replaces cannot go together')
    if (live) throw new MetadataError('cameraFor cannot be sent live')
    if (cameraFollows) throw new MetadataError('cameraFor and cameraFollows cannot go together')
    cameraFor = cameraForText
    camera = cameraFacts(meta)
  }

  let answers: string | null = null
  const answersText = text(meta, ANSWERS_METADATA_KEY, 64)
  if (answersText) {
    if (!REQUEST_ID.test(answersText)) {
      throw new MetadataError(
        `${ANSWERS_METADATA_KEY} must be a request id (letters, digits, "_" and "-")`
      )
    }
    if (cameraFor) {
      throw new MetadataError(`cameraFor and ${ANSWERS_METADATA_KEY} cannot go together`)
    }
    answers = answersText
  }

  return {
    filename,
    title,
    description,
    durationMs,
    projectId,
    callouts,
    replaces,
    live,
    editsFollow,
    cameraFollows,
    cameraFor,
    camera,
    answers
  }
}

/** The longest camera offset taken either way: a day, in ms. */
const CAMERA_OFFSET_MAX_MS = 86_400_000
/** The most camera-off stretches taken. */
const CAMERA_OFF_RANGES_MAX = 1000

function cameraFacts(meta: Record<string, string | null | undefined>): CameraMeta {
  const offsetText = text(meta, 'cameraOffsetMs', 20)
  if (offsetText === undefined || offsetText === '') {
    throw new MetadataError('cameraOffsetMs is required with cameraFor')
  }
  if (!/^-?\d{1,15}$/.test(offsetText) || Math.abs(Number(offsetText)) > CAMERA_OFFSET_MAX_MS) {
    throw new MetadataError(
      'cameraOffsetMs must be a whole number of milliseconds (negative when the camera started first)'
    )
  }
  let durationMs: number | null = null
  const durationText = text(meta, 'cameraDurationMs', 20)
  if (durationText !== undefined && durationText !== '') {
    if (!/^\d{1,15}$/.test(durationText)) {
      throw new MetadataError('cameraDurationMs must be a whole number of milliseconds')
    }
    durationMs = Number(durationText)
  }
  let offRanges: [number, number][] = []
  const rangesText = text(meta, 'cameraOffRanges', 64 * 1024)
  if (rangesText) {
    let value: unknown
    try {
      value = JSON.parse(rangesText)
    } catch {
      throw new MetadataError('cameraOffRanges is not valid JSON')
    }
    const ok =
      Array.isArray(value) &&
      value.length <= CAMERA_OFF_RANGES_MAX &&
      value.every(
        (pair) =>
          Array.isArray(pair) &&
          pair.length === 2 &&
          pair.every(nonNegativeInt) &&
          (pair[0] as number) <= (pair[1] as number)
      )
    if (!ok) {
      throw new MetadataError(
        `cameraOffRanges must be a JSON list of at most ${CAMERA_OFF_RANGES_MAX} [startMs, endMs] pairs`
      )
    }
    offRanges = (value as [number, number][])
      .map(([a, b]): [number, number] => [a, b])
      .sort((a, b) => a[0] - b[0])
  }
  return { offsetMs: Number(offsetText), durationMs, offRanges }
}
