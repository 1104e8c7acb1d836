/** A new annotation id: random, so ids stay unique across copies, pastes and other tools. */
export function newAnnotationId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID()
  }
  return `a${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`
}
