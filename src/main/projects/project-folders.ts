/**
 * The recordings folder: one folder per project (`<projectsDir>/<id>/`), its `recording.json`,
 * and the per-project lock that keeps every change to one project in order (chunks, rename,
 * finish and delete never interleave). The capture writer and the catalogue both work through it.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { SidecastError } from '../../shared/errors'
import { FACTS_FILE, isValidProjectId, loadFacts, type RecordingFacts } from '../../shared/project'
import { errorCode, errorMessage } from '../../engine/error-details'
import { writeJsonAtomic } from '../../engine/atomic-file'

export interface ProjectFoldersOptions {
  /** The app's data folder; projects live in `<dataDir>/projects/<id>/` unless `projectsDir` says. */
  readonly dataDir: string
  /** The recordings folder chosen in Settings; default `<dataDir>/projects`. */
  readonly projectsDir?: string
  /** Where skipped problems (unreadable project folders) are reported. */
  readonly warn?: (message: string) => void
}

export interface ProjectFolders {
  readonly projectsDir: string
  /** The project's folder; throws 'bad-project-id' for an id that cannot be a folder name. */
  projectDir(id: string): string
  /** `recording.json` as on disk (the folder name is the id); 'not-found' when it is missing. */
  readFacts(id: string): Promise<RecordingFacts>
  /** Writes `recording.json` atomically. */
  writeFacts(facts: RecordingFacts): Promise<void>
  /** The facts of every project folder `read` can read, in folder order; the others are skipped with a warning. */
  allFacts(read?: (id: string) => Promise<RecordingFacts>): Promise<RecordingFacts[]>
  /** Throws 'not-found' with `message` unless the project's folder exists. */
  requireFolder(id: string, message: string): Promise<void>
  /** Runs `fn` after every earlier change to the same project has settled. */
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>
}

function checkId(id: unknown): string {
  if (!isValidProjectId(id)) {
    throw new SidecastError(
      'bad-project-id',
      `"${String(id).slice(0, 80)}" is not a valid project id.`
    )
  }
  return id
}

export function createProjectFolders(options: ProjectFoldersOptions): ProjectFolders {
  const projectsDir = options.projectsDir || join(options.dataDir, 'projects')
  const warn = options.warn ?? ((message: string) => console.warn(`[projects] ${message}`))
  const locks = new Map<string, Promise<void>>()

  function withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(id) ?? Promise.resolve()
    const run = previous.then(fn)
    const tail = run.then(
      () => undefined,
      () => undefined
    )
    locks.set(id, tail)
    void tail.then(() => {
      if (locks.get(id) === tail) locks.delete(id)
    })
    return run
  }

  const projectDir = (id: string): string => join(projectsDir, checkId(id))

  async function readFacts(id: string): Promise<RecordingFacts> {
    let text: string
    try {
      text = await readFile(join(projectDir(id), FACTS_FILE), 'utf8')
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        throw new SidecastError(
          'not-found',
          `There is no recording "${id}". It may have been deleted.`
        )
      }
      throw error
    }
    // The folder name is the id, so a project copied in under another name still works.
    return { ...loadFacts(text), id }
  }

  async function ids(): Promise<string[]> {
    const entries = await readdir(projectsDir, { withFileTypes: true }).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return []
      throw error
    })
    return entries.filter((e) => e.isDirectory() && isValidProjectId(e.name)).map((e) => e.name)
  }

  return {
    projectsDir,
    projectDir,
    readFacts,
    writeFacts: (facts) => writeJsonAtomic(join(projectDir(facts.id), FACTS_FILE), facts),
    async allFacts(read = readFacts) {
      const all: RecordingFacts[] = []
      for (const id of await ids()) {
        try {
          all.push(await read(id))
        } catch (error) {
          warn(`skipping folder ${id}: ${errorMessage(error)}`)
        }
      }
      return all
    },
    async requireFolder(id, message) {
      const info = await stat(projectDir(id)).catch(() => null)
      if (!info?.isDirectory()) throw new SidecastError('not-found', message)
    },
    withLock
  }
}
