/**
 * Share while recording wired through main's services (app-services.ts) with the fake tus
 * layer: a recording started with the setting in effect gets its live upload from the recorder's
 * hook, Copy link gives the reserved link before the video is ready, Stop copies it with one
 * notification, discard and restart terminate the old take's upload, and with the setting off
 * nothing is shared.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppServices } from '../../../../src/main/app-services'
import { testAppServices } from '../../../support/app-services'
import { FakeTus } from '../helpers/fake-share'
import { tempDir } from '../helpers/fakes'

const MIME = 'video/webm;codecs=vp8,opus'
const ENV = { SIDECAST_LIBRARY_URL: 'https://lib.test', SIDECAST_LIBRARY_TOKEN: 'env-token' }

let dataDir: string
let cleanup: () => Promise<void>
let tus: FakeTus
let copied: string[]
let notified: string[]
let booted: AppServices[]

beforeEach(async () => {
  ;({ dir: dataDir, cleanup } = await tempDir('sidecast-live-handlers-'))
  tus = new FakeTus()
  copied = []
  notified = []
  booted = []
})

afterEach(async () => {
  for (const services of booted) await services.shutdown()
  await cleanup()
})

async function boot(share: '0' | '1'): Promise<AppServices> {
  const services = testAppServices({
    dataDir,
    env: { ...ENV, SIDECAST_SHARE_WHILE_RECORDING: share },
    tusLayer: tus,
    freeBytes: async () => 10 * 1024 ** 3,
    adapters: {
      copyText: (text) => {
        copied.push(text)
      },
      notify: (title) => {
        notified.push(title)
      }
    }
  })
  booted.push(services)
  await services.startup()
  return services
}

/** Polls (bounded) until `check` holds; a condition, never a timed assertion. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`gave up waiting until ${what}`)
}

describe('share while recording, through the services', () => {
  it('starts with the recording; Copy link has the reserved link; Stop copies it once', async () => {
    const services = await boot('1')
    const { projectId } = await services.recorder.start({ sourceName: 'Screen', mimeType: MIME })
    await services.recorder.chunk(projectId, 0, new Uint8Array(100).fill(1))
    await until(() => tus.runs.length === 1, 'the live upload started')
    expect(tus.last.job).toMatchObject({ size: null, metadata: { live: '1', projectId } })
    tus.last.created('vid1')
    await until(() => services.uploads.list()[0]?.url !== undefined, 'the link is known')
    expect(services.uploads.list()[0]).toMatchObject({ projectId, live: 'recording' })

    await services.handlers['share:copy-link'](projectId)
    expect(copied).toEqual(['https://lib.test/v/vid1'])
    expect(notified).toEqual([])

    // The local finish needs a real video; these bytes are not one, which changes nothing here:
    // the capture is sealed the moment it is closed.
    await services.recorder.stop(projectId, {}).catch(() => undefined)
    await until(() => notified.length === 1, 'Stop told the link')
    expect(notified).toEqual(['Link copied — the video will be ready in a moment'])
    expect(copied).toEqual(['https://lib.test/v/vid1', 'https://lib.test/v/vid1'])
    expect(services.uploads.list()[0]).toMatchObject({
      live: 'finishing',
      bytesTotal: 100,
      linkAnnounced: true
    })
  })

  it('discard and restart terminate the thrown-away take’s upload', async () => {
    const services = await boot('1')
    const first = await services.recorder.start({ sourceName: 'Screen', mimeType: MIME })
    await until(() => tus.runs.length === 1, 'the first take’s upload started')
    const second = await services.recorder.restart(first.projectId, {
      sourceName: 'Screen',
      mimeType: MIME
    })
    await until(() => tus.runs[0]?.terminated === true, 'the first take’s upload was terminated')
    await until(() => tus.runs.length === 2, 'the new take’s upload started')
    expect(tus.last.job.metadata.projectId).toBe(second.projectId)
    expect(services.uploads.list().map((u) => u.projectId)).toEqual([second.projectId])

    await services.recorder.discard(second.projectId)
    await until(() => tus.runs[1]?.terminated === true, 'the second take’s upload was terminated')
    expect(services.uploads.list()).toEqual([])
  })

  it('with the setting off, a recording is not shared', async () => {
    const services = await boot('0')
    expect((await services.library.config()).shareWhileRecording).toBe(false)
    const { projectId } = await services.recorder.start({ sourceName: 'Screen', mimeType: MIME })
    await services.recorder.chunk(projectId, 0, new Uint8Array(100).fill(1))
    await services.recorder.stop(projectId, {}).catch(() => undefined)
    expect(services.uploads.list()).toEqual([])
    expect(tus.runs).toEqual([])
    expect(notified).toEqual([])
  })
})
