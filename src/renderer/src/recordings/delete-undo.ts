/**
 * What happens around a delete in the recordings list, as pure rules: where focus goes once a
 * card is gone, and what the undo toast says.
 */

/**
 * The card to focus after `deletedId` leaves the list `ids` (in the order shown): the next one,
 * else the previous one, else null (the list is empty: focus goes to "Start recording").
 */
export function focusAfterDelete(ids: readonly string[], deletedId: string): string | null {
  const at = ids.indexOf(deletedId)
  if (at === -1) return ids[0] ?? null
  return ids[at + 1] ?? ids[at - 1] ?? null
}

/** The undo toast's words. */
export function deletedMessage(title: string): string {
  return `Recording deleted: “${title}”.`
}

/** What the delete dialog says about the library copy (nothing when it was never uploaded). */
export function libraryCopyNote(shareUrl: string | null): string | null {
  return shareUrl
    ? 'The copy in the team library stays; delete it there if you want it gone.'
    : null
}
