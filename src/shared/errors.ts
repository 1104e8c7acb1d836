/**
 * The one error type whose message is meant for the user. It lives alone so that every layer can
 * throw it without importing the IPC contract (edits.ts and timeline.ts used to, which made a
 * cycle through ipc.ts).
 */

/** An error whose message is meant for the user; `code` lets the UI react to specific cases. */
export class SidecastError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'SidecastError'
  }
}
