/** The learning-together tables (migration 7) as Kysely sees them; see tables.ts. */

// Filled in with learn-sql.ts.
export interface LearnTables {}
