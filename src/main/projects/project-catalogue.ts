/**
 * The projects as the recordings list sees them: list, read, rename, delete (to the trash, so it
 * can be undone for a while) and restore, and each project's share link. A recording still being
 * written is read from the capture writer (its facts on disk lag by up to a second) and cannot be
 * deleted.
 */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { SidecastError } from '../../shared/errors'
import { keptDurationMs, normalizeKeep } from '../../shared/timeline'
import {
  normaliseTitle,
  THUMBNAIL_FILE,
  type CameraSummary,
  type EditsSyncStatus,
  type ProjectSummary,
  type RecordingFacts
} from '../../shared/project'
import { readEdits } from './edits-store'
import type { ProjectFolders } from './project-folders'
import { createProjectTrash, type ProjectTrash } from './project-trash'
import { readShareLink, writeShareLink, type ShareLink } from './share-link'

/** The recordings this process is writing (the capture writer). */
export interface ActiveRecordings {
  /** The current facts of a recording being written, or undefined. */
  activeFacts(id: string): RecordingFacts | undefined
  /** Retitles a recording being written (the caller holds its lock); null when it is not one. */
  retitleActive(id: string, title: string): Promise<RecordingFacts | null>
}

export interface ProjectCatalogueOptions {
  readonly folders: ProjectFolders
  /** Recordings in progress; default none. */
  readonly active?: ActiveRecordings
  /** URL the renderer loads a project file from (custom protocol in Electron, HTTP in the harness). */
  readonly mediaUrl: (projectId: string, fileName: string) => string
  /** Where deleted projects wait until their undo time runs out; default one in projectsDir. */
  readonly trash?: ProjectTrash
  /** Where a project's edits stand in the team library (the edits sync); default none. */
  readonly editsSync?: (id: string) => Promise<EditsSyncStatus | null>
}

export interface ProjectCatalogue {
  readonly projectsDir: string
  projectDir(id: string): string
  readFacts(id: string): Promise<RecordingFacts>
  /** Every readable project, newest first. */
  list(): Promise<ProjectSummary[]>
  get(id: string): Promise<ProjectSummary>
  rename(id: string, title: string): Promise<ProjectSummary>
  /** Moves the project to the trash: it can be restored until the trash's undo time runs out. */
  remove(id: string): Promise<void>
  /** Brings back a project deleted less than the undo time ago, exactly as it was. */
  restore(id: string): Promise<ProjectSummary>
  /** The trash deleted projects wait in. */
  readonly trash: ProjectTrash
  /** The project's share link, or null when it was never uploaded. */
  readShareLink(id: string): Promise<ShareLink | null>
  /** Records the project's share link (atomic write). */
  writeShareLink(id: string, link: ShareLink): Promise<void>
}

/**
 * The facts of a recording that may be exported, uploaded or edited; throws 'still-recording'
 * with `message` (what to do) while it is still being written.
 */
export function requireFinished(
  facts: RecordingFacts,
  beingRecorded: boolean,
  message: string
): RecordingFacts {
  if (facts.status === 'recording' || beingRecorded) {
    throw new SidecastError('still-recording', message)
  }
  return facts
}

const NONE_ACTIVE: ActiveRecordings = {
  activeFacts: () => undefined,
  retitleActive: async () => null
}

async function fileSize(path: string): Promise<number | null> {
  const info = await stat(path).catch(() => null)
  return info?.isFile() ? info.size : null
}

