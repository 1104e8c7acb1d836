/** Project ids: the start time (so folders sort by age) plus a random suffix (so they never collide). */
import { randomBytes } from 'node:crypto'

/** e.g. `20261129-142233-ab12`, in local time like the default title the user sees. */
export function newProjectId(
  date: Date,
  random: () => string = () => randomBytes(2).toString('hex')
): string {
  const p = (n: number): string => String(n).padStart(2, '0')
  const day = `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}`
  const time = `${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`
  return `${day}-${time}-${random()}`
}
