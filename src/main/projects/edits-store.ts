/**
 * Reads and writes a project's `edits.json`. Everything written is first checked by the same
 * loadEdits that reads it back, so a bad save from the renderer can never leave a file that the
 * editor or export would refuse; the write is atomic, so a crash mid-save keeps the old edits.
 */
import { join } from 'node:path'
import { EditsError, emptyEdits, loadEdits, serializeEdits, type Edits } from '../../shared/edits'
import { EDITS_FILE } from '../../shared/project'
import { errorMessage } from '../../engine/error-details'
import { readTextIfExists, writeFileAtomic } from '../../engine/atomic-file'

/**
 * The project's edits: none when the file is absent; an EditsError naming the field when the
 * file cannot be read as edits (including text that is not JSON at all).
 */
export async function readEdits(projectDir: string, durationMs?: number): Promise<Edits> {
  const text = await readTextIfExists(join(projectDir, EDITS_FILE))
  if (text === null) return emptyEdits()
  let json: unknown
  try {
    json = JSON.parse(text) as unknown
  } catch (error) {
    throw new EditsError('(top level)', `is not valid JSON (${errorMessage(error)})`)
  }
  return loadEdits(json, durationMs === undefined ? {} : { durationMs })
}

/**
 * Checks `edits` (from the renderer, so untrusted) with loadEdits, then writes the result
 * atomically. Unknown keys are kept. Returns the edits as stored (kept ranges tidied).
 */
export async function writeEdits(
  projectDir: string,
  edits: unknown,
  durationMs?: number
): Promise<Edits> {
  const checked = loadEdits(edits, durationMs === undefined ? {} : { durationMs })
  await writeFileAtomic(join(projectDir, EDITS_FILE), serializeEdits(checked))
  return checked
}
