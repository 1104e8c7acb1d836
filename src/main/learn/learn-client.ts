/**
 * The library's "Learn together" API as the app reads it (docs/learning-together.md): whether the
 * library has it (`GET /api/me` → `features` includes `learn`), its open requests
 * (`GET /api/requests?state=open&q=`) and the signed-in user's notifications
 * (`GET /api/notifications?after=`). Every request goes through the app's library network with the
 * access token, never follows a redirect and ends after a time limit. Every answer is checked
 * (the shapes of src/shared/learn.ts) and sorted into an outcome; nothing here throws.
 */
import type { NotificationJson, NotificationsJson, RequestJson } from '../../shared/learn'
import type { LibraryCredentials } from '../share/library'
import { unreachableMessage } from '../share/library-client'
import { NODE_LIBRARY_NET, type LibraryFetch } from '../share/library-net'

/** The feature a library names in `/api/me` when it takes requests and sends notifications. */
export const LEARN_FEATURE = 'learn'

/** Most notifications asked for at once (newest first): more new ones than this say "50+". */
export const NOTIFICATIONS_PAGE_SIZE = 50

/** How long one request to the library may take, answer included. */
export const LEARN_REQUEST_TIMEOUT_MS = 15_000

/** Most bytes of an answer read (a page of requests or notifications is far smaller). */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024

export const NOT_CONNECTED_MESSAGE =
  "No library is connected. Set the library's address and access token in Settings › Team library."

export const UNSUPPORTED_MESSAGE =
  'This library does not take requests yet. Ask whoever runs it to update the Sidecast library.'

export const TOKEN_REFUSED_MESSAGE =
  'The library refused the access token: it is wrong or has been revoked. Enter a new one in Settings › Team library.'

/** What one call came to. */
export type LearnOutcome<T> =
  | { readonly kind: 'ok'; readonly value: T }
  /** No library address or token is set. */
  | { readonly kind: 'not-connected'; readonly message: string }
  /** 401/403: the token was refused. */
  | { readonly kind: 'auth'; readonly message: string }
  /** No answer (network, timeout). */
  | { readonly kind: 'unreachable'; readonly message: string }
  /** An answer that was not what the API answers (5xx, 404, a redirect, bad JSON). */
  | { readonly kind: 'failed'; readonly message: string }

/** `GET /api/me` as the app uses it: whose token it is, and what the library can do. */
export interface LibraryMe {
  /** The user's name (unique in the library): notification cursors are kept per account. */
  readonly name: string
  /** The features the library names (an older library names none). */
  readonly features: readonly string[]
}

export interface LearnClient {
  /** Who the token belongs to and the library's features (`/api/me`). */
  me(): Promise<LearnOutcome<LibraryMe>>
  /** The features `/api/me` names (an older library names none). */
  features(): Promise<LearnOutcome<readonly string[]>>
  /** Open requests, newest first, matching `q` when given. */
  openRequests(q?: string): Promise<LearnOutcome<RequestJson[]>>
  /** Notifications newer than `after` (all the library gives when absent). */
  notifications(after?: number): Promise<LearnOutcome<NotificationsJson>>
  /** The library's address the last call used (for URLs it answered with), or null. */
  credentials(): Promise<LibraryCredentials | null>
}

