/**
 * The Team library part of Settings as plain data: what the user typed, what to send to
 * `library:configure` on Save and to `library:test`. Pure, so it is tested without React.
 */
import type { LibraryConfig, LibraryConfigPatch, LibraryTestResult } from '../../../shared/ipc'
import {
  completeLibraryAddress,
  libraryUrlProblem as sharedUrlProblem
} from '../../../shared/library-address'

/** What happens to a stored token on Save. */
export type TokenMode = 'keep' | 'replace' | 'forget'

export interface LibraryDraft {
  /** The Server URL field. */
  readonly url: string
  /** The Access token field (only shown when there is no token, or while replacing it). */
  readonly token: string
  readonly tokenMode: TokenMode
}

/** Shown when main could not say what is configured (e.g. the sharing channels are not there). */
export function unknownLibraryConfig(url: string): LibraryConfig {
  return {
    url,
    hasToken: false,
    tokenEncrypted: true,
    managed: { url: false, token: false },
    shareWhileRecording: false,
    shareWhileRecordingManaged: false
  }
}

export function initialLibraryDraft(config: LibraryConfig): LibraryDraft {
  return { url: config.url, token: '', tokenMode: config.hasToken ? 'keep' : 'replace' }
}

/** True when the Access token field is shown. */
export function showsTokenInput(config: LibraryConfig, draft: LibraryDraft): boolean {
  return !config.managed.token && (!config.hasToken || draft.tokenMode === 'replace')
}

/**
 * What is wrong with a typed server URL, or null (empty is fine: it means "no library"). The
 * check is main's own (src/shared/library-address.ts); complete the address first.
 */
export function libraryUrlProblem(url: string): string | null {
  return url.trim() ? sharedUrlProblem(url) : null
}

/** The draft with its address completed (`library.example.com` → `https://…`), for Save. */
export function completedLibraryDraft(config: LibraryConfig, draft: LibraryDraft): LibraryDraft {
  if (config.managed.url) return draft
  const url = completeLibraryAddress(draft.url)
  return url === draft.url ? draft : { ...draft, url }
}

/**
 * True when Save must first check the connection, as Test connection does: the address or the
 * token changes, and there is a library afterwards (an emptied address or a forgotten token
 * has nothing to check).
 */
export function savesNeedCheck(config: LibraryConfig, patch: LibraryConfigPatch | null): boolean {
  if (!patch) return false
  if (patch.url === '' || patch.token === '') return false
  const url = patch.url ?? config.url
  return url.trim() !== '' || config.managed.url
}

/** Where Save's failed check is shown: at the token field, at the address, or the section. */
export function checkFailureField(
  config: LibraryConfig,
  result: LibraryTestResult
): 'url' | 'token' | 'section' {
  if (result.field === 'token' && !config.managed.token) return 'token'
  if (result.field === 'url' && !config.managed.url) return 'url'
  return 'section'
}

/** The change to save with `library:configure`, or null when nothing changed. */
export function libraryPatch(
  config: LibraryConfig,
  draft: LibraryDraft
): LibraryConfigPatch | null {
  const patch: { url?: string; token?: string } = {}
  const url = draft.url.trim()
  if (!config.managed.url && url !== config.url) patch.url = url
  if (!config.managed.token) {
    if (config.hasToken && draft.tokenMode === 'forget') patch.token = ''
    else if (showsTokenInput(config, draft) && draft.token.trim()) patch.token = draft.token.trim()
  }
  return Object.keys(patch).length > 0 ? patch : null
}

/**
 * What "Test connection" sends: the typed values, and for anything not typed nothing, so main
 * uses what is stored. A token about to be forgotten is tested as no token.
 */
export function libraryTestPatch(config: LibraryConfig, draft: LibraryDraft): LibraryConfigPatch {
  const patch: { url?: string; token?: string } = {}
  const url = draft.url.trim()
  if (!config.managed.url && url) patch.url = url
  if (!config.managed.token) {
    if (config.hasToken && draft.tokenMode === 'forget') patch.token = ''
    else if (showsTokenInput(config, draft) && draft.token.trim()) patch.token = draft.token.trim()
  }
  return patch
}

/** The sentence about the stored token (never the token itself: main does not send it). */
export function tokenStatusText(config: LibraryConfig, draft: LibraryDraft): string | null {
  if (config.managed.token) {
    return config.hasToken ? 'A token is set by your administrator.' : null
  }
  if (!config.hasToken) return null
  if (draft.tokenMode === 'forget') return 'The saved token will be forgotten when you save.'
  if (draft.tokenMode === 'replace')
    return 'The saved token will be replaced by the one typed here.'
  return 'A token is saved.'
}

/** The environment variable that fixes Share while recording for a managed install (main reads it). */
export const SHARE_WHILE_RECORDING_ENV = 'SIDECAST_SHARE_WHILE_RECORDING'

/** How Settings shows "Share while recording". */
export interface ShareWhileRecordingView {
  readonly checked: boolean
  /** Fixed by SIDECAST_SHARE_WHILE_RECORDING: shown, not changeable. */
  readonly readOnly: boolean
  /** A line under the explanation (who set it, or that it waits for a library), or null. */
  readonly note: string | null
}

/**
 * The checkbox from main's config and the draft. Main says whether sharing is in effect, which
 * needs a library (an address and a token); with one, a managed value is exactly that. Without
 * one, the draft (the stored setting) is the best answer there is, and the note says it starts
 * once a library is connected.
 */
export function shareWhileRecordingView(
  config: LibraryConfig,
  draftValue: boolean
): ShareWhileRecordingView {
  const connected = config.url !== '' && config.hasToken
  const waits = 'It starts once a team library is connected.'
  if (config.shareWhileRecordingManaged) {
    const set = `Set by your administrator (${SHARE_WHILE_RECORDING_ENV}).`
    return {
      checked: connected ? config.shareWhileRecording : draftValue,
      readOnly: true,
      note: connected ? set : `${set} ${waits}`
    }
  }
  return { checked: draftValue, readOnly: false, note: connected || !draftValue ? null : waits }
}
