/**
 * Pure decisions behind an upload: whether the recording needs an export first, the tus
 * fingerprint (tied to the project and the export, never to a path), and the Upload-Metadata the
 * library server expects (see server/src/uploads/metadata.ts for names and limits).
 */
import { createHash } from 'node:crypto'
import { serializeEdits, type Edits } from '../../shared/edits'
import {
  CONTROL_CHARS,
  CONTROL_CHARS_EXCEPT_NEWLINES,
  UPLOAD_METADATA_LIMITS
} from '../../shared/upload-metadata'
import {
  isWholeRecording,
  keptDurationMs,
  mapRangeToOutput,
  normalizeKeep
} from '../../shared/timeline'
import type { ExportPreset } from '../../shared/export-preset'
import { LIBRARY_PROJECT_ID_PATTERN, type CameraFacts } from '../../shared/project'
import { ANSWERS_METADATA_KEY, REQUEST_ID } from '../../shared/learn'
import { titleSlug } from '../export/export-service'

/** Bytes per PATCH: 8 MiB measured best on the server benchmark. */
export const CHUNK_SIZE = 8 * 1024 * 1024

/** One callout as the library indexes it: its text and when it shows in the uploaded video. */
export interface CalloutMeta {
  readonly startMs: number
  readonly endMs: number
  readonly text: string
  readonly type: string
}

/** True when the edits change the video (a trim or cut, or anything drawn): export first. */
export function needsExport(edits: Edits, durationMs: number | undefined): boolean {
  if (edits.annotations.length > 0) return true
  if (edits.keep.length === 0) return false
  // Without a known duration a kept list cannot be proven to be the whole recording.
  if (durationMs === undefined) return true
  return !isWholeRecording(edits.keep, durationMs)
}

/** sha256 of the edits and the preset: the same edits exported the same way give the same video. */
export function editsHash(edits: Edits, preset: ExportPreset): string {
  return createHash('sha256')
    .update(serializeEdits(edits))
    .update(`\n${preset.size}/${preset.quality}`)
    .digest('hex')
}

/** A library video id the server takes in `replaces` (server/src/library.ts VIDEO_ID). */
const REPLACEABLE_VIDEO_ID = /^[A-Za-z0-9_-]{1,64}$/

/**
 * The fingerprint's variant for a new version of library video `replaces`: a stored tus URL of
 * a new-video upload of the same bytes is never resumed as a replace, nor the other way round.
 */
export function replaceVariant(variant: string, replaces: string | undefined): string {
  return replaces ? `${variant}~replaces-${replaces}` : variant
}

/**
 * tus fingerprint: `sidecast/<projectId>/<edits hash or 'original'>/<size>`. It survives a restart
 * and a moved recordings folder, and changes whenever the bytes to send would.
 */
export function uploadFingerprint(projectId: string, variant: string, sizeBytes: number): string {
  return `sidecast/${projectId}/${variant}/${sizeBytes}`
}

/**
 * A live upload's fingerprint: `sidecast/<projectId>/live`. One per project (its recording is
 * made once), so a restart resumes it from the server's offset whatever the file's size by then.
 */
export function liveFingerprint(projectId: string): string {
  return `sidecast/${projectId}/live`
}

/**
 * Upload-Metadata of a live upload: as an ordinary upload's of the recording (no description,
 * callouts or duration yet), plus `live: 1` — the library finishes it with a stream copy of the
 * raw recording into a seekable file.
 */
export function liveMetadata(input: {
  readonly projectId: string
  readonly title: string
  /** The capture file's extension, without the dot. */
  readonly extension: string
  /** The library request the recording answers (recording.json's `answers`). */
  readonly answers?: string
}): Record<string, string> {
  return {
    ...uploadMetadata({
      projectId: input.projectId,
      title: input.title,
      description: '',
      extension: input.extension,
      durationMs: null,
      callouts: [],
      ...(input.answers ? { answers: input.answers } : {})
    }),
    live: '1'
  }
}