export interface LearnClientOptions {
  /** The library's address and token, or null when not set. */
  credentials(): Promise<LibraryCredentials | null>
  /** Default Node's (the app passes LibraryNet's). */
  readonly fetch?: LibraryFetch
  /** Default LEARN_REQUEST_TIMEOUT_MS. */
  readonly timeoutMs?: number
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const isText = (v: unknown): v is string => typeof v === 'string'

/** True when `url` is an http(s) address on the library's own origin. */
export function isLibraryPage(url: unknown, libraryUrl: string): url is string {
  if (typeof url !== 'string') return false
  try {
    const page = new URL(url)
    const library = new URL(libraryUrl)
    return (
      (page.protocol === 'http:' || page.protocol === 'https:') && page.origin === library.origin
    )
  } catch {
    return false
  }
}

/** One request as the API answers it, or null when it is not one (it is then left out). */
export function parseRequest(value: unknown): RequestJson | null {
  if (!isObject(value)) return null
  const { id, title, details, tags, askedBy, createdAt, state, wanted, answers, url } = value
  if (!isText(id) || !isText(title) || !isText(askedBy) || !isText(url)) return null
  if (state !== 'open' && state !== 'solved') return null
  const answerList = Array.isArray(answers) ? answers.filter(isObject) : []
  return {
    id,
    title,
    details: isText(details) ? details : '',
    tags: Array.isArray(tags) ? tags.filter(isText) : [],
    askedBy,
    createdAt: isText(createdAt) ? createdAt : '',
    state,
    wanted: typeof wanted === 'number' && Number.isSafeInteger(wanted) && wanted >= 0 ? wanted : 0,
    answers: answerList.map((a) => ({
      videoId: isText(a.videoId) ? a.videoId : '',
      title: isText(a.title) ? a.title : '',
      authorName: isText(a.authorName) ? a.authorName : '',
      url: isText(a.url) ? a.url : '',
      solved: a.solved === true
    })),
    url
  }
}

/** One notification as the API answers it, or null when it is not one. */
export function parseNotification(value: unknown): NotificationJson | null {
  if (!isObject(value)) return null
  const { id, kind, actorName, title, body, url, createdAt, read } = value
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null
  if (!isText(title) || !isText(url)) return null
  return {
    id,
    kind: (isText(kind) ? kind : 'comment') as NotificationJson['kind'],
    actorName: isText(actorName) ? actorName : '',
    title,
    body: isText(body) ? body : '',
    url,
    createdAt: isText(createdAt) ? createdAt : '',
    read: read === true
  }
}

export function createLearnClient(options: LearnClientOptions): LearnClient {
  const fetch = options.fetch ?? NODE_LIBRARY_NET.fetch
  const timeoutMs = options.timeoutMs ?? LEARN_REQUEST_TIMEOUT_MS

  async function getJson(path: string): Promise<LearnOutcome<unknown>> {
    const creds = await options.credentials().catch(() => null)
    if (!creds) return { kind: 'not-connected', message: NOT_CONNECTED_MESSAGE }
    const target = new URL(`${creds.url}${path}`)
    let status: number
    let text: string
    try {
      const response = await fetch(target, {
        headers: { Authorization: `Bearer ${creds.token}`, Accept: 'application/json' },
        // A redirect would drop the token on the way.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs)
      })
      status = response.status
      text = (await response.text()).slice(0, MAX_ANSWER_BYTES)
    } catch (error) {
      return { kind: 'unreachable', message: unreachableMessage(error, target, timeoutMs) }
    }
    const json = parseJson(text)
    if (status === 401 || status === 403) return { kind: 'auth', message: TOKEN_REFUSED_MESSAGE }
    if (status !== 200 || json === undefined) {
      const words = isObject(json) && isText(json.error) ? ` (${json.error.slice(0, 300)})` : ''
      return {
        kind: 'failed',
        message:
          status >= 500
            ? `The library at ${target.host} has a problem (HTTP ${status})${words}. Try again later.`
            : `The library at ${target.host} answered HTTP ${status}${words}.`
      }
    }
    return { kind: 'ok', value: json }
  }

  const badAnswer = (what: string): LearnOutcome<never> => ({
    kind: 'failed',
    message: `The library's answer about ${what} could not be read.`
  })

  async function me(): Promise<LearnOutcome<LibraryMe>> {
    const answer = await getJson('/api/me')
    if (answer.kind !== 'ok') return answer
    if (!isObject(answer.value) || !isText(answer.value.name)) return badAnswer('you')
    const features = answer.value.features
    return {
      kind: 'ok',
      value: {
        name: answer.value.name,
        // An older library answers without the field: it has none of them.
        features: Array.isArray(features) ? features.filter(isText) : []
      }
    }
  }

  return {
    credentials: () => options.credentials().catch(() => null),

    me,

    async features() {
      const answer = await me()
      return answer.kind === 'ok' ? { kind: 'ok', value: answer.value.features } : answer
    },

    async openRequests(q) {
      const params = new URLSearchParams({ state: 'open' })
      const words = q?.trim()
      if (words) params.set('q', words)
      const answer = await getJson(`/api/requests?${params.toString()}`)
      if (answer.kind !== 'ok') return answer
      const list = isObject(answer.value) ? answer.value.requests : answer.value
      if (!Array.isArray(list)) return badAnswer('requests')
      const requests = list
        .map(parseRequest)
        .filter((r): r is RequestJson => r !== null && r.state === 'open')
      // Newest first, whatever order the library used.
      requests.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
      return { kind: 'ok', value: requests }
    },

    async notifications(after) {
      const params = new URLSearchParams({ limit: String(NOTIFICATIONS_PAGE_SIZE) })
      if (after !== undefined) params.set('after', String(after))
      const answer = await getJson(`/api/notifications?${params.toString()}`)
      if (answer.kind !== 'ok') return answer
      if (!isObject(answer.value) || !Array.isArray(answer.value.notifications)) {
        return badAnswer('notifications')
      }
      const notifications = answer.value.notifications
        .map(parseNotification)
        .filter((n): n is NotificationJson => n !== null)
      const unread = answer.value.unread
      return {
        kind: 'ok',
        value: {
          notifications,
          unread: typeof unread === 'number' && Number.isSafeInteger(unread) ? unread : 0
        }
      }
    }
  }
}
