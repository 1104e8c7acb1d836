/**
 * The delete and undo handlers on real folders: an unfinished upload of the recording is cancelled
 * before it goes to the trash (an undo does not start it again), a recording in progress is
 * refused without touching its uploads, and the reply says how long the undo lasts.
 */
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createProjectCatalogue } from '../../../../src/main/projects/project-catalogue'
import { createProjectFolders } from '../../../../src/main/projects/project-folders'
import { projectHandlers } from '../../../../src/main/projects/project-handlers'
import { createProjectTrash, type ProjectTrash } from '../../../../src/main/projects/project-trash'
import { tempDir } from '../helpers/fakes'
import { validFacts } from '../helpers/project-store-fixture'

const ID = '20261101-080000-0001'

let dir: string
let cleanup: () => Promise<void>
let trash: ProjectTrash

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir('sidecast-handlers-'))
})
afterEach(async () => {
  trash.dispose()
  await cleanup()
})

function handlers(recording: string[], cancelled: string[], changed: string[]) {
  const folders = createProjectFolders({ dataDir: dir })
  trash = createProjectTrash({ projectsDir: folders.projectsDir, undoMs: 8000 })
  const projects = createProjectCatalogue({ folders, trash, mediaUrl: (id, f) => `m://${id}/${f}` })
  return projectHandlers({
    projects,
    isRecording: (id) => recording.includes(id),
    revealPath: async () => undefined,
    projectsChanged: () => changed.push('changed'),
    takeRecoveryNotices: () => [],
    cancelUploads: async (id) => {
      // Cancelled while the files are still in place (the upload may be reading them).
      expect(existsSync(join(dir, 'projects', id))).toBe(true)
      cancelled.push(id)
    }
  })
}

async function writeProject(id: string): Promise<void> {
  await mkdir(join(dir, 'projects', id), { recursive: true })
  await writeFile(join(dir, 'projects', id, 'recording.json'), JSON.stringify(validFacts(id)))
}

describe('projects:delete and projects:restore', () => {
  it('cancels the recording’s uploads, trashes it, and restores it on undo', async () => {
    await writeProject(ID)
    const cancelled: string[] = []
    const changed: string[] = []
    const h = handlers([], cancelled, changed)
    expect(await h['projects:delete'](ID)).toEqual({ projectId: ID, undoMs: 8000 })
    expect(cancelled).toEqual([ID])
    expect(existsSync(join(dir, 'projects', ID))).toBe(false)
    expect(await h['projects:restore'](ID)).toMatchObject({ id: ID })
    expect(existsSync(join(dir, 'projects', ID, 'recording.json'))).toBe(true)
    // No upload is started again by the undo.
    expect(cancelled).toEqual([ID])
    expect(changed).toHaveLength(2)
  })

  it('leaves the uploads of a recording in progress alone', async () => {
    await writeProject(ID)
    const cancelled: string[] = []
    const h = handlers([ID], cancelled, [])
    // The catalogue has no capture writer here, so the delete itself goes through; what matters
    // is that the handler did not cancel anything for a recording being recorded.
    await h['projects:delete'](ID)
    expect(cancelled).toEqual([])
  })
})
