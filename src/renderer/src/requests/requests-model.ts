/**
 * The Requests view's words, pure: what a request's card says ("3 want this", "1 answer"), and
 * what the view says and offers when it has no list (not connected, an older library, an error).
 */
import type { AnswerTarget, RequestsList } from '../../../shared/ipc'
import type { RequestJson } from '../../../shared/learn'

/** "1 wants this" / "3 want this" (the asker counts). */
export function wantedWords(wanted: number): string {
  const n = Math.max(1, Math.floor(wanted))
  return n === 1 ? '1 wants this' : `${n} want this`
}

/** "No answers yet" / "1 answer" / "2 answers". */
export function answersWords(count: number): string {
  if (count <= 0) return 'No answers yet'
  return count === 1 ? '1 answer' : `${count} answers`
}

/** "asked by bob · 3 Dec" style line, with the date in the user's locale (or none when unknown). */
export function askedWords(request: Pick<RequestJson, 'askedBy' | 'createdAt'>): string {
  const at = Date.parse(request.createdAt)
  if (Number.isNaN(at)) return `Asked by ${request.askedBy}`
  const date = new Date(at).toLocaleDateString(undefined, { day: 'numeric', month: 'short' })
  return `Asked by ${request.askedBy} · ${date}`
}

/** Longest recording title main takes (MAX_TITLE_LENGTH in src/shared/project.ts, UTF-16 units). */
const MAX_TITLE_UNITS = 200

/**
 * What "Record an answer" starts: the request's id and its title as a recording title — one line,
 * trimmed, cut (never inside a character) to what main takes. The library counts a request title
 * in characters, main a recording title in UTF-16 units, so a title full of emoji may be cut.
 */
export function answerTarget(request: Pick<RequestJson, 'id' | 'title'>): AnswerTarget {
  // eslint-disable-next-line no-control-regex
  const oneLine = request.title.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  let title = ''
  for (const char of oneLine) {
    if (title.length + char.length > MAX_TITLE_UNITS) break
    title += char
  }
  return { requestId: request.id, title: title.trim() || 'Answer' }
}

/** What the view shows instead of a list, and the button that helps. */
export interface RequestsProblem {
  readonly message: string
  /** `settings`: open Settings › Team library; `retry`: ask again; none: nothing to do here. */
  readonly action: 'settings' | 'retry' | null
}

/** The view's problem for a list that is not `ok`; null for a list. */
export function requestsProblem(list: RequestsList): RequestsProblem | null {
  switch (list.state) {
    case 'ok':
      return null
    case 'not-connected':
      return {
        message: 'No team library is connected. Connect one in Settings to see its requests.',
        action: 'settings'
      }
    case 'unsupported':
      return { message: 'This library does not take requests yet.', action: null }
    case 'auth':
      return { message: list.message, action: 'settings' }
    case 'unreachable':
    case 'failed':
      return { message: list.message, action: 'retry' }
  }
}
