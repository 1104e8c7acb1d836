/**
 * The library's HttpStack and fetch over a net.request-like function (http-stack.ts), driven by a
 * scripted ClientRequest that the test answers event by event like Electron's does: what is sent,
 * upload progress read from getUploadProgress, redirects answered as themselves, abort, errors,
 * and the fetch's time limit. The same code against the real library server over node:http is in
 * tests/integration/library-net-stack.test.ts.
 */
import { EventEmitter } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createReadStream } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createNetFetch,
  createNetHttpStack,
  MAX_FETCH_BODY_BYTES,
  RequestAbortedError,
  type NetRequest,
  type NetRequestOptions,
  type NetUploadProgress
} from '../../../../src/main/share/http-stack'

class FakeResponse extends EventEmitter {
  constructor(
    readonly statusCode: number,
    readonly headers: Record<string, string | string[]>
  ) {
    super()
  }
}

class FakeRequest extends EventEmitter {
  readonly written: Buffer[] = []
  ended = false
  aborted = false
  progress: NetUploadProgress = { active: false, started: false, current: 0, total: 0 }
  progressReads = 0

  constructor(readonly options: NetRequestOptions) {
    super()
  }

  write(chunk: Buffer): void {
    this.written.push(chunk)
  }

  end(): this {
    this.ended = true
    return this
  }

  abort(): void {
    this.aborted = true
  }

  getUploadProgress(): NetUploadProgress {
    this.progressReads++
    return this.progress
  }

  /** Answers with a status, headers and a body, in two data events. */
  respond(status: number, headers: Record<string, string | string[]> = {}, body = ''): void {
    const response = new FakeResponse(status, headers)
    this.emit('response', response)
    const bytes = Buffer.from(body)
    response.emit('data', bytes.subarray(0, 3))
    response.emit('data', bytes.subarray(3))
    response.emit('end')
  }
}

let made: FakeRequest[] = []
let taken = 0
const request: NetRequest = (options) => {
  const req = new FakeRequest(options)
  made.push(req)
  return req
}

/** The next request made (each is returned once), once it has been sent (end() called). */
async function sentRequest(): Promise<FakeRequest> {
  const req = await vi.waitFor(() => {
    const next = made[taken]
    expect(next?.ended).toBe(true)
    return next!
  })
  taken++
  return req
}

let dir: string

beforeEach(async () => {
  made = []
  taken = 0
  dir = await mkdtemp(join(tmpdir(), 'sidecast-http-stack-'))
})

afterEach(async () => {
  vi.useRealTimers()
  await rm(dir, { recursive: true, force: true })
})

