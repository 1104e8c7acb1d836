// Minimal typings for the parts of better-sqlite3 the server uses (no @types package installed).
declare module 'better-sqlite3' {
  interface RunResult {
    changes: number
    lastInsertRowid: number | bigint
  }
  interface Statement<Row = unknown> {
    run(...params: unknown[]): RunResult
    get(...params: unknown[]): Row | undefined
    all(...params: unknown[]): Row[]
    iterate(...params: unknown[]): IterableIterator<Row>
    /** Whether it returns rows (a SELECT, or a write with RETURNING). */
    readonly reader: boolean
  }
  /** Calling it runs BEGIN (deferred); `.immediate` takes the write lock at BEGIN. */
  type Transaction<F> = F & { deferred: F; immediate: F; exclusive: F }
  interface Database {
    prepare<Row = unknown>(sql: string): Statement<Row>
    exec(sql: string): Database
    pragma(source: string, options?: { simple?: boolean }): unknown
    transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F>
    close(): Database
    /** Online backup to `destination` (a file path), page by page while others go on. */
    backup(destination: string): Promise<unknown>
    readonly open: boolean
    readonly inTransaction: boolean
  }
  interface DatabaseConstructor {
    new (filename: string, options?: { readonly?: boolean; fileMustExist?: boolean }): Database
  }
  const Database: DatabaseConstructor
  export default Database
  export type { Database, Statement, RunResult, Transaction }
}
