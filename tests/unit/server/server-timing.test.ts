import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { timeResponse } from '../../../server/src/server-timing'

let server: http.Server | null = null

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = null
})

/** A server on 127.0.0.1 answering with `answer` after timeResponse; the Server-Timing it sends. */
async function timingOf(answer: (res: http.ServerResponse) => void): Promise<string | undefined> {
  server = http.createServer((_req, res) => {
    timeResponse(res)
    answer(res)
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const response = await fetch(`http://127.0.0.1:${port}/`)
  await response.arrayBuffer()
  return response.headers.get('server-timing') ?? undefined
}

const APP = /app;dur=\d+\.\d$/

describe('Server-Timing', () => {
  it('says how long the server took when headers go out implicitly (res.end)', async () => {
    const timing = await timingOf((res) => {
      res.setHeader('Content-Type', 'text/plain')
      res.end('hello')
    })
    expect(timing).toMatch(/^app;dur=\d+\.\d$/)
  })

  it('keeps a handler entry set with setHeader and adds app after it', async () => {
    const timing = await timingOf((res) => {
      res.setHeader('Server-Timing', 'db;dur=1.5')
      res.end()
    })
    expect(timing).toMatch(/^db;dur=1\.5, app;dur=\d+\.\d$/)
  })

  it('keeps an entry given in writeHead headers (any case), with or without a status message', async () => {
    expect(
      await timingOf((res) => {
        res.writeHead(200, { 'server-timing': 'process;dur=3' })
        res.end()
      })
    ).toMatch(/^process;dur=3, app;dur=\d+\.\d$/)
    await new Promise<void>((resolve) => server?.close(() => resolve()))
    expect(
      await timingOf((res) => {
        res.writeHead(201, 'Made', { 'Content-Type': 'text/plain' })
        res.end('x')
      })
    ).toMatch(APP)
  })
})
