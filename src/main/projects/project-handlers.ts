/** The IPC handlers of the recordings list and the editor's saves: projects and their edits. */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { RecoveryNotice } from '../../shared/project'
import type { FeatureHandlers } from '../ipc/feature-handlers'
import { requireProjectId, requireString } from '../ipc/ipc-args'
import { readEdits, writeEdits } from './edits-store'
import { requireFinished, type ProjectCatalogue } from './project-catalogue'

export interface ProjectHandlersOptions {
  readonly projects: ProjectCatalogue
  /** True while the project is being recorded. */
  readonly isRecording: (projectId: string) => boolean
  /** Shows a file in the system's file manager. */
  readonly revealPath: (path: string) => Promise<void>
  /** Tells the renderer that the list of projects changed. */
  readonly projectsChanged: () => void
  /** The recovery notices not yet shown (each is served once). */
  readonly takeRecoveryNotices: () => RecoveryNotice[] | Promise<RecoveryNotice[]>
  /**
   * Cancels the project's unfinished uploads before it is deleted (an undo does not start them
   * again: the user uploads anew if they want to); default none.
   */
  readonly cancelUploads?: (projectId: string) => Promise<void>
  /** The project's edits were saved (the edits sync sends them to the library); default none. */
  readonly editsSaved?: (projectId: string) => void
}

export function projectHandlers(
  options: ProjectHandlersOptions
): FeatureHandlers<'projects' | 'edits'> {
  const { projects } = options
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
      const id = requireProjectId(projectId)
      // A recording in progress has no uploads, and its delete is refused below.
      if (!options.isRecording(id)) await options.cancelUploads?.(id)
      await projects.remove(id)
      options.projectsChanged()
      return { projectId: id, undoMs: projects.trash.undoMs }
    },
    'projects:restore': async (projectId) => {
      const summary = await projects.restore(requireProjectId(projectId))
      options.projectsChanged()
      return summary
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
      const facts = requireFinished(
        await projects.readFacts(id),
        options.isRecording(id),
        'This recording is still being recorded, so it cannot be edited yet. Stop it first.'
      )
      const saved = await writeEdits(projects.projectDir(id), edits, facts.durationMs)
      options.editsSaved?.(id)
      return saved
    }
  }
}
