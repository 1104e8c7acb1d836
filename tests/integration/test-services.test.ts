/**
 * The PostgreSQL and Redis servers the server tests run on (tests/support/services.ts): they come
 * up on 127.0.0.1 with the settings the tests rely on, `stop()` leaves nothing behind, and a
 * missing program is named with the package that provides it, without leftovers.
 */
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { postgresBinaries, REDIS_DATABASES, startPostgres, startRedis } from '../support/services'

/** Sends one inline command to Redis and resolves with its first reply line. */
function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    let reply = ''
    socket.setTimeout(10_000, () => socket.destroy(new Error('Redis did not answer')))
    socket.on('error', reject)
    socket.on('connect', () => socket.write(`${command}\r\n`))
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString()
      if (reply.includes('\r\n')) {
        socket.destroy()
        resolve(reply.split('\r\n')[0] as string)
      }
    })
  })
}

/** One setting's value from Redis' CONFIG GET (an array: *2, $n, name, $n, value). */
function configGet(port: number, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    let reply = ''
    socket.setTimeout(10_000, () => socket.destroy(new Error('Redis did not answer')))
    socket.on('error', reject)
    socket.on('connect', () => socket.write(`CONFIG GET ${name}\r\n`))
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString()
      const lines = reply.split('\r\n')
      if (lines.length >= 6) {
        socket.destroy()
        if (lines[0] !== '*2' || lines[2] !== name)
          reject(new Error(`CONFIG GET ${name}: ${reply}`))
        else resolve(lines[4] as string)
      }
    })
  })
}

/** Resolves with the connection error, or null when something accepts on the port. */
function connectError(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.setTimeout(10_000, () => {
      socket.destroy()
      resolve('timeout')
    })
    socket.on('connect', () => {
      socket.destroy()
      resolve(null)
    })
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
}

/** The folders under the temp folder that a service made (sidecast-postgres-*, sidecast-redis-*). */
function serviceDirs(root: string): string[] {
  return fs.readdirSync(root).filter((name) => /^sidecast-(postgres|redis)-/.test(name))
}

describe('test services', () => {
  const savedEnv = { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR }
  const privateTmp: string[] = []
  /** A temp folder of this test's own, so the folders the services leave can be counted. */
  function useOwnTmp(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-services-test-'))
    privateTmp.push(dir)
    // As root, PostgreSQL's folder inside belongs to the postgres user, who must reach it.
    fs.chmodSync(dir, 0o755)
    process.env.TMPDIR = dir
    return dir
  }
  afterEach(() => {
    process.env.PATH = savedEnv.PATH
    if (savedEnv.TMPDIR === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = savedEnv.TMPDIR
    for (const dir of privateTmp.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('PostgreSQL: trust superuser on 127.0.0.1, fsync off, 300 connections; stop removes it', async () => {
    const tmp = useOwnTmp()
    const postgres = await startPostgres()
    try {
      expect(postgres.adminUrl).toBe(`postgres://postgres@127.0.0.1:${postgres.port}/postgres`)
      expect(serviceDirs(tmp)).toHaveLength(1)
      const client = new pg.Client({ connectionString: postgres.adminUrl })
      await client.connect()
      try {
        const settings = await client.query<{ name: string; setting: string }>(
          `SELECT name, setting FROM pg_settings
            WHERE name IN ('listen_addresses', 'fsync', 'max_connections', 'server_encoding')
            ORDER BY name`
        )
        expect(settings.rows).toEqual([
          { name: 'fsync', setting: 'off' },
          { name: 'listen_addresses', setting: '127.0.0.1' },
          { name: 'max_connections', setting: '300' },
          { name: 'server_encoding', setting: 'UTF8' }
        ])
        const superuser = await client.query<{ rolsuper: boolean }>(
          'SELECT rolsuper FROM pg_roles WHERE rolname = current_user'
        )
        expect(superuser.rows).toEqual([{ rolsuper: true }])
      } finally {
        await client.end()
      }
    } finally {
      await postgres.stop()
    }
    expect(serviceDirs(tmp)).toEqual([])
    expect(await connectError(postgres.port)).toBe('ECONNREFUSED')
  })

  it('Redis: answers on 127.0.0.1 without saving anything; stop removes it', async () => {
    const tmp = useOwnTmp()
    const redis = await startRedis()
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`)
      expect(await redisCommand(redis.port, 'PING')).toBe('+PONG')
      expect(await redisCommand(redis.port, 'SET h7-key value')).toBe('+OK')
      // No snapshots, no append-only file: nothing of the tests' data is written to disk.
      expect(await configGet(redis.port, 'save')).toBe('')
      expect(await configGet(redis.port, 'appendonly')).toBe('no')
      expect(await configGet(redis.port, 'bind')).toBe('127.0.0.1')
      expect(await configGet(redis.port, 'databases')).toBe(String(REDIS_DATABASES))
    } finally {
      await redis.stop()
    }
    expect(serviceDirs(tmp)).toEqual([])
    expect(await connectError(redis.port)).toBe('ECONNREFUSED')
  })

  it('a missing redis-server is named with its package, and its temp folder is removed', async () => {
    const tmp = useOwnTmp()
    process.env.PATH = tmp
    await expect(startRedis()).rejects.toThrow(/apt-get install redis-server/)
    expect(serviceDirs(tmp)).toEqual([])
  })

  it('missing PostgreSQL programs are named with their package', () => {
    const empty = useOwnTmp()
    expect(() => postgresBinaries(path.join(empty, 'postgresql'))).toThrow(
      /initdb.*apt-get install postgresql/
    )
    // A version folder without the server programs (only the client installed) is not enough.
    fs.mkdirSync(path.join(empty, 'postgresql', '15', 'bin'), { recursive: true })
    fs.writeFileSync(path.join(empty, 'postgresql', '15', 'bin', 'psql'), '')
    expect(() => postgresBinaries(path.join(empty, 'postgresql'))).toThrow(
      /apt-get install postgresql/
    )
  })
})
