/**
 * The library's edits API as the app calls it (docs/library-server.md, issue 13): what the
 * library can do (`GET /api/me` → `features`), a video's newest edits (`GET /api/videos/:id/edits`)
 * and a new version of them (`PUT` with `{ baseVersion, edits }`). Every request goes through the
 * app's library network (LibraryNet: Chromium's in the app, Node's in tests) with the access
 * token, never follows a redirect, and ends after a time limit. Every answer is sorted into what
 * the edits sync does with it; nothing here throws for a network or HTTP problem.
 */
import { serializeEdits, type Edits } from '../../shared/edits'
import type { LibraryCredentials } from './library'
import { unreachableMessage } from './library-client'
import { NODE_LIBRARY_NET, type LibraryFetch } from './library-net'

/** How long one edits request may take, answer included. */
export const EDITS_REQUEST_TIMEOUT_MS = 20_000

/** The feature a library names in `/api/me` when it takes a recording as it is plus its edits. */
export const EDITS_FEATURE = 'edits'

/** The feature a library names in `/api/me` when it takes a recording's camera (cameraFor). */
export const CAMERA_FEATURE = 'camera'

/** What an edits request came to. */
export type EditsAnswer =
  /** Stored (PUT) or read (GET): the library's version of these edits. */
  | { readonly kind: 'ok'; readonly version: number; readonly edits?: unknown }
  /** 409: the library has a newer version than the one these edits are based on. */
  | { readonly kind: 'conflict'; readonly version: number | null; readonly message: string }
  /** 400 / 413: the library refused the edits; `message` is its reason (it names the field). */
  | { readonly kind: 'refused'; readonly message: string }
  /** 404: the video is no longer in the library. */
  | { readonly kind: 'gone'; readonly message: string }
  /** 401 / 403: the token was refused, or it is not the video owner's. */
  | { readonly kind: 'auth'; readonly message: string }
  /** No answer, a timeout, 5xx, 429, a redirect: nothing was saved; try again later. */
  | { readonly kind: 'retry'; readonly message: string }

export interface EditsApi {
  /** The library's newest edits of a video. */
  get(videoId: string): Promise<EditsAnswer>
  /** Sends `edits` as the version after `baseVersion`. */
  put(videoId: string, baseVersion: number, edits: Edits): Promise<EditsAnswer>
}

export interface EditsApiOptions {
  /** The library's address and token, or null when not set. */
  credentials(): Promise<LibraryCredentials | null>
  /** Default Node's (the app passes LibraryNet's). */
  readonly fetch?: LibraryFetch
  /** Default EDITS_REQUEST_TIMEOUT_MS. */
  readonly timeoutMs?: number
}

export const NOT_CONNECTED_MESSAGE =
  "No library is set, so the edits wait here. Set the library's address and token in Settings."

export const SIGN_IN_MESSAGE =
  'The library refused the access token, so the edits wait here. Enter a new token in Settings › Team library.'

/** Video ids as the library makes them (server/src/library.ts VIDEO_ID). */
const VIDEO_ID = /^[A-Za-z0-9_-]{1,64}$/

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function field(json: unknown, name: string): unknown {
  return typeof json === 'object' && json !== null
    ? (json as Record<string, unknown>)[name]
    : undefined
}

const isVersion = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

/** The library's own words (`{ error }`), clipped; or `fallback`. */
function libraryWords(json: unknown, fallback: string): string {
  const error = field(json, 'error')
  return typeof error === 'string' && error.trim() ? error.trim().slice(0, 500) : fallback
}

