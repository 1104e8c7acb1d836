/** The CLI on the server's entry: user and token commands, and starting/stopping the server. */
import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { engineEnv, libraryTarget, onPostgres } from './engine'
import { SERVER_DIR, ROOT, TSX, cli, tempDir } from './support'

const run = promisify(execFile)

describe('user and token commands', () => {
  // Fourteen runs of the command line: about 45 s alone on two cores, 115 s in a full run.
  it(
    'add, list, remove users; create and revoke tokens; relative --data is where npm ran',
    { timeout: 300_000 },
    async () => {
      const where = tempDir('cli')
      const data = ['--data', 'lib']

      let r = await cli(['user', 'add', 'carol', '--admin', ...data], where)
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/Added admin user carol/)
      const password = /Password: (\S+)/.exec(r.stdout)?.[1]
      expect(password && password.length).toBeGreaterThanOrEqual(12)
      // The folder is where npm ran (on PostgreSQL the records are in that folder's database).
      if (!onPostgres) expect(fs.existsSync(path.join(where, 'lib', 'library.db'))).toBe(true)

      r = await cli(['user', 'add', 'dave', '--password', 'dave-secret-1', ...data], where)
      expect(r.code).toBe(0)
      expect(r.stdout).not.toMatch(/Password:/)
      expect(
        (await cli(['user', 'add', 'dave', '--password', 'x-secret-22', ...data], where)).code
      ).toBe(1)
      expect((await cli(['user', 'add', '../evil', ...data], where)).code).toBe(1)
      expect((await cli(['user', 'add', 'eve', '--password', 'short', ...data], where)).code).toBe(
        1
      )

      r = await cli(['user', 'list', ...data], where)
      expect(r.stdout).toMatch(/^carol \(admin\)/m)
      expect(r.stdout).toMatch(/^dave /m)

      // The password works (checked against the database the CLI wrote).
      const { openLibraryDb } = await import('../../server/src/db/open')
      const db = await openLibraryDb(await libraryTarget(path.join(where, 'lib')))
      try {
        expect((await db.verifyPassword('carol', password as string))?.admin).toBe(true)
        expect((await db.verifyPassword('dave', 'dave-secret-1'))?.name).toBe('dave')
        expect(await db.verifyPassword('dave', 'wrong')).toBeNull()
      } finally {
        await db.close()
      }

      r = await cli(['token', 'create', 'dave', ...data], where)
      expect(r.code).toBe(0)
      const lines = r.stdout.trim().split('\n')
      const token = lines[lines.length - 1] as string
      expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/)
      expect((await cli(['token', 'create', 'nobody', ...data], where)).code).toBe(1)

      const db2 = await openLibraryDb(await libraryTarget(path.join(where, 'lib')))
      try {
        expect((await db2.userForToken(token))?.name).toBe('dave')
      } finally {
        await db2.close()
      }

      expect((await cli(['token', 'revoke', 'zzzzzzzz', ...data], where)).code).toBe(1)
      r = await cli(['token', 'revoke', token.slice(0, 8), ...data], where)
      expect(r.code).toBe(0)
      const db3 = await openLibraryDb(await libraryTarget(path.join(where, 'lib')))
      try {
        expect(await db3.userForToken(token)).toBeNull()
      } finally {
        await db3.close()
      }

      r = await cli(['user', 'remove', 'dave', ...data], where)
      expect(r.code).toBe(0)
      expect((await cli(['user', 'list', ...data], where)).stdout).not.toMatch(/dave/)
      expect((await cli(['user', 'remove', 'dave', ...data], where)).code).toBe(1)
      expect((await cli(['frobnicate', ...data], where)).code).toBe(1)
    }
  )

  it('through npm run server, as the README says', async () => {
    const data = tempDir('npm')
    const { stdout } = await run(
      'npm',
      ['run', 'server', '--silent', '--', 'user', 'add', 'frank', '--data', data],
      {
        cwd: ROOT,
        timeout: 60_000
      }
    )
    expect(stdout).toMatch(/Added user frank/)
    const t = await run(
      'npm',
      ['run', 'server', '--silent', '--', 'token', 'create', 'frank', '--data', data],
      {
        cwd: ROOT,
        timeout: 60_000
      }
    )
    expect(t.stdout.trim().split('\n').pop()).toMatch(/^[A-Za-z0-9_-]{40,}$/)
  })
})

describe('serving', () => {
  it('prints the URL, serves, and stops cleanly on SIGTERM', async () => {
    const where = tempDir('serve')
    await cli(['user', 'add', 'gina', '--password', 'gina-secret', '--data', where], where)
    const created = await cli(['token', 'create', 'gina', '--data', where], where)
    const token = created.stdout.trim().split('\n').pop() as string

    const child = spawn(
      TSX,
      ['src/main.ts', '--port', '0', '--host', '127.0.0.1', '--data', where],
      {
        cwd: SERVER_DIR,
        env: { ...process.env, ...(await engineEnv(where)), INIT_CWD: where },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    try {
      let out = ''
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 30_000)
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString()
          const m = /Sidecast library: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
          if (m) {
            clearTimeout(timer)
            resolve(m[1] as string)
          }
        })
        child.on('exit', () => reject(new Error(`exited early: ${out}`)))
      })
      const me = await fetch(`${url}/api/me`, { headers: { Authorization: `Bearer ${token}` } })
      expect(await me.json()).toEqual({
        name: 'gina',
        admin: false,
        features: ['edits', 'camera', 'learn']
      })

      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => resolve(code))
      )
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      await expect(fetch(`${url}/api/me`)).rejects.toThrow()
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  it('refuses bad options with a message', async () => {
    const r = await cli(['--port', 'eighty', '--data', tempDir('bad')], tempDir('bad'))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/--port/)
  })
})
