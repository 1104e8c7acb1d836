/** The tray and taskbar upload indicator, with a fake tray and window and a fake clock. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createUploadIndicator } from '../../../src/main/electron/upload-indicator'
import type { UploadInfo } from '../../../src/shared/ipc'
import type { ProjectSummary } from '../../../src/shared/project'

function project(id: string, status: ProjectSummary['status']): ProjectSummary {
  return {
    id,
    title: id,
    status,
    createdAt: '2026-11-29T12:00:00.000Z',
    durationMs: null,
    width: null,
    height: null,
    sizeBytes: null,
    thumbnailUrl: null,
    mediaUrl: null,
    dir: `/projects/${id}`,
    endedBecause: null,
    shareUrl: null
  }
}

function uploading(fraction: number): UploadInfo {
  return {
    id: 'u1',
    projectId: 'p1',
    title: 'Walkthrough',
    state: 'uploading',
    fraction,
    bytesSent: 0,
    bytesTotal: 100,
    speedBps: null,
    etaMs: null,
    createdAt: '2026-11-29T12:00:00.000Z'
  }
}

let uploads: UploadInfo[]
let projects: ProjectSummary[]
let libraryReady: boolean
const setUpload = vi.fn()
const setProgressBar = vi.fn()

function indicator() {
  return createUploadIndicator({
    uploads: () => uploads,
    projects: async () => projects,
    libraryReady: async () => libraryReady,
    tray: () => ({ setUpload }),
    window: () => ({ isDestroyed: () => false, setProgressBar })
  })
}

beforeEach(() => {
  vi.useFakeTimers()
  uploads = []
  projects = []
  libraryReady = false
  setUpload.mockClear()
  setProgressBar.mockClear()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('upload indicator', () => {
  it.each([
    {
      name: 'no recording, no library',
      list: [],
      library: false,
      last: null,
      canUploadLast: false
    },
    {
      name: 'a recording, no library',
      list: ['complete'],
      library: false,
      last: 'p0',
      canUploadLast: false
    },
    {
      name: 'a library, a recording in progress only',
      list: ['recording'],
      library: true,
      last: null,
      canUploadLast: false
    },
    {
      name: 'a finished recording and a library',
      list: ['recording', 'recovered'],
      library: true,
      last: 'p1',
      canUploadLast: true
    }
  ] as const)(
    '$name: "Upload last recording" enabled is $canUploadLast',
    async ({ list, library, last, canUploadLast }) => {
      projects = list.map((status, i) => project(`p${i}`, status))
      libraryReady = library
      const shown = indicator()
      await shown.projectsChanged()
      await shown.libraryChanged()
      expect(shown.lastRecordingId()).toBe(last)
      expect(setUpload).toHaveBeenLastCalledWith({ canUploadLast, activity: null })
    }
  )

  it('follows upload progress at most twice a second, and clears the taskbar when done', async () => {
    const shown = indicator()
    uploads = [uploading(0.2)]
    shown.uploadsChanged()
    shown.uploadsChanged()
    expect(setProgressBar).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(500)
    expect(setProgressBar).toHaveBeenCalledTimes(1)
    expect(setProgressBar).toHaveBeenLastCalledWith(0.2)
    expect(setUpload).toHaveBeenLastCalledWith({ canUploadLast: false, activity: 'Uploading 20%' })
    // A change too small to see is not sent to the taskbar again.
    uploads = [uploading(0.201)]
    shown.uploadsChanged()
    await vi.advanceTimersByTimeAsync(500)
    expect(setProgressBar).toHaveBeenCalledTimes(1)
    uploads = [{ ...uploading(1), state: 'done' }]
    shown.uploadsChanged()
    await vi.advanceTimersByTimeAsync(500)
    expect(setProgressBar).toHaveBeenLastCalledWith(-1)
  })
})
