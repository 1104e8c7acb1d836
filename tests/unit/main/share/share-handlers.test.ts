/**
 * The sharing channels through main's handlers (argument checks, share.json, clipboard,
 * notifications, opening links, settings that need checks), over a fake tus layer.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AppServices } from '../../../../src/main/app-services'
import {
  createSettingsStore,
  type SettingsStore
} from '../../../../src/main/settings/settings-store'
import type { Settings } from '../../../../src/shared/settings'
import { dispatchInvoke } from '../../../../src/main/ipc/dispatch'
import { AUTH_REFUSED_MESSAGE } from '../../../../src/main/share/tus-layer'
import type { EventChannel, IpcResponse, UploadInfo } from '../../../../src/shared/ipc'
import type { ProjectSummary } from '../../../../src/shared/project'
import { testAppServices } from '../../../support/app-services'
import { FakeTus, makeProject } from '../helpers/fake-share'
import { tempDir } from '../helpers/fakes'

const P1 = '20261129-120000-aaaa'
const ENV = { SIDECAST_LIBRARY_URL: 'https://lib.test', SIDECAST_LIBRARY_TOKEN: 'env-token' }

let dataDir: string
let cleanup: () => Promise<void>
let tus: FakeTus
let copied: string[]
let notes: { title: string; body: string }[]
let opened: string[]
let events: { channel: EventChannel; payload: unknown }[]
let onlineCallback: (() => void) | null
let all: AppServices[]
let settings: SettingsStore

beforeEach(async () => {
  ;({ dir: dataDir, cleanup } = await tempDir('sidecast-share-'))
  tus = new FakeTus()
  copied = []
  notes = []
  opened = []
  events = []
  onlineCallback = null
  all = []
  // One settings file for every start of the app within a test.
  let stored: Record<string, unknown> = {}
  settings = createSettingsStore({
    get store() {
      return stored
    },
    set(patch: Partial<Settings>) {
      stored = { ...stored, ...patch }
    }
  })
})

afterEach(async () => {
  for (const s of all) await s.shutdown()
  await cleanup()
})

async function boot(
  env: Record<string, string> = ENV,
  retryDelaysMs: number[] = [20]
): Promise<AppServices> {
  const services = testAppServices({
    dataDir,
    settings,
    env,
    tusLayer: tus,
    uploadRetryDelaysMs: retryDelaysMs,
    emit: (channel, payload) => events.push({ channel, payload }),
    adapters: {
      copyText: (text) => {
        copied.push(text)
      },
      notify: (title, body) => notes.push({ title, body }),
      openExternal: async (url) => {
        opened.push(url)
      },
      onOnline: (callback) => {
        onlineCallback = callback
        return () => {
          onlineCallback = null
        }
      }
    }
  })
  all.push(services)
  await services.startup()
  return services
}

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function call<T>(services: AppServices, channel: string, ...args: unknown[]): Promise<T> {
  const response = await dispatchInvoke(services.handlers, channel, args)
  if (!response.ok) throw Object.assign(new Error(response.error.message), response.error)
  return response.value as T
}

function raw(
  services: AppServices,
  channel: string,
  ...args: unknown[]
): Promise<IpcResponse<unknown>> {
  return dispatchInvoke(services.handlers, channel, args)
}

async function uploadDone(
  services: AppServices,
  url = 'https://lib.test/v/vid1'
): Promise<UploadInfo> {
  const info = await call<UploadInfo>(services, 'uploads:start', P1, {})
  await vi.waitFor(() => expect(tus.runs.length).toBeGreaterThan(0))
  tus.last.succeed(url, 'vid1')
  await vi.waitFor(async () =>
    expect((await call<UploadInfo[]>(services, 'uploads:list'))[0]?.state).toBe('done')
  )
  // The link is stored, copied and announced right after the state changes.
  await vi.waitFor(() => expect(notes.length).toBeGreaterThan(0))
  return info
}

describe('uploads:start', () => {
  it.each([
    ['a bad project id', ['../x', {}], /"projectId" must be a valid project id/],
    ['a request that is not an object', [P1, 'now'], /"request" must be an object/],
    ['a title that is not text', [P1, { title: 5 }], /"request.title" must be text/],
    [
      'a description over 5000 characters',
      [P1, { description: 'x'.repeat(5001) }],
      /at most 5000 characters; this one has 5001/
    ],
    [
      'a title over 200 characters',
      [P1, { title: 'x'.repeat(201) }],
      /A title needs 1 to 200 characters/
    ]
  ])('refuses %s', async (_name, args, message) => {
    const services = await boot()
    await makeProject(services.projects.projectsDir, P1)
    const response = await raw(services, 'uploads:start', ...args)
    expect(response.ok).toBe(false)
    if (!response.ok) expect(response.error.message).toMatch(message)
  })

  it('refuses without a library, saying what to do', async () => {
    const services = await boot({})
    await makeProject(services.projects.projectsDir, P1)
    const response = await raw(services, 'uploads:start', P1, {})
    expect(response).toEqual({
      ok: false,
      error: {
        code: 'library-not-set',
        message: "Set the library's address and token in Settings first."
      }
    })
  })

  it('uploads, stores the link in share.json, copies it and notifies', async () => {
    const services = await boot()
    await makeProject(services.projects.projectsDir, P1)
    const info = await uploadDone(services)
    expect(
      events.some(
        (e) => e.channel === 'uploads:changed' && (e.payload as UploadInfo).id === info.id
      )
    ).toBe(true)
    await vi.waitFor(() => expect(copied).toEqual(['https://lib.test/v/vid1']))
    expect(notes).toEqual([{ title: 'Uploaded — link copied', body: 'Walkthrough aaaa' }])
    const share = JSON.parse(
      await readFile(join(services.projects.projectDir(P1), 'share.json'), 'utf8')
    )
    expect(share).toMatchObject({ url: 'https://lib.test/v/vid1', videoId: 'vid1' })
    expect(Date.parse(share.uploadedAt)).not.toBeNaN()
    const [summary] = await call<ProjectSummary[]>(services, 'projects:list')
    expect(summary?.shareUrl).toBe('https://lib.test/v/vid1')
    expect(events.filter((e) => e.channel === 'projects:changed').length).toBeGreaterThan(0)
  })

  it('only notifies when copying the link after upload is off', async () => {
    const services = await boot()
    await call(services, 'settings:set', { copyLinkAfterUpload: false })
    await makeProject(services.projects.projectsDir, P1)
    await uploadDone(services)
    await vi.waitFor(() => expect(notes).toEqual([{ title: 'Uploaded', body: 'Walkthrough aaaa' }]))
    expect(copied).toEqual([])
  })

  it('a new token from library:configure resumes uploads that were refused', async () => {
    const services = await boot({ SIDECAST_LIBRARY_URL: 'https://lib.test' })
    await call(services, 'library:configure', { token: 'old-token' })
    await makeProject(services.projects.projectsDir, P1)
    await call(services, 'uploads:start', P1, {})
    await vi.waitFor(() => expect(tus.runs).toHaveLength(1))
    tus.last.fail({ kind: 'auth', message: AUTH_REFUSED_MESSAGE })
    await vi.waitFor(async () =>
      expect((await call<UploadInfo[]>(services, 'uploads:list'))[0]).toMatchObject({
        state: 'failed',
        needsToken: true
      })
    )
    await call(services, 'library:configure', { token: 'new-token' })
    await vi.waitFor(() => expect(tus.runs).toHaveLength(2))
    expect(tus.last.job.token).toBe('new-token')
  })

  it('tries again at once when the platform says the network is back', async () => {
    // A minute's backoff: only the network-back hook can start it again soon.
    const services = await boot(ENV, [60_000])
    await makeProject(services.projects.projectsDir, P1)
    await call(services, 'uploads:start', P1, {})
    await vi.waitFor(() => expect(tus.runs).toHaveLength(1))
    tus.last.fail({ kind: 'retry', message: 'There is no network connection.' })
    await new Promise((r) => setTimeout(r, 50))
    expect(tus.runs).toHaveLength(1)
    expect(onlineCallback).not.toBeNull()
    onlineCallback!()
    await vi.waitFor(() => expect(tus.runs).toHaveLength(2))
  })

  it('shutdown pauses the upload without deleting it; the next start resumes it', async () => {
    const services = await boot()
    await makeProject(services.projects.projectsDir, P1)
    const { id } = await call<UploadInfo>(services, 'uploads:start', P1, {})
    await vi.waitFor(() => expect(tus.runs).toHaveLength(1))
    tus.last.send(3000)
    await services.shutdown()
    all.splice(all.indexOf(services), 1)
    expect(tus.last).toMatchObject({ aborted: true, terminated: false })
    const again = await boot()
    await vi.waitFor(() => expect(tus.runs).toHaveLength(2))
    expect((await call<UploadInfo[]>(again, 'uploads:list'))[0]).toMatchObject({
      id,
      bytesSent: 3000
    })
  })

  it('pause, resume and cancel check their argument', async () => {
    const services = await boot()
    for (const channel of ['uploads:pause', 'uploads:resume', 'uploads:cancel']) {
      const bad = await raw(services, channel, 42)
      expect(bad).toMatchObject({ ok: false, error: { message: '"uploadId" must be text.' } })
      const unknown = await raw(services, channel, 'nope')
      expect(unknown).toMatchObject({ ok: false, error: { code: 'upload-not-found' } })
    }
  })
})

describe('share:copy-link and share:open', () => {
  it('say when a recording has not been uploaded', async () => {
    const services = await boot()
    await makeProject(services.projects.projectsDir, P1)
    for (const channel of ['share:copy-link', 'share:open']) {
      expect(await raw(services, channel, P1)).toMatchObject({
        ok: false,
        error: { code: 'not-shared', message: expect.stringMatching(/has not been uploaded/) }
      })
    }
    expect(copied).toEqual([])
    expect(opened).toEqual([])
  })

  it('copy and open the library link', async () => {
    const services = await boot()
    await makeProject(services.projects.projectsDir, P1)
    await uploadDone(services, 'https://lib.test/v/xyz')
    copied.length = 0
    await call(services, 'share:copy-link', P1)
    expect(copied).toEqual(['https://lib.test/v/xyz'])
    await call(services, 'share:open', P1)
    expect(opened).toEqual(['https://lib.test/v/xyz'])
  })

  it('open refuses a link outside the configured library', async () => {
    const services = await boot()
    const facts = await makeProject(services.projects.projectsDir, P1)
    await writeFile(
      join(services.projects.projectDir(facts.id), 'share.json'),
      JSON.stringify({ url: 'https://evil.test/v/1', videoId: '1', uploadedAt: '' })
    )
    expect(await raw(services, 'share:open', P1)).toMatchObject({
      ok: false,
      error: {
        code: 'not-library-link',
        message: expect.stringMatching(/not in the library at https:\/\/lib\.test/)
      }
    })
    expect(opened).toEqual([])
  })
})

describe('library channels', () => {
  it('get, configure and test through the handlers, never returning the token', async () => {
    const services = await boot({})
    expect(await call(services, 'library:get')).toEqual({
      url: '',
      hasToken: false,
      tokenEncrypted: true,
      managed: { url: false, token: false },
      shareWhileRecording: false,
      shareWhileRecordingManaged: false
    })
    const port = await closedPort()
    const config = await call(services, 'library:configure', {
      url: `http://127.0.0.1:${port}/`,
      token: 'secret-token'
    })
    expect(config).toEqual({
      url: `http://127.0.0.1:${port}`,
      hasToken: true,
      tokenEncrypted: false,
      managed: { url: false, token: false },
      shareWhileRecording: true,
      shareWhileRecordingManaged: false
    })
    expect(JSON.stringify(config)).not.toContain('secret-token')
    expect((await call(services, 'settings:get')) as object).toMatchObject({
      libraryUrl: `http://127.0.0.1:${port}`
    })
    const result = await call<{ ok: boolean; message: string }>(services, 'library:test', {})
    expect(result.ok).toBe(false)
    expect(result.message).toMatch(`Nothing is answering at 127.0.0.1:${port}`)
  })
})

describe('settings that need checks', () => {
  it('refuses an invalid or managed library address through settings:set', async () => {
    const services = await boot({})
    expect(await raw(services, 'settings:set', { libraryUrl: 'nope' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/not a valid web address/) }
    })
    const managed = await boot({ SIDECAST_LIBRARY_URL: 'https://managed.test' })
    expect(await raw(managed, 'settings:set', { libraryUrl: 'https://other.test' })).toMatchObject({
      ok: false,
      error: { code: 'library-managed' }
    })
  })

  it('refuses a recordings folder that cannot be written, naming it', async () => {
    const services = await boot()
    const file = join(dataDir, 'a-file')
    await writeFile(file, 'x')
    expect(await raw(services, 'settings:set', { recordingsDir: file })).toMatchObject({
      ok: false,
      error: {
        code: 'bad-recordings-dir',
        message: `Sidecast cannot keep recordings in "${file}": it is a file, not a folder. Choose a folder you can write to.`
      }
    })
    expect(await raw(services, 'settings:set', { recordingsDir: 'relative/dir' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/not a full path/) }
    })
    if (process.platform !== 'win32' && process.getuid?.() !== 0) {
      const locked = join(dataDir, 'locked')
      await mkdir(locked)
      await chmod(locked, 0o500)
      expect(await raw(services, 'settings:set', { recordingsDir: locked })).toMatchObject({
        ok: false,
        error: { message: expect.stringMatching(/cannot be written to/) }
      })
      await chmod(locked, 0o700)
    }
  })

  it('takes a new recordings folder (creating it) and uses it from the next start', async () => {
    const services = await boot()
    const dir = join(dataDir, 'elsewhere', 'recordings')
    const settings = await call<{ recordingsDir: string }>(services, 'settings:set', {
      recordingsDir: dir
    })
    expect(settings.recordingsDir).toBe(dir)
    expect(services.projects.projectsDir).toBe(join(dataDir, 'projects'))
    const next = await boot()
    expect(next.projects.projectsDir).toBe(dir)
    expect((await call<{ projectsDir: string }>(next, 'app:info')).projectsDir).toBe(dir)
  })
})