describe('the HttpStack over net.request', () => {
  it('sends the method, URL and headers, never following a redirect', async () => {
    const stack = createNetHttpStack(request)
    const req = stack.createRequest('POST', 'https://library.example.com/api/uploads')
    req.setHeader('Tus-Resumable', '1.0.0')
    req.setHeader('Authorization', 'Bearer one')
    req.setHeader('authorization', 'Bearer two')
    expect(req.getHeader('AUTHORIZATION')).toBe('Bearer two')
    expect(req.getMethod()).toBe('POST')
    expect(req.getURL()).toBe('https://library.example.com/api/uploads')

    const sending = req.send(null)
    const fake = await sentRequest()
    expect(fake.options).toEqual({
      method: 'POST',
      url: 'https://library.example.com/api/uploads',
      headers: { 'Tus-Resumable': '1.0.0', authorization: 'Bearer two' },
      redirect: 'manual'
    })
    expect(fake.written).toEqual([])
    expect(req.getUnderlyingObject()).toBe(fake)

    fake.respond(201, { location: '/api/uploads/abc', 'tus-resumable': '1.0.0' }, '{"ok":true}')
    const res = await sending
    expect(res.getStatus()).toBe(201)
    expect(res.getHeader('Location')).toBe('/api/uploads/abc')
    expect(res.getHeader('Upload-Offset')).toBeUndefined()
    expect(res.getBody()).toBe('{"ok":true}')
  })

  it('sends what the file reader yields (a read stream of one chunk) whole, and a Buffer as is', async () => {
    const file = join(dir, 'video.bin')
    const bytes = Buffer.alloc(300_000, 7)
    bytes.write('start', 0)
    bytes.write('end', bytes.length - 3)
    await writeFile(file, bytes)
    const stack = createNetHttpStack(request)

    const patch = stack.createRequest('PATCH', 'http://library/api/uploads/a')
    const stream = Object.assign(createReadStream(file, { start: 1000, end: 250_999 }), {
      size: 250_000
    })
    const sending = patch.send(stream)
    const fake = await sentRequest()
    expect(Buffer.concat(fake.written).equals(bytes.subarray(1000, 251_000))).toBe(true)
    fake.respond(204, { 'upload-offset': '251000' })
    expect((await sending).getHeader('upload-offset')).toBe('251000')

    const other = stack.createRequest('PATCH', 'http://library/api/uploads/a')
    const sendingBuffer = other.send(Buffer.from('hello'))
    const second = await sentRequest()
    expect(Buffer.concat(second.written).toString()).toBe('hello')
    second.respond(204)
    await sendingBuffer
  })

  it('fails with the file’s error when the chunk cannot be read', async () => {
    const stack = createNetHttpStack(request)
    const req = stack.createRequest('PATCH', 'http://library/api/uploads/a')
    const missing = createReadStream(join(dir, 'gone.bin'))
    await expect(req.send(missing)).rejects.toMatchObject({ code: 'ENOENT' })
    expect(made).toEqual([])
  })

  it('reports upload progress read from the request while the body goes out, only forwards', async () => {
    const stack = createNetHttpStack(request, { progressPollMs: 5 })
    const req = stack.createRequest('PATCH', 'http://library/api/uploads/a')
    const seen: number[] = []
    req.setProgressHandler((sent) => seen.push(sent))
    const sending = req.send(Buffer.alloc(1000))
    const fake = await sentRequest()

    const step = async (current: number): Promise<void> => {
      const reads = fake.progressReads
      fake.progress = { active: true, started: true, current, total: 1000 }
      // Two more reads: the poll has surely seen this value.
      await vi.waitFor(() => expect(fake.progressReads).toBeGreaterThan(reads + 1))
    }
    await step(0)
    await step(300)
    await step(300)
    await step(200) // never backwards
    await step(800)
    expect(seen).toEqual([300, 800])

    fake.progress = { active: true, started: true, current: 1000, total: 1000 }
    fake.respond(204, { 'upload-offset': '1000' })
    await sending
    // The answer reads the last value; then polling stops.
    expect(seen).toEqual([300, 800, 1000])
    const reads = fake.progressReads
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(fake.progressReads).toBe(reads)
  })

  it('answers a redirect as itself, with its Location, and ignores the cancellation after it', async () => {
    const stack = createNetHttpStack(request)
    const req = stack.createRequest('HEAD', 'http://library/api/uploads/a')
    const sending = req.send(null)
    const fake = await sentRequest()
    fake.emit('redirect', 307, 'HEAD', 'http://elsewhere.example/api/uploads/a', {
      location: ['http://elsewhere.example/api/uploads/a'],
      'retry-after': ['5']
    })
    // What Chromium does next when followRedirect() was not called.
    fake.emit('error', new Error('Redirect was cancelled'))
    const res = await sending
    expect(res.getStatus()).toBe(307)
    expect(res.getHeader('Location')).toBe('http://elsewhere.example/api/uploads/a')
    expect(res.getHeader('Retry-After')).toBe('5')
    expect(res.getBody()).toBe('')
  })

  it('takes the Location from the redirect when the headers lack it', async () => {
    const req = createNetHttpStack(request).createRequest('GET', 'http://library/x')
    const sending = req.send(null)
    const fake = await sentRequest()
    fake.emit('redirect', 301, 'GET', 'http://library/y', {})
    expect((await sending).getHeader('location')).toBe('http://library/y')
  })

  it('rejects with Chromium’s error when the request fails', async () => {
    const req = createNetHttpStack(request).createRequest('POST', 'http://library/api/uploads')
    const sending = req.send(null)
    const fake = await sentRequest()
    fake.emit('error', new Error('net::ERR_CONNECTION_REFUSED'))
    await expect(sending).rejects.toThrow('net::ERR_CONNECTION_REFUSED')
  })

  it('rejects when the answer breaks off', async () => {
    const req = createNetHttpStack(request).createRequest('HEAD', 'http://library/api/uploads/a')
    const sending = req.send(null)
    const fake = await sentRequest()
    const response = new FakeResponse(200, {})
    fake.emit('response', response)
    response.emit('error', new Error('net::ERR_CONNECTION_RESET'))
    await expect(sending).rejects.toThrow('net::ERR_CONNECTION_RESET')
  })

  it('abort ends the request and rejects its send (Chromium emits no error of its own)', async () => {
    const req = createNetHttpStack(request).createRequest('PATCH', 'http://library/api/uploads/a')
    const sending = req.send(Buffer.alloc(10))
    const fake = await sentRequest()
    await req.abort()
    expect(fake.aborted).toBe(true)
    await expect(sending).rejects.toBeInstanceOf(RequestAbortedError)
  })

  it('abort before the body is read sends nothing', async () => {
    const file = join(dir, 'big.bin')
    await writeFile(file, Buffer.alloc(1_000_000))
    const req = createNetHttpStack(request).createRequest('PATCH', 'http://library/api/uploads/a')
    const stream = createReadStream(file, { highWaterMark: 1024 })
    const sending = req.send(stream)
    await req.abort()
    await expect(sending).rejects.toBeInstanceOf(RequestAbortedError)
    expect(made).toEqual([])
    expect(stream.destroyed).toBe(true)
  })

  it('rejects when net.request refuses the options', async () => {
    const throwing: NetRequest = () => {
      throw new Error("Invalid value for header 'Authorization'")
    }
    const req = createNetHttpStack(throwing).createRequest('HEAD', 'http://library/x')
    await expect(req.send(null)).rejects.toThrow(/Invalid value for header/)
  })
})

