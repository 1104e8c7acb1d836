/**
 * What the library answers when something outside the request fails: a busy SQLite database and
 * an unreachable PostgreSQL or Redis are 503 with Retry-After, a full disk 507, anything else null
 * (a 500).
 */
import { describe, expect, it } from 'vitest'
import { isUnreachable, unavailable } from '../../../server/src/unavailable'

const withCode = (code: string, message = 'boom'): Error =>
  Object.assign(new Error(message), { code })

describe('unavailable', () => {
  it('a busy SQLite database is 503 with Retry-After', () => {
    const answer = unavailable(withCode('SQLITE_BUSY'))
    expect(answer?.status).toBe(503)
    expect(answer?.headers['Retry-After']).toMatch(/^\d+$/)
  })

  it.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a reset connection', withCode('ECONNRESET')],
    ['PostgreSQL connection failure (08006)', withCode('08006')],
    ['PostgreSQL shutting down (57P01)', withCode('57P01')],
    ['PostgreSQL starting up (57P03)', withCode('57P03')],
    ['PostgreSQL out of connections (53300)', withCode('53300')],
    ['pg: the connection dropped', new Error('Connection terminated unexpectedly')],
    ['pg: no pool connection in time', new Error('timeout exceeded when trying to connect')],
    ['ioredis: a command timed out', new Error('Command timed out')],
    ['ioredis: connection closed', new Error('Connection is closed.')]
  ])('%s is 503 naming the database, with Retry-After', (_what, error) => {
    expect(isUnreachable(error)).toBe(true)
    const answer = unavailable(error)
    expect(answer?.status).toBe(503)
    expect(answer?.message).toMatch(/cannot reach its database/)
    expect(answer?.headers['Retry-After']).toMatch(/^\d+$/)
  })

  it('a full disk is 507', () => {
    expect(unavailable(withCode('SQLITE_FULL'))?.status).toBe(507)
  })

  it.each([
    ['a unique violation (23505)', withCode('23505')],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error at all', 'text']
  ])('%s is not one of these (a 500)', (_what, error) => {
    expect(isUnreachable(error)).toBe(false)
    expect(unavailable(error)).toBeNull()
  })
})
