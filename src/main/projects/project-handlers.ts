/** The IPC handlers of the recordings list and the editor's saves: projects and their edits. */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { SidecastError } from '../../shared/errors'
import type { InvokeHandlers } from '../../shared/ipc'
import type { RecordingFacts, RecoveryNotice } from '../../shared/project'
import { requireProjectId, requireString } from '../ipc/ipc-args'
import { readEdits, writeEdits } from './edits-store'
import type { ProjectCatalogue } from './project-catalogue'

export interface ProjectHandlersOptions {
  readonly projects: ProjectCatalogue
  /** True while the project is being recorded. */
  readonly isRecording: (projectId: string) => boolean
  /** Shows a file in the system's file manager. */
  readonly revealPath: (path: string) => Promise<void>
  /** Tells the renderer that the list of projects changed. */
  readonly projectsChanged: () => void
  /** The recovery notices not yet shown (each is served once). */
  readonly takeRecoveryNotices: () => RecoveryNotice[]
}

export function projectHandlers(
  options: ProjectHandlersOptions
): Pick<
  InvokeHandlers,
  | 'projects:list'
  | 'projects:rename'
  | 'projects:delete'
  | 'projects:reveal'
  | 'projects:recovery-notices'
  | 'edits:get'
  | 'edits:save'
> {
  const { projects } = options

  /** Facts of a recording whose edits may be saved: finished, not still being written. */
  async function editableFacts(projectId: string): Promise<RecordingFacts> {
    const facts = await projects.readFacts(projectId)
    if (facts.status === 'recording' || options.isRecording(projectId)) {
      throw new SidecastError(
        'still-recording',
        'This recording is still being recorded, so it cannot be edited yet. Stop it first.'
      )
    }
    return facts
  }

  return {
    'projects:list': async () => projects.list(),
    'projects:rename': async (projectId, title) => {
      const summary = await projects.rename(
        requireProjectId(projectId),
        requireString(title, 'title', 10_000)
      )
      options.projectsChanged()
      return summary
    },
    'projects:delete': async (projectId) => {
      await projects.remove(requireProjectId(projectId))
      options.projectsChanged()
    },
    'projects:reveal': async (projectId) => {
      const id = requireProjectId(projectId)
      const facts = await projects.readFacts(id)
      const file = join(projects.projectDir(id), facts.file)
      const exists = await stat(file).then(
        () => true,
        () => false
      )
      await options.revealPath(exists ? file : projects.projectDir(id))
    },
    'projects:recovery-notices': async () => options.takeRecoveryNotices(),
    'edits:get': async (projectId) => {
      const id = requireProjectId(projectId)
      const facts = await projects.readFacts(id)
      return readEdits(projects.projectDir(id), facts.durationMs)
    },
    'edits:save': async (projectId, edits) => {
      const id = requireProjectId(projectId)
      const facts = await editableFacts(id)
      return writeEdits(projects.projectDir(id), edits, facts.durationMs)
    }
  }
}
