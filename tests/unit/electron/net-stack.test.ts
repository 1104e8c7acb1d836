/**
 * The app's library network (electron/net-stack.ts) against a mocked Electron `net`: every
 * request, tus and JSON alike, goes to `net.request` (Chromium's stack: system proxies, the OS
 * certificate store) with redirects left to us. And, at compile time, Electron's real types
 * satisfy the interfaces http-stack.ts is written (and tested on node:http) against.
 */
import { EventEmitter } from 'node:events'
import type { ClientRequest, ClientRequestConstructorOptions, IncomingMessage } from 'electron'
import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import type {
  NetClientRequest,
  NetIncomingMessage,
  NetRequest,
  NetRequestOptions
} from '../../../src/main/share/http-stack'

const electron = vi.hoisted(() => ({
  requests: [] as {
    options: unknown
    written: Buffer[]
    ended: boolean
    emit: (name: string, ...args: unknown[]) => boolean
  }[]
}))

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events')
  class FakeClientRequest extends Emitter {
    written: Buffer[] = []
    ended = false
    constructor(readonly options: unknown) {
      super()
      electron.requests.push(this)
    }
    write(chunk: Buffer) {
      this.written.push(chunk)
    }
    end() {
      this.ended = true
      return this
    }
    abort() {}
    getUploadProgress() {
      return { active: false, started: false, current: 0, total: 0 }
    }
  }
  return { net: { request: (options: unknown) => new FakeClientRequest(options) } }
})

const { electronLibraryNet, electronNetRequest } =
  await import('../../../src/main/electron/net-stack')

/** The request made last, once sent. */
async function lastRequest() {
  return vi.waitFor(() => {
    const req = electron.requests[electron.requests.length - 1]
    expect(req?.ended).toBe(true)
    return req!
  })
}

/** Answers like Electron's IncomingMessage. */
function answer(
  req: { emit: (name: string, ...args: unknown[]) => boolean },
  status: number,
  headers: Record<string, string>,
  body: string
): void {
  const response = Object.assign(new EventEmitter(), { statusCode: status, headers })
  req.emit('response', response)
  response.emit('data', Buffer.from(body))
  response.emit('end')
}

describe('the app’s library network', () => {
  it('sends tus requests through net.request, with the body and without following redirects', async () => {
    electron.requests.length = 0
    const { httpStack } = electronLibraryNet()
    const req = httpStack.createRequest('PATCH', 'https://library.example.com/api/uploads/a')
    req.setHeader('Authorization', 'Bearer t')
    req.setHeader('Upload-Offset', '0')
    const sending = req.send(Buffer.from('bytes'))
    const sent = await lastRequest()
    expect(sent.options).toEqual({
      method: 'PATCH',
      url: 'https://library.example.com/api/uploads/a',
      headers: { Authorization: 'Bearer t', 'Upload-Offset': '0' },
      redirect: 'manual'
    })
    expect(Buffer.concat(sent.written).toString()).toBe('bytes')
    answer(sent, 204, { 'upload-offset': '5' }, '')
    expect((await sending).getHeader('Upload-Offset')).toBe('5')
  })

  it('sends the JSON API through net.request too', async () => {
    electron.requests.length = 0
    const { fetch } = electronLibraryNet()
    const response = fetch('https://library.example.com/api/me', {
      headers: { Authorization: 'Bearer t' },
      redirect: 'manual'
    })
    const sent = await lastRequest()
    expect(sent.options).toEqual({
      method: 'GET',
      url: 'https://library.example.com/api/me',
      headers: { Authorization: 'Bearer t' },
      redirect: 'manual'
    })
    answer(sent, 200, { 'content-type': 'application/json' }, '{"name":"alice","admin":false}')
    expect(await (await response).json()).toEqual({ name: 'alice', admin: false })
  })

  it('is typed by Electron’s own definitions', () => {
    // What the stack is written against is what Electron's net.request really takes and returns;
    // `npm run typecheck` fails here if either side changes.
    expectTypeOf<NetRequestOptions>().toExtend<ClientRequestConstructorOptions>()
    expectTypeOf<ClientRequest>().toExtend<NetClientRequest>()
    expectTypeOf<IncomingMessage>().toExtend<NetIncomingMessage>()
    expectTypeOf(electronNetRequest).toEqualTypeOf<NetRequest>()
  })
})