describe('fetch over net.request', () => {
  it('answers with status, headers and body, sending the headers and never following', async () => {
    const fetch = createNetFetch(request)
    const answer = fetch(new URL('https://library.example.com/api/me'), {
      headers: { Authorization: 'Bearer t', Accept: 'application/json' },
      redirect: 'manual'
    })
    const fake = await sentRequest()
    expect(fake.options).toEqual({
      method: 'GET',
      url: 'https://library.example.com/api/me',
      headers: { Authorization: 'Bearer t', Accept: 'application/json' },
      redirect: 'manual'
    })
    fake.respond(
      200,
      { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] },
      '{"name":"alice","admin":false}'
    )
    const response = await answer
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.json()).toEqual({ name: 'alice', admin: false })
  })

  it('answers a redirect as a 3xx with its Location', async () => {
    const answer = createNetFetch(request)('https://library.example.com/api/me', {
      redirect: 'manual'
    })
    const fake = await sentRequest()
    fake.emit('redirect', 302, 'GET', 'https://sso.example.com/login', {
      location: ['https://sso.example.com/login']
    })
    fake.emit('error', new Error('Redirect was cancelled'))
    const response = await answer
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('https://sso.example.com/login')
  })

  it('gives a status without a body (204, 304) an empty body', async () => {
    const answer = createNetFetch(request)('https://library/x', { redirect: 'manual' })
    ;(await sentRequest()).respond(204, {}, '')
    const response = await answer
    expect(response.status).toBe(204)
    expect(await response.text()).toBe('')
  })

  it('rejects with the signal’s reason and ends the request when the time is up', async () => {
    const answer = createNetFetch(request)('https://library/api/me', {
      redirect: 'manual',
      signal: AbortSignal.timeout(20)
    })
    const fake = await sentRequest()
    await expect(answer).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(fake.aborted).toBe(true)
  })

  it('times out a body that never ends, too', async () => {
    const answer = createNetFetch(request)('https://library/api/me', {
      redirect: 'manual',
      signal: AbortSignal.timeout(50)
    })
    const fake = await sentRequest()
    const response = new FakeResponse(200, {})
    fake.emit('response', response)
    response.emit('data', Buffer.from('{"na'))
    await expect(answer).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(fake.aborted).toBe(true)
  })

  it('does not start when the signal is already aborted', async () => {
    const controller = new AbortController()
    controller.abort(new Error('stopped'))
    await expect(
      createNetFetch(request)('https://library/x', {
        redirect: 'manual',
        signal: controller.signal
      })
    ).rejects.toThrow('stopped')
    expect(made).toEqual([])
  })

  it('keeps at most the first MiB of an answer and stops reading', async () => {
    const answer = createNetFetch(request)('https://library/x', { redirect: 'manual' })
    const fake = await sentRequest()
    const response = new FakeResponse(200, {})
    fake.emit('response', response)
    const piece = Buffer.alloc(400 * 1024, 'a')
    for (let i = 0; i < 4; i++) response.emit('data', piece)
    const body = await (await answer).text()
    expect(body.length).toBe(MAX_FETCH_BODY_BYTES)
    expect(fake.aborted).toBe(true)
  })

  it('rejects with Chromium’s error', async () => {
    const answer = createNetFetch(request)('https://library/x', { redirect: 'manual' })
    ;(await sentRequest()).emit('error', new Error('net::ERR_NAME_NOT_RESOLVED'))
    await expect(answer).rejects.toThrow('net::ERR_NAME_NOT_RESOLVED')
  })
})
