/**
 * The team library connection: its address (a setting), the access token (token-store.ts) and
 * the environment overrides a managed install uses (SIDECAST_LIBRARY_URL, SIDECAST_LIBRARY_TOKEN:
 * they win over stored values and cannot be changed from Settings).
 */
import {
  type LibraryConfig,
  type LibraryConfigPatch,
  type LibraryTestResult
} from '../../shared/ipc'
import { SidecastError } from '../../shared/errors'
import type { SettingsStore } from '../settings/settings-store'
import {
  libraryUrlProblem,
  normaliseLibraryUrl,
  testConnection as defaultTestConnection,
  tokenProblem
} from './library-client'
import type { LibraryFetch } from './library-net'
import type { TokenStore } from './token-store'

export const ENV_LIBRARY_URL = 'SIDECAST_LIBRARY_URL'
export const ENV_LIBRARY_TOKEN = 'SIDECAST_LIBRARY_TOKEN'
export const ENV_SHARE_WHILE_RECORDING = 'SIDECAST_SHARE_WHILE_RECORDING'

/** The longest token accepted (server tokens are far shorter; this only stops silly input). */
export const MAX_TOKEN_LENGTH = 4096

/** What the environment fixes; empty strings count as unset. */
export interface LibraryEnv {
  readonly url: string | null
  readonly token: string | null
  /** SIDECAST_SHARE_WHILE_RECORDING: `1` or `0` fix Share while recording; null leaves it to the setting. */
  readonly shareWhileRecording: boolean | null
}

export function libraryEnv(env: Readonly<Record<string, string | undefined>>): LibraryEnv {
  const url = env[ENV_LIBRARY_URL]?.trim()
  const token = env[ENV_LIBRARY_TOKEN]?.trim()
  const share = env[ENV_SHARE_WHILE_RECORDING]?.trim()
  return {
    url: url ? url : null,
    token: token ? token : null,
    shareWhileRecording: share === '1' ? true : share === '0' ? false : null
  }
}

/** An address as stored: normalised when valid, as given otherwise (Test connection says why). */
function cleanUrl(url: string): string {
  return libraryUrlProblem(url) ? url.trim() : normaliseLibraryUrl(url)
}

/**
 * The connection as Settings shows it: environment values win over stored ones and are marked
 * managed. Pure, so the precedence rules are tested on their own.
 */
export function resolveLibraryConfig(
  env: LibraryEnv,
  stored: {
    readonly url: string
    readonly token: { readonly encrypted: boolean } | null
    /** The Share while recording setting. */
    readonly shareWhileRecording: boolean
  }
): LibraryConfig {
  const url = env.url !== null ? cleanUrl(env.url) : stored.url ? cleanUrl(stored.url) : ''
  const hasToken = env.token !== null || stored.token !== null
  const wanted = env.shareWhileRecording ?? stored.shareWhileRecording
  return {
    url,
    hasToken,
    // A token from the environment is not stored by Sidecast at all, so nothing is left unencrypted.
    tokenEncrypted: env.token !== null ? true : (stored.token?.encrypted ?? true),
    managed: { url: env.url !== null, token: env.token !== null },
    shareWhileRecording: wanted && url !== '' && hasToken,
    shareWhileRecordingManaged: env.shareWhileRecording !== null
  }
}

export interface LibraryCredentials {
  /** Normalised base URL, no trailing slash. */
  readonly url: string
  readonly token: string
}

export interface LibraryServiceOptions {
  readonly settings: SettingsStore
  readonly tokens: TokenStore
  /** The process environment (SIDECAST_LIBRARY_URL / SIDECAST_LIBRARY_TOKEN). */
  readonly env: Readonly<Record<string, string | undefined>>
  /** GET /api/me; tests may inject a fake. */
  readonly testConnection?: (url: string, token: string) => Promise<LibraryTestResult>
  /** The fetch "Test connection" uses (LibraryNet's); default Node's. */
  readonly fetch?: LibraryFetch
}

export interface LibraryService {
  config(): Promise<LibraryConfig>
  /** Validates and applies a change; refuses to change what the environment fixes. */
  configure(patch: unknown): Promise<LibraryConfig>
  /** Test connection with the given values, or the stored ones for absent fields. */
  test(patch: unknown): Promise<LibraryTestResult>
  /** The address and token to upload with, or null when either is missing or invalid. */
  credentials(): Promise<LibraryCredentials | null>
  /**
   * Checks a `libraryUrl` settings change (settings:set): refuses when managed, returns the value
   * to store (normalised; '' clears it). Throws a SidecastError saying what is wrong.
   */
  checkUrlSetting(value: unknown): string
  /** Called after the address or token changed. */
  onChange(listener: () => void): () => void
  /** Tells listeners that the address changed through settings:set. */
  notifyChanged(): void
}

