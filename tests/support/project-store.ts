/**
 * The capture writer and the project catalogue over one recordings folder, wired as
 * src/main/app-services.ts wires them, as one object: for tests that record and then read back.
 */
import {
  createProjectCatalogue,
  type ProjectCatalogue,
  type ProjectCatalogueOptions
} from '../../src/main/projects/project-catalogue'
import {
  createProjectFolders,
  type ProjectFoldersOptions
} from '../../src/main/projects/project-folders'
import {
  createCaptureWriter,
  type CaptureWriter,
  type CaptureWriterOptions
} from '../../src/main/recording/capture-writer'

export type TestProjectStore = CaptureWriter & ProjectCatalogue

export type TestProjectStoreOptions = ProjectFoldersOptions &
  Omit<CaptureWriterOptions, 'folders'> &
  Pick<ProjectCatalogueOptions, 'mediaUrl'>

export function createTestProjectStore(options: TestProjectStoreOptions): TestProjectStore {
  const folders = createProjectFolders(options)
  const capture = createCaptureWriter({ ...options, folders })
  const projects = createProjectCatalogue({ folders, active: capture, mediaUrl: options.mediaUrl })
  return { ...projects, ...capture }
}
