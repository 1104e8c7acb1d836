/**
 * Issue 18, item 11: the graceful stop is not skipped when the signal arrives twice (Ctrl-C and
 * systemd signal the whole process group; tsx and npm pass it on too). The server finishes its
 * stop and exits 0; a third, later signal forces an exit.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openLibraryDb } from '../../server/src/db/open'
import { createSignalHandler } from '../../server/src/stop-signals'
import { SERVER_DIR, auth, encodeMetadata, request, tempDir } from './support'
import { engineEnv, libraryTarget, onPostgres } from './engine'

describe('the signal policy', () => {
  function harness() {
    let clock = 0
    let finish!: () => void
    const events: string[] = []
    const handle = createSignalHandler({
      stop: () => {
        events.push('stop')
        return new Promise<void>((resolve) => (finish = resolve))
      },
      exit: (code) => events.push(`exit ${code}`),
      log: () => {},
      now: () => clock
    })
    return {
      events,
      at(ms: number, signal = 'SIGINT') {
        clock = ms
        handle(signal)
      },
      finish: () => finish()
    }
  }

  it('copies of one signal start one stop, which exits 0 when done', async () => {
    const h = harness()
    h.at(0)
    h.at(5)
    h.at(40, 'SIGTERM')
    expect(h.events).toEqual(['stop'])
    h.finish()
    await new Promise((resolve) => setImmediate(resolve))
    expect(h.events).toEqual(['stop', 'exit 0'])
  })

  it('a second press does not kill; a third forces exit 1', () => {
    const h = harness()
    h.at(0)
    h.at(1500)
    h.at(1510)
    expect(h.events).toEqual(['stop'])
    h.at(3000)
    expect(h.events).toEqual(['stop', 'exit 1'])
  })
})

describe('the server process', () => {
  it('SIGINT twice: the open upload keeps its bytes, the database closes, exit 0', async () => {
    const data = tempDir('stop')
    const db = await openLibraryDb(await libraryTarget(data))
    const user = await db.createUser('gina', 'gina-password', false)
    const token = (await db.createToken(user.id, 'test')).token
    await db.close()

    // The server itself, without a wrapper: exactly the signals sent here reach it.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', '--port', '0', '--host', '127.0.0.1', '--data', data],
      {
        cwd: SERVER_DIR,
        env: { ...process.env, ...(await engineEnv(data)), INIT_CWD: data },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code))
    )
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 60_000)
        child.stdout.on('data', () => {
          const m = /Sidecast library: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
          if (m) {
            clearTimeout(timer)
            resolve(m[1] as string)
          }
        })
        void exited.then(() => reject(new Error(`exited early: ${out}`)))
      })

      // An upload in flight: half its body sent, the request still open.
      const total = 200_000
      const created = await request(url, 'POST', '/api/uploads', {
        ...auth(token),
        'Upload-Length': total,
        'Upload-Metadata': encodeMetadata({ filename: 'stop.mp4' })
      })
      expect(created.status).toBe(201)
      const uploadPath = new URL(created.headers.location as string).pathname
      const uploadId = uploadPath.split('/').pop() as string
      const socket = net.connect({ host: '127.0.0.1', port: Number(new URL(url).port) })
      socket.on('error', () => {})
      await new Promise((resolve) => socket.once('connect', resolve))
      const headers = {
        ...auth(token),
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(total)
      }
      socket.write(
        `PATCH ${uploadPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
          Object.entries(headers)
            .map(([k, v]) => `${k}: ${v}\r\n`)
            .join('') +
          '\r\n'
      )
      socket.write(Buffer.alloc(50_000, 7))
      const stored = path.join(data, 'uploads', uploadId)
      const deadline = Date.now() + 20_000
      while ((fs.existsSync(stored) ? fs.statSync(stored).size : 0) < 50_000) {
        if (Date.now() > deadline) throw new Error('the server did not store the first half')
        await new Promise((resolve) => setTimeout(resolve, 50))
      }

      const started = Date.now()
      child.kill('SIGINT')
      child.kill('SIGINT')
      const code = await exited
      const took = Date.now() - started
      socket.destroy()
      expect(out).toMatch(/SIGINT: stopping/)
      expect(out).toMatch(/^Stopped\.$/m)
      expect(code).toBe(0)
      // The open request had its grace (two seconds), then the stop went on to the end.
      expect(took).toBeGreaterThanOrEqual(1500)
      expect(took).toBeLessThan(30_000)
      // The database was closed: SQLite removes the write-ahead log at a clean close. (On
      // PostgreSQL there is no file to look at; the exit 0 after "Stopped." is the check.)
      if (!onPostgres) {
        const wal = path.join(data, 'library.db-wal')
        expect(fs.existsSync(wal) ? fs.statSync(wal).size : 0).toBe(0)
      }
      expect(fs.statSync(stored).size).toBe(50_000)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