function badLibrary(message: string): SidecastError {
  return new SidecastError('bad-library-config', message)
}

function parsePatch(patch: unknown): LibraryConfigPatch {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw badLibrary('The library settings must be an object with "url" and/or "token".')
  }
  const out: { url?: string; token?: string } = {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue
    if (key !== 'url' && key !== 'token') throw badLibrary(`Unknown library setting "${key}".`)
    if (typeof value !== 'string') throw badLibrary(`The library ${key} must be text.`)
    if (key === 'url' && value.length > 2048) throw badLibrary('The library’s address is too long.')
    if (key === 'token' && value.length > MAX_TOKEN_LENGTH) {
      throw badLibrary('That is too long to be an access token. Copy it again from the library.')
    }
    out[key] = value
  }
  return out
}

export function createLibraryService(options: LibraryServiceOptions): LibraryService {
  const env = libraryEnv(options.env)
  const listeners = new Set<() => void>()
  const fetch = options.fetch
  const test =
    options.testConnection ??
    ((url, token) => defaultTestConnection(url, token, fetch ? { fetch } : {}))

  const changed = (): void => {
    for (const listener of listeners) listener()
  }

  async function config(): Promise<LibraryConfig> {
    const token = env.token !== null ? null : await options.tokens.get()
    const settings = options.settings.get()
    return resolveLibraryConfig(env, {
      url: settings.libraryUrl,
      token,
      shareWhileRecording: settings.shareWhileRecording
    })
  }

  function checkUrlSetting(value: unknown): string {
    if (typeof value !== 'string') throw badLibrary('The library’s address must be text.')
    const current = options.settings.get().libraryUrl
    if (env.url !== null) {
      if (value.trim() === '' || cleanUrl(value) === cleanUrl(env.url)) return current
      throw new SidecastError(
        'library-managed',
        `The library’s address is set by your administrator (${ENV_LIBRARY_URL}), so it cannot be changed here.`
      )
    }
    if (value.trim() === '') return ''
    const problem = libraryUrlProblem(value)
    if (problem) throw badLibrary(problem)
    return normaliseLibraryUrl(value)
  }

  async function configure(raw: unknown): Promise<LibraryConfig> {
    const patch = parsePatch(raw)
    let didChange = false
    if (patch.url !== undefined) {
      const next = checkUrlSetting(patch.url)
      if (next !== options.settings.get().libraryUrl) {
        options.settings.set({ libraryUrl: next })
        didChange = true
      }
    }
    if (patch.token !== undefined) {
      const token = patch.token.trim()
      if (env.token !== null) {
        throw new SidecastError(
          'library-managed',
          `The access token is set by your administrator (${ENV_LIBRARY_TOKEN}), so it cannot be changed here.`
        )
      }
      if (token === '') {
        if ((await options.tokens.get()) !== null) {
          await options.tokens.clear()
          didChange = true
        }
      } else {
        const problem = tokenProblem(token)
        if (problem) throw badLibrary(problem)
        if ((await options.tokens.get())?.token !== token) {
          await options.tokens.set(token)
          didChange = true
        }
      }
    }
    if (didChange) changed()
    return config()
  }

  async function credentials(): Promise<LibraryCredentials | null> {
    const url = env.url ?? options.settings.get().libraryUrl
    const token = env.token ?? (await options.tokens.get())?.token ?? ''
    if (!url || libraryUrlProblem(url) || tokenProblem(token)) return null
    return { url: normaliseLibraryUrl(url), token: token.trim() }
  }

  return {
    config,
    configure,
    async test(raw) {
      const patch = parsePatch(raw ?? {})
      const url = patch.url ?? env.url ?? options.settings.get().libraryUrl
      const token = patch.token ?? env.token ?? (await options.tokens.get())?.token ?? ''
      if (!url.trim()) {
        return {
          ok: false,
          message: 'Enter the library’s address first, like https://library.example.com.'
        }
      }
      return test(url, token)
    },
    credentials,
    checkUrlSetting,
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    notifyChanged: changed
  }
}
