import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'

const electron = vi.hoisted(() => ({ handle: vi.fn() }))
vi.mock('electron', () => ({ protocol: { handle: electron.handle } }))

import { handleMediaProtocol } from '../../../src/main/electron/media-protocol'
import { mediaUrl, parseMediaUrl } from '../../../src/main/electron/media-url'
import { createMediaResponder, mediaContentType } from '../../../src/main/projects/media-response'
import { isPlainFileName } from '../../../src/shared/project'

let root: string
const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256))

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sidecast-media-'))
  await mkdir(join(root, 'Rec 1'))
  await writeFile(join(root, 'Rec 1', 'recording.webm'), bytes)
  await writeFile(join(root, 'Rec 1', 'thumbnail.jpg'), Buffer.from('jpeg'))
  await writeFile(join(root, 'secret.txt'), 'not a project file')
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

function serve(): (request: Request) => Promise<Response> {
  electron.handle.mockClear()
  handleMediaProtocol({ projectDir: (id) => join(root, id), rendererOrigin: 'app://sidecast' })
  expect(electron.handle).toHaveBeenCalledTimes(1)
  const [scheme, handler] = electron.handle.mock.calls[0] as [
    string,
    (r: Request) => Promise<Response>
  ]
  expect(scheme).toBe('sidecast-media')
  return handler
}

describe('media protocol', () => {
  beforeEach(() => vi.clearAllMocks())

  it('answers a Range request with 206, Content-Range and exactly those bytes', async () => {
    const handler = serve()
    const response = await handler(
      new Request(mediaUrl('Rec 1', 'recording.webm'), { headers: { range: 'bytes=100-199' } })
    )
    expect(response.status).toBe(206)
    expect(response.headers.get('content-range')).toBe('bytes 100-199/1000')
    expect(response.headers.get('content-length')).toBe('100')
    expect(response.headers.get('content-type')).toBe('video/webm')
    expect(response.headers.get('accept-ranges')).toBe('bytes')
    // The editor's waveform reads the bytes with fetch from the app's page, and only it may.
    expect(response.headers.get('access-control-allow-origin')).toBe('app://sidecast')
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes.subarray(100, 200))
  })

  it('answers an open-ended range up to the end of the file', async () => {
    const response = await serve()(
      new Request(mediaUrl('Rec 1', 'recording.webm'), { headers: { range: 'bytes=990-' } })
    )
    expect(response.status).toBe(206)
    expect(response.headers.get('content-range')).toBe('bytes 990-999/1000')
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes.subarray(990))
  })

  it('answers without Range with 200 and the whole file', async () => {
    const response = await serve()(new Request(mediaUrl('Rec 1', 'recording.webm')))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe('1000')
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes)
  })

  it('answers 416 with the size when the range starts past the end', async () => {
    const response = await serve()(
      new Request(mediaUrl('Rec 1', 'recording.webm'), { headers: { range: 'bytes=5000-' } })
    )
    expect(response.status).toBe(416)
    expect(response.headers.get('content-range')).toBe('bytes */1000')
  })

  it('serves thumbnails as JPEG and HEAD without a body', async () => {
    const handler = serve()
    const get = await handler(new Request(mediaUrl('Rec 1', 'thumbnail.jpg')))
    expect(get.headers.get('content-type')).toBe('image/jpeg')
    expect(await get.text()).toBe('jpeg')
    const head = await handler(new Request(mediaUrl('Rec 1', 'recording.webm'), { method: 'HEAD' }))
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe('1000')
    expect(head.body).toBeNull()
  })

  it.each([
    ['sidecast-media://project/Rec%201/missing.webm', 404],
    ['sidecast-media://project/..%2Fsecret.txt/x', 400],
    ['sidecast-media://project/Rec%201/..%2F..%2Fsecret.txt', 400],
    ['sidecast-media://project/Rec%201/.hidden', 400],
    ['sidecast-media://project/Rec%201', 400],
    ['sidecast-media://other/Rec%201/recording.webm', 400],
    ['sidecast-media://project/Rec%201/sub/recording.webm', 400]
  ])('%s → %d', async (url, status) => {
    const response = await serve()(new Request(url))
    expect(response.status).toBe(status)
  })

  it('names no other origin when the page shares the files’ origin (the e2e harness)', async () => {
    const sameOrigin = createMediaResponder({
      projectDir: (id) => join(root, id),
      parseUrl: parseMediaUrl
    })
    const response = await sameOrigin(new Request(mediaUrl('Rec 1', 'thumbnail.jpg')))
    expect(response.status).toBe(200)
    expect(response.headers.has('access-control-allow-origin')).toBe(false)
  })

  it('refuses methods other than GET and HEAD', async () => {
    const response = await serve()(
      new Request(mediaUrl('Rec 1', 'recording.webm'), { method: 'POST', body: 'x' })
    )
    expect(response.status).toBe(405)
  })
})

describe('media URLs', () => {
  it('round-trips ids and names that need encoding', () => {
    const url = mediaUrl('Recording 2026-11-29 14.03', 'recording.webm')
    expect(url).toBe('sidecast-media://project/Recording%202026-11-29%2014.03/recording.webm')
    expect(parseMediaUrl(url)).toEqual({
      projectId: 'Recording 2026-11-29 14.03',
      fileName: 'recording.webm'
    })
  })

  it.each([
    ['recording.webm', true],
    ['thumbnail.jpg', true],
    ['../recording.json', false],
    ['a/b.webm', false],
    ['a\\b.webm', false],
    ['.hidden', false],
    ['x..webm', false],
    ['', false]
  ])('isPlainFileName(%j) is %s', (name, ok) => {
    expect(isPlainFileName(name)).toBe(ok)
  })

  it.each([
    ['recording.webm', 'video/webm'],
    ['recording.MP4', 'video/mp4'],
    ['recording.mkv', 'video/x-matroska'],
    ['thumbnail.jpg', 'image/jpeg'],
    ['capture.bin', 'application/octet-stream'],
    ['noext', 'application/octet-stream']
  ])('mediaContentType(%j) is %s', (name, type) => {
    expect(mediaContentType(name)).toBe(type)
  })
})
