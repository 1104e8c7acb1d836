/**
 * Opens the library's database: the embedded SQLite file in the data directory (the default), or
 * PostgreSQL when a URL is configured (SIDECAST_LIBRARY_DATABASE_URL).
 */
import path from 'node:path'
import type { ServerConfig } from '../config'
import { openLibraryDb as openSqliteLibraryDb } from './library-db'
import type { DatabaseTarget, OpenOptions } from './sql/connection'
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

/** TRANSITIONAL: the synchronous SQLite implementation until sql/core-db.ts replaces it. */
export async function openLibraryDb(
  target: DatabaseTarget,
  options: OpenOptions = {}
): Promise<LibraryDb> {
  if ('url' in target) throw new Error('PostgreSQL is not wired yet')
  return openSqliteLibraryDb(target.file, options)
}
