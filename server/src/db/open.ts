/**
 * Opens the library's database: the embedded SQLite file in the data directory (the default), or
 * PostgreSQL when a URL is configured (SIDECAST_LIBRARY_DATABASE_URL). One implementation serves
 * both (sql/core-db.ts and sql/learn-sql.ts, written with Kysely).
 */
import path from 'node:path'
import type { ServerConfig } from '../config'
import { openSql, type DatabaseTarget, type OpenOptions } from './sql/connection'
import { createLibraryDb } from './sql/core-db'
import type { LibraryDb } from './types'

export type { DatabaseTarget, OpenOptions }

/** Where the configured library keeps its records. */
export function databaseTarget(
  config: Pick<ServerConfig, 'dataDir' | 'databaseUrl'>
): DatabaseTarget {
  return config.databaseUrl
    ? { url: config.databaseUrl }
    : { file: path.join(config.dataDir, 'library.db') }
}

/** Opens (and migrates) the library's database. */
export async function openLibraryDb(
  target: DatabaseTarget,
  options: OpenOptions = {}
): Promise<LibraryDb> {
  const sqlDb = await openSql(target, options)
  try {
    return await createLibraryDb(sqlDb)
  } catch (error) {
    await sqlDb.close()
    throw error
  }
}
