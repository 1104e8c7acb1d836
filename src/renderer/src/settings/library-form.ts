/**
 * The Team library part of Settings as plain data: what the user typed, what to send to
 * `library:configure` on Save and to `library:test`. Pure, so it is tested without React.
 */
import type { LibraryConfig, LibraryConfigPatch } from '../../../shared/ipc'

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
  return { url, hasToken: false, tokenEncrypted: true, managed: { url: false, token: false } }
}

export function initialLibraryDraft(config: LibraryConfig): LibraryDraft {
  return { url: config.url, token: '', tokenMode: config.hasToken ? 'keep' : 'replace' }
}

/** True when the Access token field is shown. */
export function showsTokenInput(config: LibraryConfig, draft: LibraryDraft): boolean {
  return !config.managed.token && (!config.hasToken || draft.tokenMode === 'replace')
}

/** What is wrong with a typed server URL, or null (empty is fine: it means "no library"). */
export function libraryUrlProblem(url: string): string | null {
  const text = url.trim()
  if (!text) return null
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    return 'The server URL is not a web address. Write it like https://library.example.com.'
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return 'The server URL must start with https:// (or http://), like https://library.example.com.'
  }
  return null
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
