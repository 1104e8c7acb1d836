/**
 * A capture writer and catalogue over a fresh data dir for each test (the real files, fake media
 * tools), and project folders written by hand. The bindings below are live: a test file calls
 * useProjectStore() once and reads `store`, `dataDir`, `tools` and `warnings` in its tests.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, expect } from 'vitest'
import { SidecastError } from '../../../../src/shared/errors'
import type { RecordingFacts } from '../../../../src/shared/project'
import { createTestProjectStore, type TestProjectStore } from '../../../support/project-store'
import { fakeMediaTools, tempDir, type FakeMediaTools } from './fakes'

export let dataDir: string
export let tools: FakeMediaTools
export let store: TestProjectStore
export const warnings: string[] = []

export function useProjectStore(): void {
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ dir: dataDir, cleanup } = await tempDir('sidecast-store-'))
    tools = fakeMediaTools()
    warnings.length = 0
    store = createTestProjectStore({
      dataDir,
      mediaTools: () => tools,
      mediaUrl: (id, file) => `media://${id}/${file}`,
      now: () => new Date(2026, 10, 29, 14, 22, 33),
      factsIntervalMs: 0,
      warn: (message) => warnings.push(message)
    })
  })

  afterEach(async () => {
    await store.close()
    await cleanup()
  })
}

export async function factsOnDisk(id: string): Promise<RecordingFacts> {
  return JSON.parse(
    await readFile(join(store.projectDir(id), 'recording.json'), 'utf8')
  ) as RecordingFacts
}

export async function rejection(promise: Promise<unknown>): Promise<SidecastError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(SidecastError)
  return error as SidecastError
}

export async function writeProject(
  folder: string,
  facts: unknown,
  capture?: Uint8Array
): Promise<void> {
  const dir = join(dataDir, 'projects', folder)
  await mkdir(dir, { recursive: true })
  await writeFile(
    join(dir, 'recording.json'),
    typeof facts === 'string' ? facts : JSON.stringify(facts)
  )
  if (capture) await writeFile(join(dir, 'capture.webm'), capture)
}

export function validFacts(id: string, overrides: Partial<RecordingFacts> = {}): RecordingFacts {
  return {
    version: 1,
    id,
    status: 'complete',
    title: `Title ${id}`,
    createdAt: '2026-11-29T10:00:00.000Z',
    sourceName: 'Entire screen',
    file: 'recording.webm',
    container: 'webm',
    mimeType: 'video/webm;codecs=vp8,opus',
    ...overrides
  }
}
