/**
 * Deleting with undo, on real folders: a delete moves the project into `<projectsDir>/.trash` at
 * once, an undo puts it back byte for byte, the files go when the undo time runs out (timers
 * driven by hand), and what a crash left behind is removed at the next start.
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SidecastError } from '../../../../src/shared/errors'
import { createProjectCatalogue } from '../../../../src/main/projects/project-catalogue'
import { createProjectFolders } from '../../../../src/main/projects/project-folders'
import {
  createProjectTrash,
  TRASH_FOLDER,
  type ProjectTrash,
  type ProjectTrashTimers
} from '../../../../src/main/projects/project-trash'
import { tempDir } from '../helpers/fakes'
import { validFacts } from '../helpers/project-store-fixture'

const ID = '20261101-080000-0001'
const UNDO_MS = 10_000

/** Timers that fire only when a test says time has passed. */
function handTimers(): ProjectTrashTimers & {
  advance(ms: number): void
  pending(): number
  clock(): number
} {
  let now = 1_000_000
  const pending = new Map<number, { at: number; fn: () => void }>()
  let next = 1
  return {
    setTimeout(fn, ms) {
      const id = next++
      pending.set(id, { at: now + ms, fn })
      return id
    },
    clearTimeout(handle) {
      pending.delete(handle as number)
    },
    clock: () => now,
    pending: () => pending.size,
    advance(ms) {
      now += ms
      for (const [id, timer] of [...pending]) {
        if (timer.at <= now) {
          pending.delete(id)
          timer.fn()
        }
      }
    }
  }
}

let dir: string
let cleanup: () => Promise<void>
let timers: ReturnType<typeof handTimers>
let trash: ProjectTrash
let projectsDir: string

function makeTrash(): ProjectTrash {
  return createProjectTrash({ projectsDir, undoMs: UNDO_MS, now: timers.clock, timers })
}

function catalogue(): ReturnType<typeof createProjectCatalogue> {
  const folders = createProjectFolders({ dataDir: dir })
  return createProjectCatalogue({ folders, trash, mediaUrl: (id, f) => `media://${id}/${f}` })
}

async function writeProject(id: string): Promise<void> {
  const project = join(projectsDir, id)
  await mkdir(join(project, 'exports'), { recursive: true })
  await writeFile(join(project, 'recording.json'), JSON.stringify(validFacts(id)))
  await writeFile(join(project, 'recording.webm'), new Uint8Array(1000).fill(7))
  await writeFile(join(project, 'exports', 'a.mp4'), 'exported')
}

async function trashNames(): Promise<string[]> {
  return readdir(join(projectsDir, TRASH_FOLDER)).catch(() => [])
}

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir('sidecast-trash-'))
  projectsDir = join(dir, 'projects')
  timers = handTimers()
  trash = makeTrash()
})

afterEach(async () => {
  trash.dispose()
  await cleanup()
})

describe('delete and undo', () => {
  it('moves the project to the trash at once, and an undo brings it back exactly', async () => {
    await writeProject(ID)
    const projects = catalogue()
    await projects.remove(ID)
    expect(existsSync(join(projectsDir, ID))).toBe(false)
    expect(await projects.list()).toEqual([])
    expect(await trashNames()).toEqual([`${timers.clock()}-${ID}`])

    timers.advance(UNDO_MS - 1)
    const restored = await projects.restore(ID)
    expect(restored.id).toBe(ID)
    expect(await readFile(join(projectsDir, ID, 'exports', 'a.mp4'), 'utf8')).toBe('exported')
    expect((await readFile(join(projectsDir, ID, 'recording.webm'))).length).toBe(1000)
    expect((await projects.list()).map((p) => p.id)).toEqual([ID])
    expect(await trashNames()).toEqual([])
    // The purge that was due is cancelled: the restored project stays.
    expect(timers.pending()).toBe(0)
    timers.advance(UNDO_MS * 2)
    expect(existsSync(join(projectsDir, ID, 'recording.webm'))).toBe(true)
  })

  it('removes the files when the undo time runs out, and then cannot restore', async () => {
    await writeProject(ID)
    const projects = catalogue()
    await projects.remove(ID)
    timers.advance(UNDO_MS)
    // The purge (rm) runs in the background.
    await expect.poll(trashNames).toEqual([])
    const error = await projects.restore(ID).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SidecastError)
    expect((error as SidecastError).code).toBe('not-found')
    expect((error as SidecastError).message).toMatch(/can no longer be restored/)
  })

  it('refuses to restore over a project that exists again, and keeps both', async () => {
    await writeProject(ID)
    const projects = catalogue()
    await projects.remove(ID)
    await writeProject(ID)
    const error = await projects.restore(ID).catch((e: unknown) => e)
    expect((error as SidecastError).code).toBe('exists')
    expect(await trashNames()).toHaveLength(1)
  })
})

describe('at start', () => {
  it('removes what a crash left older than the undo time, and schedules the younger', async () => {
    await mkdir(join(projectsDir, TRASH_FOLDER, `${timers.clock() - UNDO_MS - 1}-old`), {
      recursive: true
    })
    await mkdir(join(projectsDir, TRASH_FOLDER, `${timers.clock() - 1000}-young`))
    trash.dispose()
    trash = makeTrash()
    await trash.start()
    expect(await trashNames()).toEqual([`${timers.clock() - 1000}-young`])
    timers.advance(UNDO_MS - 1000)
    await expect.poll(trashNames).toEqual([])
  })

  it('empties the trash at quit', async () => {
    await writeProject(ID)
    await catalogue().remove(ID)
    await trash.purgeAll()
    expect(await trashNames()).toEqual([])
  })
})
