/**
 * Reading `recording.json`: the file may have been copied in, edited by hand or written by a
 * newer Sidecast, so every field is checked and a bad one is named in the error.
 */
import { SidecastError } from '../../shared/errors'
import { isValidProjectId, type RecordingFacts } from '../../shared/project'

/** File names inside a project folder: no separators, no leading dot. */
export const PROJECT_FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/

type Check = (value: unknown) => string | null

const text: Check = (v) => (typeof v === 'string' ? null : 'must be text')
const nonEmptyText: Check = (v) =>
  typeof v === 'string' && v.trim() !== '' ? null : 'must be non-empty text'
const oneOf =
  (...allowed: readonly unknown[]): Check =>
  (v) =>
    allowed.includes(v)
      ? null
      : `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`
const isoDate: Check = (v) =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? null : 'must be an ISO 8601 date'
const wholeNumber =
  (min: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= min
      ? null
      : `must be a whole number of at least ${min}`
const textOrNull: Check = (v) =>
  v === null || typeof v === 'string' ? null : 'must be text or null'

const REQUIRED: Record<string, Check> = {
  version: oneOf(1),
  id: (v) => (isValidProjectId(v) ? null : 'must be a valid project id'),
  status: oneOf('recording', 'complete', 'recovered'),
  title: nonEmptyText,
  createdAt: isoDate,
  sourceName: text,
  file: (v) =>
    typeof v === 'string' && PROJECT_FILE_PATTERN.test(v) && !v.includes('..')
      ? null
      : 'must be a plain file name inside the project folder',
  container: oneOf('webm', 'mp4', 'mkv'),
  mimeType: text
}

const OPTIONAL: Record<string, Check> = {
  videoCodec: text,
  audioCodec: textOrNull,
  width: wholeNumber(1),
  height: wholeNumber(1),
  durationMs: wholeNumber(0),
  bytesWritten: wholeNumber(0),
  finishedAt: isoDate,
  endedBecause: text
}

function bad(field: string, problem: string): SidecastError {
  return new SidecastError('bad-project', `recording.json: "${field}" ${problem}.`)
}

/**
 * Checks parsed (or raw JSON text of) recording.json and returns it typed. Unknown keys are kept,
 * so a newer Sidecast's extra facts survive a rewrite by this one.
 */
export function loadFacts(json: unknown): RecordingFacts {
  let value = json
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown
    } catch (error) {
      throw new SidecastError(
        'bad-project',
        `recording.json is not valid JSON (${error instanceof Error ? error.message : String(error)}).`
      )
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SidecastError('bad-project', 'recording.json must hold a JSON object.')
  }
  const record = value as Record<string, unknown>
  for (const [field, check] of Object.entries(REQUIRED)) {
    if (!(field in record)) throw bad(field, 'is missing')
    const problem = check(record[field])
    if (problem) throw bad(field, problem)
  }
  for (const [field, check] of Object.entries(OPTIONAL)) {
    if (record[field] === undefined) continue
    const problem = check(record[field])
    if (problem) throw bad(field, problem)
  }
  return record as unknown as RecordingFacts
}
