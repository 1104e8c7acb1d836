/**
 * Uploads with nothing in them, and creation-with-upload bodies larger than allowed: refused
 * without running ffmpeg, and nothing of them is left behind.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordSteps, type StepLog } from './media-support'
import { auth, encodeMetadata, request, startServer, type TestServer } from './support'

let s: TestServer
let log: StepLog
const MAX = 64 * 1024

beforeAll(async () => {
  log = recordSteps()
  s = await startServer({ hooks: log.hooks, config: { maxUploadSize: MAX } })
})

afterAll(async () => {
  await s?.close()
})

function stored(): string[] {
  return fs.readdirSync(path.join(s.dataDir, 'uploads'))
}

async function rows(): Promise<number> {
  const db = s.app.library.db
  let n = 0
  for (const state of ['uploading', 'processing', 'done', 'failed'] as const) {
    n += (await db.listUploads(state)).length
  }
  return n
}

const meta = encodeMetadata({ filename: 'empty.mp4', title: 'Empty' })

describe('empty uploads', () => {
  it('Upload-Length: 0 is refused at creation with 400 and a reason; nothing is stored', async () => {
    const before = { files: stored(), rows: await rows() }
    const r = await request(s.url, 'POST', '/api/uploads', {
      ...auth(s.token),
      'Upload-Length': 0,
      'Upload-Metadata': meta
    })
    expect(r.status).toBe(400)
    expect(JSON.parse(r.text).error).toMatch(/empty/i)
    expect(r.headers.location).toBeUndefined()
    expect(stored()).toEqual(before.files)
    expect(await rows()).toBe(before.rows)
    expect(log.steps.size).toBe(0)
  })

  it('a deferred length declared as 0 is refused without running ffmpeg', async () => {
    const created = await request(s.url, 'POST', '/api/uploads', {
      ...auth(s.token),
      'Upload-Defer-Length': 1,
      'Upload-Metadata': meta
    })
    expect(created.status).toBe(201)
    const up = new URL(created.headers.location!).pathname
    const r = await request(
      s.url,
      'PATCH',
      up,
      {
        ...auth(s.token),
        'Upload-Offset': 0,
        'Upload-Length': 0,
        'Content-Type': 'application/offset+octet-stream'
      },
      Buffer.alloc(0)
    )
    expect(r.status).toBe(422)
    expect(JSON.parse(r.text).error).toMatch(/empty/i)
    expect(log.steps.size).toBe(0)
  })
})

describe('creation-with-upload bodies larger than allowed', () => {
  const cases: [string, Record<string, string | number>, number][] = [
    ['a body longer than its Upload-Length', { 'Upload-Length': 1000 }, 2000],
    ['a deferred length with a body over the maximum size', { 'Upload-Defer-Length': 1 }, MAX + 1]
  ]
  for (const [label, length, bodySize] of cases) {
    it(`${label}: 413, and its record and bytes are removed at once`, async () => {
      const before = { files: stored(), rows: await rows() }
      const r = await request(
        s.url,
        'POST',
        '/api/uploads',
        {
          ...auth(s.token),
          ...length,
          'Upload-Metadata': meta,
          'Content-Type': 'application/offset+octet-stream'
        },
        Buffer.alloc(bodySize, 1)
      )
      expect(r.status).toBe(413)
      expect(r.headers.location).toBeUndefined()
      expect(stored()).toEqual(before.files)
      expect(await rows()).toBe(before.rows)
    })
  }
})