// The control characters the server refuses, to strip (tab and newlines are fine in descriptions).
const CONTROL_EXCEPT_NEWLINES = new RegExp(CONTROL_CHARS_EXCEPT_NEWLINES.source, 'g')
const CONTROL = new RegExp(`${CONTROL_CHARS.source}+`, 'g')

function clip(text: string, max: number): string {
  const chars = [...text]
  return chars.length > max ? chars.slice(0, max).join('') : text
}

/** A description the server accepts: no control characters but newlines and tabs, ≤ 5000 chars. */
export function cleanDescription(text: string): string {
  return clip(text.replace(CONTROL_EXCEPT_NEWLINES, ''), UPLOAD_METADATA_LIMITS.description)
}

/**
 * The callouts' text with their times in the uploaded video (after cuts), so the library can
 * find a video by what its callouts say. Within the server's limits: texts are shortened, and
 * the list is cut off rather than refused.
 */
export function calloutsMetadata(edits: Edits, durationMs: number | undefined): CalloutMeta[] {
  const keep = durationMs === undefined ? null : normalizeKeep(edits.keep, durationMs)
  const out: CalloutMeta[] = []
  let size = 2
  for (const annotation of edits.annotations) {
    if (annotation.type !== 'callout') continue
    const text = clip(
      annotation.text.replace(CONTROL_EXCEPT_NEWLINES, '').trim(),
      UPLOAD_METADATA_LIMITS.calloutText
    )
    if (!text) continue
    let startMs = annotation.startMs
    let endMs = annotation.endMs
    if (keep) {
      const pieces = mapRangeToOutput(annotation.startMs, annotation.endMs, keep)
      const first = pieces[0]
      const last = pieces[pieces.length - 1]
      // Cut away entirely: not in the video, so not searchable in it either.
      if (!first || !last) continue
      startMs = first[0]
      endMs = last[1]
    }
    const item: CalloutMeta = {
      startMs: Math.max(0, Math.round(startMs)),
      endMs: Math.max(0, Math.round(endMs)),
      text,
      type: annotation.type
    }
    const itemSize = Buffer.byteLength(JSON.stringify(item)) + 1
    if (
      out.length >= UPLOAD_METADATA_LIMITS.callouts ||
      size + itemSize > UPLOAD_METADATA_LIMITS.calloutsJson
    ) {
      break
    }
    size += itemSize
    out.push(item)
  }
  return out.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs)
}

/** The uploaded video's length: the kept ranges' sum, or the recording's duration. */
export function uploadDurationMs(
  edits: Edits,
  durationMs: number | undefined,
  exported: boolean
): number | null {
  if (durationMs === undefined) return null
  return exported ? keptDurationMs(normalizeKeep(edits.keep, durationMs)) : durationMs
}

export interface MetadataInput {
  readonly projectId: string
  readonly title: string
  readonly description: string
  /** `mp4` for an export; the recording's own extension otherwise. */
  readonly extension: string
  readonly durationMs: number | null
  readonly callouts: readonly CalloutMeta[]
  /** The library video this upload is a new version of (same link), if any. */
  readonly replaces?: string
  /**
   * The library request this recording answers (recording.json's `answers`): sent only for a
   * new video — a new version of a video already in the library keeps what it answers.
   */
  readonly answers?: string
}

/** What an upload's metadata is made from: the upload, its project's edits and what is sent. */
export interface UploadMetadataSource {
  readonly projectId: string
  readonly title: string
  readonly description: string
  readonly edits: Edits
  /** The recording's duration, when known. */
  readonly durationMs: number | undefined
  /** True for an export (an MP4 of the kept ranges), false for the recording as it is. */
  readonly exported: boolean
  /** The file's extension, without the dot. */
  readonly extension: string
  /** The library video this upload is a new version of (same link), if any. */
  readonly replaces?: string
  /** The library request the recording answers (recording.json's `answers`). */
  readonly answers?: string | undefined
}

