/**
 * What an export was made from, so a later upload of the same edits can send it instead of
 * exporting again. The project's `export-sources.json` records, for each export the user made
 * into `exports/`:
 *
 *   { "version": 1, "exports": { "<file name>": { "fingerprint": "<sha256 hex>", "sizeBytes": n } } }
 *
 * The fingerprint is sha256 over the edits' content (serialised as edits.json is), the
 * recording's identity (project id, file name, size, modification time) and the preset. An
 * export matches when its fingerprint is the one asked for and its MP4 still has the recorded
 * size; anything else (no record, an unreadable one, a changed or removed MP4) is not reused.
 * `exports/` itself holds only the MP4s the user made.
 */
import { createHash } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { serializeEdits, type Edits } from '../../shared/edits'
import type { ExportPreset } from '../../shared/export-preset'
import { EXPORTS_FOLDER, type RecordingFacts } from '../../shared/project'
import { readTextIfExists, writeJsonAtomic } from '../../engine/atomic-file'

/** The project's record of what each export was made from. */
export const EXPORT_SOURCES_FILE = 'export-sources.json'

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

interface SourceEntry {
  readonly fingerprint: string
  readonly sizeBytes: number
}

async function readSources(projectDir: string): Promise<Record<string, SourceEntry>> {
  const text = await readTextIfExists(join(projectDir, EXPORT_SOURCES_FILE)).catch(() => null)
  if (text === null) return {}
  try {
    const parsed = JSON.parse(text) as { exports?: unknown }
    const entries = parsed.exports
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) return {}
    const out: Record<string, SourceEntry> = {}
    for (const [name, value] of Object.entries(entries as Record<string, unknown>)) {
      const { fingerprint, sizeBytes } = (value ?? {}) as Partial<SourceEntry>
      if (typeof fingerprint === 'string' && typeof sizeBytes === 'number' && !/[/\\]/.test(name)) {
        out[name] = { fingerprint, sizeBytes }
      }
    }
    return out
  } catch {
    return {}
  }
}

/** Records what the finished export `outFile` (in the project's `exports/`) was made from. */
export async function recordExportSource(
  projectDir: string,
  outFile: string,
  fingerprint: string,
  sizeBytes: number
): Promise<void> {
  const entries = await readSources(projectDir)
  const kept: Record<string, SourceEntry> = {}
  // Exports the user removed are forgotten.
  for (const [name, entry] of Object.entries(entries)) {
    if (await stat(join(projectDir, EXPORTS_FOLDER, name)).catch(() => null)) kept[name] = entry
  }
  kept[basename(outFile)] = { fingerprint, sizeBytes }
  await writeJsonAtomic(join(projectDir, EXPORT_SOURCES_FILE), { version: 1, exports: kept })
}

/** An export in the project's `exports/` made from `fingerprint` and unchanged since, or null. */
export async function findExport(projectDir: string, fingerprint: string): Promise<string | null> {
  for (const [name, entry] of Object.entries(await readSources(projectDir))) {
    if (entry.fingerprint !== fingerprint) continue
    const file = join(projectDir, EXPORTS_FOLDER, name)
    const info = await stat(file).catch(() => null)
    if (info?.isFile() && info.size === entry.sizeBytes) return file
  }
  return null
}
