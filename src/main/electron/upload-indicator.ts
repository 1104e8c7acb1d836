/**
 * Sharing in the tray and the taskbar: "Upload last recording" (enabled once there is a finished
 * recording and the library is set), the line saying what is uploading, and the taskbar or dock
 * progress, refreshed at most twice a second while uploads move. Plain: index.ts passes the tray
 * and the window.
 */
import type { UploadInfo } from '../../shared/ipc'
import type { ProjectSummary } from '../../shared/project'
import type { SidecastTray } from './tray'
import { uploadActivity } from './tray-menu'

export interface UploadIndicatorOptions {
  uploads(): readonly UploadInfo[]
  projects(): Promise<readonly ProjectSummary[]>
  /** True when the library's address and token are set. */
  libraryReady(): Promise<boolean>
  tray(): Pick<SidecastTray, 'setUpload'> | null
  /** The window whose taskbar entry (or dock icon) shows the progress. */
  window(): { isDestroyed(): boolean; setProgressBar(progress: number): void } | null
}

export interface UploadIndicator {
  /** The newest finished recording, which "Upload last recording" uploads. */
  lastRecordingId(): string | null
  /** Call on `projects:changed`. */
  projectsChanged(): Promise<void>
  /** Call when the library's address or token changed. */
  libraryChanged(): Promise<void>
  /** Call on `uploads:changed`. */
  uploadsChanged(): void
}

/** How often the tray and taskbar follow upload progress at most. */
const REFRESH_MS = 500

export function createUploadIndicator(options: UploadIndicatorOptions): UploadIndicator {
  let lastRecordingId: string | null = null
  let libraryReady = false
  let timer: NodeJS.Timeout | null = null
  let shownProgress = -1

  function show(): void {
    const activity = uploadActivity(options.uploads())
    options.tray()?.setUpload({
      canUploadLast: lastRecordingId !== null && libraryReady,
      activity: activity?.label ?? null
    })
    const progress = activity ? Math.max(0, Math.min(1, activity.fraction)) : -1
    const window = options.window()
    if (window && !window.isDestroyed() && Math.abs(progress - shownProgress) >= 0.005) {
      window.setProgressBar(progress)
      shownProgress = progress
    }
  }

  return {
    lastRecordingId: () => lastRecordingId,
    async projectsChanged() {
      try {
        const newest = (await options.projects()).find((p) => p.status !== 'recording')
        lastRecordingId = newest?.id ?? null
      } catch {
        lastRecordingId = null
      }
      show()
    },
    async libraryChanged() {
      libraryReady = await options.libraryReady()
      show()
    },
    uploadsChanged() {
      if (timer) return
      timer = setTimeout(() => {
        timer = null
        show()
      }, REFRESH_MS)
    }
  }
}