export function createProjectCatalogue(options: ProjectCatalogueOptions): ProjectCatalogue {
  const { folders } = options
  const active = options.active ?? NONE_ACTIVE
  const { projectDir } = folders
  const trash = options.trash ?? createProjectTrash({ projectsDir: folders.projectsDir })

  async function readFacts(id: string): Promise<RecordingFacts> {
    projectDir(id)
    return active.activeFacts(id) ?? folders.readFacts(id)
  }

  async function toSummary(facts: RecordingFacts): Promise<ProjectSummary> {
    const dir = projectDir(facts.id)
    const hasThumbnail = (await fileSize(join(dir, THUMBNAIL_FILE))) !== null
    return {
      id: facts.id,
      title: facts.title,
      status: facts.status,
      createdAt: facts.createdAt,
      durationMs: facts.durationMs ?? null,
      editedDurationMs: await editedDurationMs(dir, facts),
      width: facts.width ?? null,
      height: facts.height ?? null,
      sizeBytes: await fileSize(join(dir, facts.file)),
      thumbnailUrl: hasThumbnail ? options.mediaUrl(facts.id, THUMBNAIL_FILE) : null,
      mediaUrl: facts.status === 'recording' ? null : options.mediaUrl(facts.id, facts.file),
      dir,
      endedBecause: facts.endedBecause ?? null,
      shareUrl: (await readShareLink(dir))?.url ?? null,
      camera: await cameraSummary(dir, facts),
      ...(options.editsSync
        ? { editsSync: await options.editsSync(facts.id).catch(() => null) }
        : {})
    }
  }

  // The camera recording once it can be played: finished, its file there, its length known.
  async function cameraSummary(dir: string, facts: RecordingFacts): Promise<CameraSummary | null> {
    const camera = facts.camera
    if (!camera || facts.status === 'recording' || camera.durationMs === undefined) return null
    if ((await fileSize(join(dir, camera.file))) === null) return null
    return {
      url: options.mediaUrl(facts.id, camera.file),
      offsetMs: camera.offsetMs,
      durationMs: camera.durationMs,
      width: camera.width ?? null,
      height: camera.height ?? null,
      offRanges: camera.offRanges ?? [],
      endedBecause: camera.endedBecause ?? null
    }
  }

  // The output's length as the editor and export count it (kept ranges); the recording's own
  // length when the edits cannot be read, so a broken edits.json never hides a recording.
  async function editedDurationMs(dir: string, facts: RecordingFacts): Promise<number | null> {
    if (facts.durationMs === undefined || facts.status === 'recording') return null
    const durationMs = facts.durationMs
    const edits = await readEdits(dir, durationMs).catch(() => null)
    return edits ? keptDurationMs(normalizeKeep(edits.keep, durationMs)) : durationMs
  }

  async function list(): Promise<ProjectSummary[]> {
    const summaries = await Promise.all((await folders.allFacts(readFacts)).map(toSummary))
    return summaries.sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)
    )
  }

  async function rename(id: string, title: string): Promise<ProjectSummary> {
    projectDir(id)
    const clean = normaliseTitle(title)
    return folders.withLock(id, async () => {
      const recording = await active.retitleActive(id, clean)
      if (recording) return toSummary(recording)
      const facts = { ...(await folders.readFacts(id)), title: clean }
      await folders.writeFacts(facts)
      return toSummary(facts)
    })
  }

  async function remove(id: string): Promise<void> {
    projectDir(id)
    return folders.withLock(id, async () => {
      if (active.activeFacts(id)) {
        throw new SidecastError(
          'recording-active',
          'This recording is still in progress. Stop it before deleting it.'
        )
      }
      await folders.requireFolder(
        id,
        `There is no recording "${id}". It may have been deleted already.`
      )
      await trash.put(id, projectDir(id))
    })
  }

  async function restore(id: string): Promise<ProjectSummary> {
    projectDir(id)
    return folders.withLock(id, async () => {
      await trash.restore(id, projectDir(id))
      return toSummary(await readFacts(id))
    })
  }

  return {
    projectsDir: folders.projectsDir,
    projectDir,
    readFacts,
    list,
    get: async (id) => toSummary(await readFacts(id)),
    rename,
    remove,
    restore,
    trash,
    readShareLink: async (id) => readShareLink(projectDir(id)),
    async writeShareLink(id, link) {
      projectDir(id)
      return folders.withLock(id, async () => {
        await folders.requireFolder(id, `There is no recording "${id}". It may have been deleted.`)
        await writeShareLink(projectDir(id), link)
      })
    }
  }
}
