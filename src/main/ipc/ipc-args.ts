/**
 * Runtime checks for renderer arguments: the renderer is untrusted, so the types in the IPC
 * contract are a promise to be verified, not a fact. Each failure names the argument.
 */
import { SidecastError } from '../../shared/errors'
import type {
  AnswerTarget,
  CameraInfo,
  StartCameraRequest,
  StartRecordingRequest
} from '../../shared/ipc'
import { REQUEST_ID } from '../../shared/learn'
import { isValidProjectId, MAX_TITLE_LENGTH, normaliseTitle } from '../../shared/project'

export function badRequest(message: string): SidecastError {
  return new SidecastError('bad-request', message)
}

export function requireProjectId(value: unknown, name = 'projectId'): string {
  if (!isValidProjectId(value)) throw badRequest(`"${name}" must be a valid project id.`)
  return value
}

export function requireString(value: unknown, name: string, maxLength: number): string {
  if (typeof value !== 'string') throw badRequest(`"${name}" must be text.`)
  if (value.length > maxLength)
    throw badRequest(`"${name}" must be at most ${maxLength} characters.`)
  return value
}

/** `value` checked like requireString, or undefined when it is absent. */
export function optionalString(
  value: unknown,
  name: string,
  maxLength: number
): string | undefined {
  return value === undefined ? undefined : requireString(value, name, maxLength)
}

export function requireObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`"${name}" must be an object.`)
  }
  return value as Record<string, unknown>
}

export function requireSeq(value: unknown, name = 'seq'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw badRequest(`"${name}" must be a whole number of at least 0.`)
  }
  return value
}

export function requireBytes(value: unknown, name: string, maxBytes: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw badRequest(`"${name}" must be a Uint8Array.`)
  if (value.byteLength > maxBytes) {
    throw badRequest(
      `"${name}" is ${value.byteLength} bytes; at most ${maxBytes} are accepted at once.`
    )
  }
  return value
}

export function requireOneOf<T extends string>(
  value: unknown,
  name: string,
  allowed: readonly T[]
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw badRequest(`"${name}" must be one of ${allowed.join(', ')}.`)
  }
  return value as T
}

/** A MediaRecorder MIME type: bounded text starting with `video/`. */
export function requireVideoMimeType(value: unknown, name: string): string {
  const mimeType = requireString(value, name, 200)
  if (!/^video\//i.test(mimeType)) throw badRequest(`"${name}" must be a video type.`)
  return mimeType
}

/** `recording:start`'s and `recording:restart`'s request, the camera's fields included. */
export function requireStartRequest(value: unknown, name = 'request'): StartRecordingRequest {
  const body = requireObject(value, name)
  const mimeType = requireVideoMimeType(body.mimeType, `${name}.mimeType`)
  const sourceName = requireString(body.sourceName, `${name}.sourceName`, 512)
  const hasCamera = body.camera !== undefined && body.camera !== null
  const hasAnswer = body.answer !== undefined && body.answer !== null
  return {
    mimeType,
    sourceName,
    ...(hasCamera ? { camera: requireCameraRequest(body.camera, `${name}.camera`) } : {}),
    ...(hasAnswer ? { answer: requireAnswerTarget(body.answer, `${name}.answer`) } : {})
  }
}

/** The request a recording answers: a request id and its title (one line, 1–200 characters). */
export function requireAnswerTarget(value: unknown, name: string): AnswerTarget {
  const body = requireObject(value, name)
  if (typeof body.requestId !== 'string' || !REQUEST_ID.test(body.requestId)) {
    throw badRequest(`"${name}.requestId" must be a request id.`)
  }
  const raw = requireString(body.title, `${name}.title`, MAX_TITLE_LENGTH * 2)
  let title: string
  try {
    title = normaliseTitle(raw)
  } catch {
    throw badRequest(`"${name}.title" must be 1 to ${MAX_TITLE_LENGTH} characters.`)
  }
  return { requestId: body.requestId, title }
}

export function requireCameraRequest(value: unknown, name: string): StartCameraRequest {
  const body = requireObject(value, name)
  return {
    mimeType: requireVideoMimeType(body.mimeType, `${name}.mimeType`),
    deviceName: requireString(body.deviceName, `${name}.deviceName`, 512)
  }
}

/** Most camera-off stretches one recording keeps (each is a click in the recording bar). */
export const MAX_CAMERA_OFF_RANGES = 10_000

/** Longest offset accepted between the camera and the screen: a day. */
const MAX_OFFSET_MS = 24 * 60 * 60 * 1000

/**
 * `recording:camera-info`'s info: offsetMs a whole number of ms (may be negative),
 * offRanges [startMs, endMs] pairs of whole ms, each start ≤ end, sorted and not overlapping
 * (touching is fine), endedBecause bounded text. Absent fields stay absent.
 */
export function requireCameraInfo(value: unknown, name = 'info'): CameraInfo {
  const body = requireObject(value, name)
  const info: { offsetMs?: number; offRanges?: [number, number][]; endedBecause?: string } = {}
  if (body.offsetMs !== undefined) {
    const offsetMs = body.offsetMs
    if (
      typeof offsetMs !== 'number' ||
      !Number.isSafeInteger(offsetMs) ||
      Math.abs(offsetMs) > MAX_OFFSET_MS
    ) {
      throw badRequest(`"${name}.offsetMs" must be a whole number of milliseconds.`)
    }
    info.offsetMs = offsetMs
  }
  if (body.offRanges !== undefined) {
    info.offRanges = requireOffRanges(body.offRanges, `${name}.offRanges`)
  }
  const endedBecause = optionalString(body.endedBecause, `${name}.endedBecause`, 500)
  if (endedBecause !== undefined) info.endedBecause = endedBecause
  return info
}

function requireOffRanges(value: unknown, name: string): [number, number][] {
  if (!Array.isArray(value)) throw badRequest(`"${name}" must be a list of [startMs, endMs] pairs.`)
  if (value.length > MAX_CAMERA_OFF_RANGES) {
    throw badRequest(`"${name}" may hold at most ${MAX_CAMERA_OFF_RANGES} ranges.`)
  }
  const ranges: [number, number][] = []
  let previousEnd = 0
  for (const [index, pair] of value.entries()) {
    const ok =
      Array.isArray(pair) &&
      pair.length === 2 &&
      pair.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) &&
      (pair[0] as number) <= (pair[1] as number)
    if (!ok) {
      throw badRequest(
        `"${name}[${index}]" must be [startMs, endMs]: whole milliseconds of at least 0, start not after end.`
      )
    }
    const [start, end] = pair as [number, number]
    if (start < previousEnd) {
      throw badRequest(`"${name}" must be sorted and not overlap; range ${index} does not.`)
    }
    previousEnd = end
    ranges.push([start, end])
  }
  return ranges
}
