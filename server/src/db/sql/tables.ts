/**
 * The library's tables as Kysely sees them: one shape for both engines. Booleans are INTEGER 0/1
 * and times ISO-8601 TEXT on both, so rows read the same from either.
 *
 * CoreTables: owned by core-db.ts (users … renders, video_search). LearnTables: learn-tables.ts.
 */
import type { LearnTables } from './learn-tables'

// Filled in with core-db.ts.
export interface CoreTables {}

export interface Tables extends CoreTables, LearnTables {}