export function createEditsApi(options: EditsApiOptions): EditsApi {
  const fetch = options.fetch ?? NODE_LIBRARY_NET.fetch
  const timeoutMs = options.timeoutMs ?? EDITS_REQUEST_TIMEOUT_MS

  async function call(videoId: string, method: 'GET' | 'PUT', body?: string): Promise<EditsAnswer> {
    if (!VIDEO_ID.test(videoId)) {
      return {
        kind: 'gone',
        message: 'This recording’s library video id is not one the library makes.'
      }
    }
    const creds = await options.credentials().catch(() => null)
    if (!creds) return { kind: 'auth', message: NOT_CONNECTED_MESSAGE }
    const target = new URL(`${creds.url}/api/videos/${videoId}/edits`)
    let status: number
    let text: string
    try {
      const response = await fetch(target, {
        method,
        headers: {
          Authorization: `Bearer ${creds.token}`,
          Accept: 'application/json',
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {})
        },
        ...(body !== undefined ? { body } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs)
      })
      status = response.status
      text = await response.text()
    } catch (error) {
      return {
        kind: 'retry',
        message: unreachableMessage(error, target, timeoutMs)
      }
    }
    const json = parseJson(text)
    if (status === 200) {
      const version = field(json, 'version')
      if (!isVersion(version)) {
        return { kind: 'retry', message: `${target.host} did not answer as a Sidecast library.` }
      }
      return { kind: 'ok', version, ...(method === 'GET' ? { edits: field(json, 'edits') } : {}) }
    }
    if (status === 409) {
      const version = field(json, 'version')
      return {
        kind: 'conflict',
        version: isVersion(version) ? version : null,
        message: libraryWords(json, 'The library has a newer version of these edits.')
      }
    }
    if (status === 400 || status === 413 || status === 422) {
      return {
        kind: 'refused',
        message: libraryWords(json, `The library refused the edits (HTTP ${status}).`)
      }
    }
    if (status === 404 || status === 410) {
      return {
        kind: 'gone',
        message: 'The video is no longer in the library, so its edits cannot be sent.'
      }
    }
    if (status === 401) return { kind: 'auth', message: SIGN_IN_MESSAGE }
    if (status === 403) {
      return {
        kind: 'auth',
        message: `${libraryWords(json, 'The library refused the access token.')} The edits wait here; check the token in Settings › Team library.`
      }
    }
    if (status >= 500 || status === 429 || status === 408) {
      return {
        kind: 'retry',
        message: `The library server at ${target.host} has a problem (HTTP ${status}).`
      }
    }
    return {
      kind: 'retry',
      message: `${target.host} answered HTTP ${status}, which a Sidecast library does not.`
    }
  }

  return {
    get: (videoId) => call(videoId, 'GET'),
    put: (videoId, baseVersion, edits) =>
      call(
        videoId,
        'PUT',
        // The file's own text (unknown keys kept), without its indentation.
        JSON.stringify({ baseVersion, edits: JSON.parse(serializeEdits(edits)) as unknown })
      )
  }
}

/**
 * The features the library at `credentials` names in `/api/me` (`['edits']` for one that takes
 * a recording as it is plus its edits); null when it could not be asked (no answer, refused).
 */
export async function libraryFeatures(
  creds: LibraryCredentials,
  options: { readonly fetch?: LibraryFetch; readonly timeoutMs?: number } = {}
): Promise<readonly string[] | null> {
  const fetch = options.fetch ?? NODE_LIBRARY_NET.fetch
  try {
    const response = await fetch(`${creds.url}/api/me`, {
      headers: { Authorization: `Bearer ${creds.token}`, Accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000)
    })
    const json = parseJson(await response.text())
    if (response.status !== 200 || typeof field(json, 'name') !== 'string') return null
    const features = field(json, 'features')
    // An older library answers without the field: it has none of them.
    if (!Array.isArray(features)) return []
    return features.filter((f): f is string => typeof f === 'string')
  } catch {
    return null
  }
}

/**
 * Tells the library that video `videoId` gets no camera after all (`DELETE
 * /api/videos/:id/camera`): a recording sent with `cameraFollows` whose camera cannot be sent,
 * so viewers get the video without a bubble rather than waiting for ever. True when the library
 * did (204), or the video is gone (404); false when it could not be told.
 */
export async function dropLibraryCamera(
  creds: LibraryCredentials,
  videoId: string,
  options: { readonly fetch?: LibraryFetch; readonly timeoutMs?: number } = {}
): Promise<boolean> {
  if (!VIDEO_ID.test(videoId)) return false
  const fetch = options.fetch ?? NODE_LIBRARY_NET.fetch
  try {
    const response = await fetch(`${creds.url}/api/videos/${videoId}/camera`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${creds.token}`, Accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? EDITS_REQUEST_TIMEOUT_MS)
    })
    await response.text()
    return response.status === 204 || response.status === 404
  } catch {
    return false
  }
}

/** How long an answer of `/api/me` about the library's features is trusted. */
export const FEATURES_TTL_MS = 5 * 60_000

/**
 * "Does the connected library apply edits itself?" (and "does it take a recording's camera?"),
 * asked once per address and token (and again after FEATURES_TTL_MS or `forget()`, e.g. when the
 * connection changes). False while it cannot be asked: an upload then exports as it always did.
 */
export function createEditsFeatureCheck(options: {
  credentials(): Promise<LibraryCredentials | null>
  readonly fetch?: LibraryFetch
  readonly now?: () => number
}): { takesEdits(): Promise<boolean>; takesCamera(): Promise<boolean>; forget(): void } {
  const now = options.now ?? Date.now
  let cached: { key: string; at: number; features: readonly string[] } | null = null
  async function has(feature: string): Promise<boolean> {
    const creds = await options.credentials().catch(() => null)
    if (!creds) return false
    const key = `${creds.url}\n${creds.token}`
    if (cached?.key === key && now() - cached.at < FEATURES_TTL_MS) {
      return cached.features.includes(feature)
    }
    const features = await libraryFeatures(creds, options.fetch ? { fetch: options.fetch } : {})
    if (features === null) return false
    cached = { key, at: now(), features }
    return features.includes(feature)
  }
  return {
    takesEdits: () => has(EDITS_FEATURE),
    takesCamera: () => has(CAMERA_FEATURE),
    forget() {
      cached = null
    }
  }
}
