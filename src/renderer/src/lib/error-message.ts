/** Any thrown value as words for the user: an Error's message, a string, or "Unknown error.". */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message
  if (typeof error === 'string' && error) return error
  return 'Unknown error.'
}
