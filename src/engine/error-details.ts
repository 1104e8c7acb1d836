/**
 * What an error from Node, fetch or tus-js-client says, for deciding what to do (its code) and for
 * telling the user (its message).
 */

/** The error's `code` (ENOENT, ECONNREFUSED, …), looked for along its causes too. */
export function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
    // fetch wraps the network error in `cause`; tus-js-client in `causingError`.
    e = (e as { causingError?: unknown }).causingError ?? (e as { cause?: unknown }).cause
  }
  return undefined
}

/** The error's message, or the thrown value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
