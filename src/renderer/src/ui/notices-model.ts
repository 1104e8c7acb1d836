/**
 * The toasts as data: which notices are up, and the rules for adding and clearing them. Pure, so
 * the rules are unit tested without React (ui/notices.tsx renders them).
 *
 * A notice may carry a `key` naming the condition it is about (e.g. `upload:<project id>` for "this
 * project's upload failed"). Raising a notice with a key replaces the older one with that key, and
 * when the condition ends (the upload succeeds, is retried) `clearNotices(list, key)` takes it
 * down: an error that no longer applies goes away by itself.
 */

export type NoticeKind = 'error' | 'warning' | 'info'

/** A button on a notice (e.g. "Copy link", "Open settings"); clicking it also dismisses the notice. */
export interface NoticeAction {
  readonly label: string
  run(): void
}

export interface Notice {
  readonly id: number
  readonly kind: NoticeKind
  readonly message: string
  readonly action?: NoticeAction
  /** The condition the notice is about; see clearNotices. */
  readonly key?: string
}

/** Adds a notice; the same message, or an older notice about the same condition, is replaced. */
export function addNotice(list: readonly Notice[], notice: Notice): readonly Notice[] {
  return [
    ...list.filter(
      (n) => n.message !== notice.message && (notice.key === undefined || n.key !== notice.key)
    ),
    notice
  ]
}

/** Takes down the notices about a condition that has ended; the same list when there are none. */
export function clearNotices(list: readonly Notice[], key: string): readonly Notice[] {
  return list.some((n) => n.key === key) ? list.filter((n) => n.key !== key) : list
}

/** Removes one notice (its × or its action was clicked, or its time ran out). */
export function dismissNotice(list: readonly Notice[], id: number): readonly Notice[] {
  return list.some((n) => n.id === id) ? list.filter((n) => n.id !== id) : list
}

/**
 * What the toast area shows: nothing while the window is the recording bar (a toast there would
 * cover the controls and be recorded with the screen); the notices still up show again after.
 */
export function shownNotices(list: readonly Notice[], recordingBar: boolean): readonly Notice[] {
  return recordingBar ? [] : list
}

/** The key of the notice about a project's failed upload. */
export function uploadNoticeKey(projectId: string): string {
  return `upload:${projectId}`
}

/**
 * The keys of upload notices that no longer apply: projects whose newest upload is not failed
 * (it succeeded, or it is being sent again).
 */
export function resolvedUploadNoticeKeys(
  newestUploads: Iterable<{ readonly projectId: string; readonly state: string }>
): string[] {
  const keys: string[] = []
  for (const upload of newestUploads) {
    if (upload.state !== 'failed') keys.push(uploadNoticeKey(upload.projectId))
  }
  return keys
}
