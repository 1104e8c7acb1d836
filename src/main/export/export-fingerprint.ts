/**
 * What an export was made from, so a later upload of the same edits can send it instead of
 * exporting again. Beside each export the user makes, `<name>.mp4.source.json` records:
 *
 *   { "version": 1, "fingerprint": "<sha256 hex>", "sizeBytes": <the MP4's size> }
 *
 * The fingerprint is sha256 over the edits' content (serialised as edits.json is), the
 * recording's identity (project id, file name, size, modification time) and the preset. An
 * export matches when its fingerprint is the one asked for and its MP4 still has the recorded
 * size; anything else (no sidecar, an unreadable one, a changed or removed MP4) is not reused.
 */
import { createHash } from 'node:crypto'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { serializeEdits, type Edits } from '../../shared/edits'
import type { ExportPreset } from '../../shared/export-preset'
import type { RecordingFacts } from '../../shared/project'
import { readTextIfExists, writeJsonAtomic } from '../files/atomic-file'

/** The sidecar's suffix, after the export's own name. */
export const EXPORT_SOURCE_SUFFIX = '.source.json'

/** The recording an export is made from, as far as telling it changed goes. */
export interface RecordingIdentity {
  readonly projectId: string
  readonly file: string
  readonly sizeBytes: number
  readonly mtimeMs: number
}

/** The recording's identity now; null when its file cannot be read. */
export async function recordingIdentity(
  projectDir: string,
  facts: Pick<RecordingFacts, 'id' | 'file'>
): Promise<RecordingIdentity | null> {
  const info = await stat(join(projectDir, facts.file)).catch(() => null)
  if (!info?.isFile()) return null
  return {
    projectId: facts.id,
    file: facts.file,
    sizeBytes: info.size,
    mtimeMs: Math.trunc(info.mtimeMs)
  }
}

/** sha256 (hex) of the edits' content, the recording's identity and the preset. */
export function exportFingerprint(
  edits: Edits,
  recording: RecordingIdentity,
  preset: ExportPreset
): string {
  return createHash('sha256')
    .update(serializeEdits(edits))
    .update('\n')
    .update(
      JSON.stringify([
        recording.projectId,
        recording.file,
        recording.sizeBytes,
        recording.mtimeMs,
        preset.size,
        preset.quality
      ])
    )
    .digest('hex')
}

/** Writes the sidecar of a finished export. */
export function recordExportSource(
  outFile: string,
  fingerprint: string,
  sizeBytes: number
): Promise<void> {
  return writeJsonAtomic(`${outFile}${EXPORT_SOURCE_SUFFIX}`, {
    version: 1,
    fingerprint,
    sizeBytes
  })
}

/** An export in `exportsDir` made from `fingerprint` and unchanged since, or null. */
export async function findExport(exportsDir: string, fingerprint: string): Promise<string | null> {
  const names = await readdir(exportsDir).catch(() => [] as string[])
  for (const name of names) {
    if (!name.endsWith(EXPORT_SOURCE_SUFFIX)) continue
    const file = join(exportsDir, name.slice(0, -EXPORT_SOURCE_SUFFIX.length))
    const text = await readTextIfExists(join(exportsDir, name)).catch(() => null)
    if (text === null) continue
    let source: { fingerprint?: unknown; sizeBytes?: unknown }
    try {
      source = JSON.parse(text) as typeof source
    } catch {
      continue
    }
    if (source.fingerprint !== fingerprint) continue
    const info = await stat(file).catch(() => null)
    if (info?.isFile() && info.size === source.sizeBytes) return file
  }
  return null
}
