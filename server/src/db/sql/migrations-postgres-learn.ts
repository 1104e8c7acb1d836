/** Step 7 of migrations-postgres.ts: learning together (migration 7 of migrations-sqlite.ts). */
export const POSTGRES_LEARN_MIGRATION = `
  -- filled in with learn-sql.ts
  SELECT 1;
`
