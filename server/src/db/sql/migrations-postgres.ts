/**
 * The PostgreSQL schema, step for step the same as migrations-sqlite.ts (step N here is step N
 * there, translated), recorded in `sidecast_schema`. Translation rules: INTEGER 0/1 booleans and
 * TEXT ISO times as in SQLite; BIGINT for byte counts; identity columns for AUTOINCREMENT and for
 * the rowids SQLite orders by; case-insensitive names through a unique index on lower(name); the
 * FTS5 tables become tables of a `body tsvector` with a GIN index (search.ts).
 */
import { POSTGRES_LEARN_MIGRATION } from './migrations-postgres-learn'

export const POSTGRES_MIGRATIONS: readonly string[] = [
  // Steps 1–6: filled in with core-db.ts.
  POSTGRES_LEARN_MIGRATION
]
