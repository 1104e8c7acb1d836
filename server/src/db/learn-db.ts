/**
 * Learning together on the library's SQLite connection (learn-types.ts, migration 7).
 * SKELETON: the data helper replaces every method below with its implementation.
 */
import type { Database } from 'better-sqlite3'
import type { LearnDb } from './learn-types'

export interface LearnDbContext {
  /** A write transaction taking the lock at BEGIN (library-db.ts `immediate`). */
  immediate<T>(fn: () => T): T
  /** ISO time now. */
  now(): string
  /** A new random URL-safe id (16 characters). */
  newId(): string
  /** Full-text query of a search box's text, or null when it has no words (library-db.ts). */
  ftsQuery(q: string): string | null
}

const notYet = (): never => {
  throw new Error('learning together: not built yet')
}

export function createLearnDb(_db: Database, _ctx: LearnDbContext): LearnDb {
  return new Proxy({} as LearnDb, { get: () => notYet })
}
