/** A LIMIT or OFFSET: a whole number from 0 to `max` (NaN or undefined: `fallback`). */
export function pagingNumber(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || Number.isNaN(value)) return fallback
  return Math.min(Math.max(Math.trunc(value), 0), max)
}