/** Upload-Metadata for what is sent: its length and callout times follow the edits when exported. */
export function metadataFor(source: UploadMetadataSource): Record<string, string> {
  return uploadMetadata({
    projectId: source.projectId,
    title: source.title,
    description: source.description,
    extension: source.extension,
    durationMs: uploadDurationMs(source.edits, source.durationMs, source.exported),
    callouts: calloutsMetadata(source.edits, source.durationMs),
    ...(source.replaces ? { replaces: source.replaces } : {}),
    ...(source.answers ? { answers: source.answers } : {})
  })
}

/** Upload-Metadata for tus: every value a string, every value within the server's limits. */
export function uploadMetadata(input: MetadataInput): Record<string, string> {
  const title =
    clip(input.title.replace(CONTROL, ' ').trim(), UPLOAD_METADATA_LIMITS.title) || 'Recording'
  const extension = /^[a-z0-9]{1,5}$/i.test(input.extension) ? input.extension.toLowerCase() : 'mp4'
  const meta: Record<string, string> = {
    filename: `${titleSlug(title)}.${extension}`,
    title,
    description: cleanDescription(input.description)
  }
  if (
    input.durationMs !== null &&
    Number.isSafeInteger(input.durationMs) &&
    input.durationMs >= 0
  ) {
    meta.durationMs = String(input.durationMs)
  }
  if (
    LIBRARY_PROJECT_ID_PATTERN.test(input.projectId) &&
    input.projectId.length <= UPLOAD_METADATA_LIMITS.projectId
  ) {
    meta.projectId = input.projectId
  }
  if (input.callouts.length > 0) meta.callouts = JSON.stringify(input.callouts)
  if (input.replaces && REPLACEABLE_VIDEO_ID.test(input.replaces)) meta.replaces = input.replaces
  else if (input.answers && REQUEST_ID.test(input.answers)) {
    meta[ANSWERS_METADATA_KEY] = input.answers
  }
  return meta
}

/**
 * A camera upload's fingerprint: `sidecast/<projectId>/camera-<videoId>/<size>`, so a restart
 * resumes it and a camera for another video (a new link) is a new upload.
 */
export function cameraFingerprint(projectId: string, videoId: string, sizeBytes: number): string {
  return `sidecast/${projectId}/camera-${videoId}/${sizeBytes}`
}

/**
 * Upload-Metadata of a recording's camera file (server/src/uploads/metadata.ts): the video it
 * belongs to (`cameraFor`) and what the library's render needs to place it in time — where its
 * first frame falls on the recording's clock, its length, where it was switched off.
 */
export function cameraMetadata(input: {
  readonly videoId: string
  readonly title: string
  readonly camera: Pick<CameraFacts, 'file' | 'offsetMs' | 'durationMs' | 'offRanges'>
}): Record<string, string> {
  const extension = /\.([a-z0-9]{1,5})$/i.exec(input.camera.file)?.[1]?.toLowerCase() ?? 'webm'
  const title =
    clip(input.title.replace(CONTROL, ' ').trim(), UPLOAD_METADATA_LIMITS.title) || 'Camera'
  const meta: Record<string, string> = {
    filename: `camera.${extension}`,
    title,
    cameraFor: input.videoId,
    cameraOffsetMs: String(Math.round(input.camera.offsetMs))
  }
  const duration = input.camera.durationMs
  if (duration !== undefined && Number.isSafeInteger(duration) && duration >= 0) {
    meta.cameraDurationMs = String(duration)
  }
  const ranges = input.camera.offRanges ?? []
  if (ranges.length > 0) {
    meta.cameraOffRanges = JSON.stringify(
      ranges
        .slice(0, 1000)
        .map(([a, b]) => [Math.max(0, Math.round(a)), Math.max(0, Math.round(b))])
    )
  }
  return meta
}
