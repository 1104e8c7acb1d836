/**
 * Issue 18, paging values: `limit` and `offset` that are not whole numbers (1.5, 1e20, Infinity…)
 * are refused with 400 and the reason; they never reach SQLite (which answered 500).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request, startServer, type TestServer } from './support'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
})
afterAll(() => s?.close())

const get = (query: string): ReturnType<typeof request> =>
  request(s.url, 'GET', `/api/videos?${query}`, { Authorization: `Bearer ${s.token}` })

describe('GET /api/videos paging', () => {
  it.each([
    'offset=1.5',
    'offset=1e20',
    'offset=Infinity',
    'offset=-1',
    'offset=abc',
    'offset=0x10',
    'offset=9007199254740993',
    'limit=1.5',
    'limit=1e20',
    'limit=Infinity',
    'limit=-Infinity',
    'limit=0',
    'limit=-5',
    'limit=NaN',
    'offset=%2B1',
    'offset=1%20'
  ])('%s → 400 with a reason', async (query) => {
    const res = await get(query)
    expect(res.status).toBe(400)
    const body = JSON.parse(res.text) as { error: string }
    expect(body.error).toMatch(/^(limit|offset) must be a whole number/)
  })

  it.each([
    ['limit=1&offset=0', 1],
    ['limit=200', 200],
    ['limit=100000', 200],
    ['offset=100000000', 200],
    ['limit=&offset=', 200]
  ])('%s → 200', async (query) => {
    const res = await get(query)
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toMatchObject({ videos: [], total: 0 })
  })

  it('the database itself never fails on odd numbers', async () => {
    const db = s.app.library.db
    for (const n of [1.5, 1e20, Infinity, -Infinity, Number.NaN, -3]) {
      await expect(db.searchVideos('', { limit: n, offset: n })).resolves.toEqual(expect.any(Array))
      await expect(db.searchVideos('word', { limit: n, offset: n })).resolves.toEqual(
        expect.any(Array)
      )
    }
  })
})

describe('the library page', () => {
  it.each(['page=1.5', 'page=1e20', 'page=Infinity', 'page=9007199254740991', 'page=-1'])(
    '%s answers, never 500',
    async (query) => {
      const session = await s.app.library.db.createSession(s.user.id)
      const res = await request(s.url, 'GET', `/?${query}`, {
        Cookie: `sidecast_session=${session.id}`
      })
      expect(res.status).toBe(200)
    }
  )
})
