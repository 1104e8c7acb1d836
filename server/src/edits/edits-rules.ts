/**
 * The library's rules for a video's edits (issue 13), pure: what a `PUT /api/videos/:id/edits`
 * body must be (checked by the app's own loader, src/shared/edits.ts), what a stale write is told,
 * and the callout texts that search and the markers use (on the output clock).
 */
import { EditsError, loadEdits, type Edits } from '../../../src/shared/edits'
import { LIBRARY_EDITS_MAX_BYTES, liveAnnotations } from '../../../src/shared/live-edits'
import { UPLOAD_METADATA_LIMITS } from '../../../src/shared/upload-metadata'
import type { Callout, Video } from '../db/types'
import { HttpError } from '../http-request'

/** A checked `PUT` body: the version the edits are based on and the edits as loaded. */
export interface EditsBody {
  readonly baseVersion: number
  readonly edits: Edits
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Checks a parsed `{ baseVersion, edits }` body for `video`: the shape, the edits' size (their
 * JSON at most LIBRARY_EDITS_MAX_BYTES, else 413), and the edits by `loadEdits` with the video's
 * duration, refusing annotation types this library cannot draw. Throws HttpError (400 naming the
 * field at fault, or 413).
 */
export function checkEditsBody(body: unknown, video: Pick<Video, 'durationMs'>): EditsBody {
  if (!isPlainObject(body)) {
    throw new HttpError(400, 'The body must be a JSON object: { "baseVersion": n, "edits": {…} }.')
  }
  const { baseVersion, edits } = body
  if (baseVersion === undefined) {
    throw new HttpError(
      400,
      'baseVersion is missing: the version these edits are based on (0 for none).'
    )
  }
  if (typeof baseVersion !== 'number' || !Number.isSafeInteger(baseVersion) || baseVersion < 0) {
    throw new HttpError(400, 'baseVersion must be a whole number, 0 or more.')
  }
  if (edits === undefined) throw new HttpError(400, 'edits is missing: the contents of edits.json.')
  if (!isPlainObject(edits)) throw new HttpError(400, 'edits must be a JSON object (edits.json).')
  const bytes = Buffer.byteLength(JSON.stringify(edits))
  if (bytes > LIBRARY_EDITS_MAX_BYTES) {
    throw new HttpError(
      413,
      `The edits are ${bytes} bytes; the library takes at most ${LIBRARY_EDITS_MAX_BYTES} bytes.`
    )
  }
  try {
    const loaded = loadEdits(edits, {
      durationMs: video.durationMs ?? undefined,
      unknownTypes: 'refuse'
    })
    return { baseVersion, edits: loaded }
  } catch (error) {
    if (error instanceof EditsError) {
      throw new HttpError(400, `The edits were refused: ${error.message}`)
    }
    throw error
  }
}

/** What a write based on version `base` is told when the library has version `newest`. */
export function conflictMessage(base: number, newest: number): string {
  return (
    `These edits are based on version ${base}, but the library has version ${newest} ` +
    '(changed elsewhere). Nothing was saved.'
  )
}

/** Control characters but tab and newline (a callout may have several lines). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

/** A callout's text as search and the markers keep it: one-line breaks, no control characters. */
function cleanCalloutText(text: string): string {
  const clean = text.replace(/\r\n?/g, '\n').replace(CONTROL, '').trim()
  const chars = [...clean]
  return chars.length > UPLOAD_METADATA_LIMITS.calloutText
    ? chars.slice(0, UPLOAD_METADATA_LIMITS.calloutText).join('').trimEnd()
    : clean
}

/**
 * The callouts search and the markers use: one per `callout` annotation with text that is not
 * cut away entirely, in the edits' order, its text cleaned (control characters removed, trimmed,
 * clipped to UPLOAD_METADATA_LIMITS.calloutText) and its times on the output clock (the first
 * kept piece when a cut splits it); at most UPLOAD_METADATA_LIMITS.callouts of them.
 * `durationMs` null (not known): the kept ranges are taken as they are.
 */
export function searchCallouts(edits: Edits, durationMs: number | null): Callout[] {
  const duration = durationMs ?? Number.MAX_SAFE_INTEGER
  const out: Callout[] = []
  for (const a of edits.annotations) {
    if (out.length >= UPLOAD_METADATA_LIMITS.callouts) break
    if (a.type !== 'callout') continue
    const text = cleanCalloutText(a.text)
    if (!text) continue
    // One annotation at a time: a piece's id (`id~1`) can never be taken for another's.
    const first = liveAnnotations({ ...edits, annotations: [a] }, duration)[0]
    if (first) out.push({ text, startMs: first.startMs, endMs: first.endMs })
  }
  return out
}
