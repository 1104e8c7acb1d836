/**
 * End to end sharing: the real renderer in Chromium, the harness (real main-side services, real
 * tus upload queue) as its own process, and the real library server on 127.0.0.1. A recording
 * goes to the library from the card's "Upload…" with the same bytes and its link is copied; a
 * crash of the app and a restart of the server in the middle of a large upload are both survived
 * without starting over; a refused token is said plainly and not retried.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { RecordingFacts } from '../../src/shared/project'
import { BASE_CHROMIUM_ARGS, CAPTURE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess, type HarnessProcess } from '../support/harness-process'
import {
  downloadedSha256,
  listVideos,
  startCountingProxy,
  startTestLibrary,
  type CountingProxy,
  type ListedVideo,
  type TestLibrary
} from '../support/library'
import { makeFinishedProject, recordProjectFromFile } from '../support/projects'
import { startXvfb, type XDisplay } from '../support/xvfb'
import { throttleCpuForStress } from './cpu-throttle'
import { waitUntil } from './wait-until'

const run = promisify(execFile)
const FFMPEG = process.env.SIDECAST_TEST_FFMPEG ?? 'ffmpeg'

/** How fast the proxy lets the large uploads through: ~30 MB take about 12 s. */
const THROTTLE_BPS = 2.5 * 1024 * 1024
/**
 * Besides what the server lacked, a resume may send the headers of a few requests and whatever was
 * on its way when the connection broke; a start from scratch would send the whole file again.
 */
const SLACK = 1024 * 1024

let xvfb: XDisplay
let headed: Browser
let headless: Browser
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  xvfb = await startXvfb(1280, 800)
  headed = await chromium.launch({
    executablePath: chromiumPath(),
    headless: false,
    args: [...CAPTURE_CHROMIUM_ARGS, '--window-position=0,0', '--window-size=1100,760'],
    env: { ...process.env, DISPLAY: xvfb.display }
  })
  headless = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_CHROMIUM_ARGS]
  })
})

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined)
  await headed?.close().catch(() => undefined)
  await headless?.close().catch(() => undefined)
  await xvfb?.stop()
})

// ---- helpers -------------------------------------------------------------------------------

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sidecast-e2e-${prefix}-`))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

async function startLibraryBehindProxy(
  bytesPerSecond?: number
): Promise<{ library: TestLibrary; proxy: CountingProxy }> {
  let port = 0
  const proxy = await startCountingProxy(() => port, { bytesPerSecond })
  cleanups.push(() => proxy.close())
  const library = await startTestLibrary({ publicUrl: proxy.url })
  cleanups.push(() => library.dispose())
  port = library.port
  return { library, proxy }
}

async function harness(
  dataDir: string,
  libraryUrl: string,
  token: string,
  env: NodeJS.ProcessEnv = {}
): Promise<HarnessProcess> {
  const started = await startHarnessProcess(dataDir, {
    SIDECAST_LIBRARY_URL: libraryUrl,
    SIDECAST_LIBRARY_TOKEN: token,
    ...env
  })
  cleanups.push(() => started.stop())
  return started
}

async function openApp(browser: Browser, app: HarnessProcess, capture = false): Promise<Page> {
  const context = await browser.newContext(
    capture
      ? { permissions: ['microphone'], viewport: null }
      : { viewport: { width: 1280, height: 900 } }
  )
  cleanups.push(() => context.close())
  const page = await context.newPage()
  await throttleCpuForStress(page)
  await page.goto(app.url)
  return page
}

/**
 * Clicks the card's "Upload…", types the title and clicks Upload, as a person would. The
 * recording takes that title: the card is named by it from then on.
 */
async function uploadFromCard(page: Page, projectTitle: string, title: string): Promise<void> {
  await page
    .getByRole('button', { name: `Upload “${projectTitle}”`, exact: true })
    .click({ timeout: 30_000 })
  const dialog = page.getByRole('dialog', { name: /^Upload/ })
  await dialog.waitFor()
  await dialog.getByLabel('Title', { exact: true }).fill(title)
  await dialog.getByRole('button', { name: 'Upload', exact: true }).click()
}

/** The card's Copy link, shown once the upload is done. */
function copyLinkButton(page: Page, projectTitle: string) {
  return page.getByRole('button', { name: `Copy link to “${projectTitle}”`, exact: true })
}

/**
 * A finished project whose recording is ~30 MB of lossless H.264 noise in Matroska (as Chromium
 * records H.264), so it does not compress and a throttled upload takes a while.
 */
async function makeLargeProject(dataDir: string): Promise<RecordingFacts> {
  const work = tempDir('noise')
  const source = join(work, 'noise.mkv')
  // prettier-ignore
  await run(FFMPEG, [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'color=c=gray:s=640x360:r=25:d=3,noise=alls=100:allf=t+u,format=yuv420p',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=3',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-g', '25',
    '-c:a', 'libopus', '-b:a', '64k', '-shortest',
    '-f', 'matroska', source
  ], { timeout: 60_000 })
  return recordProjectFromFile(dataDir, source, { mimeType: 'video/x-matroska;codecs=avc1,opus' })
}

/** Bytes the library holds of its (one) unfinished upload, once that stops changing. */
async function storedUploadBytes(library: TestLibrary): Promise<number> {
  const dir = join(library.dataDir, 'uploads')
  const size = (): number => {
    const files = readdirSync(dir).filter((f) => /^[0-9a-f]{32}$/.test(f))
    if (files.length !== 1) throw new Error(`Expected one unfinished upload, found ${files.length}`)
    return statSync(join(dir, files[0]!)).size
  }
  let last = -1
  let stableSince = Date.now()
  return waitUntil(
    'the stored upload to stop growing',
    () => {
      const now = size()
      if (now !== last) {
        last = now
        stableSince = Date.now()
        return null
      }
      return Date.now() - stableSince >= 1000 ? now : null
    },
    20_000
  )
}

/** Waits until the library holds 25–70 % of the upload (the tus offset, as stored on disk). */
async function waitForPartWay(library: TestLibrary, size: number): Promise<void> {
  const dir = join(library.dataDir, 'uploads')
  await waitUntil(
    'the upload to be part-way',
    () => {
      const file = readdirSync(dir).find((f) => /^[0-9a-f]{32}$/.test(f))
      if (!file) return null
      const fraction = statSync(join(dir, file)).size / size
      if (fraction > 0.7) throw new Error(`The upload got to ${fraction} before it was seen`)
      return fraction >= 0.25
    },
    60_000,
    50
  )
}

function posts(library: TestLibrary): number {
  return library.requests.filter((r) => r.method === 'POST' && r.path === '/api/uploads').length
}

/** The one video in the library, with the title given. */
async function theVideo(library: TestLibrary, title: string): Promise<ListedVideo> {
  const videos = await listVideos(library)
  expect(videos.map((v) => v.title)).toEqual([title])
  return videos[0]!
}

// ---- tests ---------------------------------------------------------------------------------

describe('sharing to the team library', () => {
  it('records the screen, uploads it from the card, and the library has the same bytes and link', async () => {
    const library = await startTestLibrary()
    cleanups.push(() => library.dispose())
    const dataDir = tempDir('share')
    // Upload after Stop, from the card: Share while recording (on by default) would have sent it
    // while it was recorded (tests/e2e/instant-share.test.ts covers that).
    const app = await harness(dataDir, library.url, library.token, {
      SIDECAST_SHARE_WHILE_RECORDING: '0'
    })
    const page = await openApp(headed, app, true)

    // Record about 4 s of the screen through the UI.
    await page
      .getByRole('radio', { name: /Entire screen/ })
      .first()
      .check({ force: true, timeout: 30_000 })
    await page.getByRole('button', { name: 'Start recording' }).click()
    await page
      .getByRole('button', { name: /Skip/ })
      .click({ timeout: 10_000 })
      .catch(() => undefined) // no countdown configured
    const stop = page.getByRole('button', { name: 'Stop recording' })
    await stop.waitFor({ timeout: 20_000 })
    await delay(4_000)
    await stop.click()

    const projectsDir = join(dataDir, 'projects')
    const facts = await waitUntil(
      'the finished recording',
      () => {
        for (const id of readdirSync(projectsDir)) {
          try {
            const f = JSON.parse(
              readFileSync(join(projectsDir, id, 'recording.json'), 'utf8')
            ) as RecordingFacts
            if (f.status === 'complete') return f
          } catch {
            // Being written.
          }
        }
        return null
      },
      60_000,
      250
    )
    const recordingFile = join(projectsDir, facts.id, facts.file)

    const title = 'How to file a bug'
    await uploadFromCard(page, facts.title, title)
    // The title given in the dialog is the recording's title now.
    await copyLinkButton(page, title).waitFor({ timeout: 90_000 })

    const card = page.getByRole('article', { name: title })
    const cardLink = await card.getByTitle(/^http/).getAttribute('title')

    const video = await theVideo(library, title)
    expect(video.projectId).toBe(facts.id)
    expect(video.sizeBytes).toBe(statSync(recordingFile).size)
    expect(await downloadedSha256(library, video)).toBe(sha256File(recordingFile))
    expect(cardLink).toBe(video.url)

    // Copying the link after an upload is on by default: the harness's clipboard has it.
    const clipboard = await waitUntil('the link on the clipboard', async () => {
      const text = await (await fetch(`${app.url}/__test/clipboard`)).text()
      return text || null
    })
    expect(clipboard).toBe(video.url)
    expect(posts(library)).toBe(1)
  })

  it('resumes a large upload after the app is killed part-way, without starting over', async () => {
    const { library, proxy } = await startLibraryBehindProxy(THROTTLE_BPS)
    const dataDir = tempDir('share-kill')
    const facts = await makeLargeProject(dataDir)
    const file = join(dataDir, 'projects', facts.id, facts.file)
    const size = statSync(file).size
    expect(size).toBeGreaterThan(20 * 1024 * 1024)

    const first = await startHarnessProcess(dataDir, {
      SIDECAST_LIBRARY_URL: proxy.url,
      SIDECAST_LIBRARY_TOKEN: library.token
    })
    cleanups.push(() => first.kill())
    const page = await openApp(headless, first)
    const title = 'Survives a crash'
    await uploadFromCard(page, facts.title, title)

    // Part-way: the server holds 25–70 % of the file.
    await waitForPartWay(library, size)
    await first.kill()
    await page.context().close()
    // What the app had sent before it died still drains from the sockets into the server.
    const storedAtKill = await storedUploadBytes(library)
    const sentBeforeKill = proxy.bytesUp()
    expect(storedAtKill).toBeGreaterThan(0.2 * size)
    expect(storedAtKill).toBeLessThan(size)

    // Started again on the same data: the queue resumes by itself, and the card shows it.
    const second = await harness(dataDir, proxy.url, library.token)
    const again = await openApp(headless, second)
    await again
      .getByRole('progressbar', { name: `Upload of “${title}”` })
      .waitFor({ timeout: 30_000 })
    await copyLinkButton(again, title).waitFor({ timeout: 120_000 })

    const video = await theVideo(library, title)
    expect(await downloadedSha256(library, video)).toBe(sha256File(file))
    expect(posts(library), 'uploads created on the server').toBe(1)
    const sentAfterKill = proxy.bytesUp() - sentBeforeKill
    // Only what the server did not have yet went again.
    const counts = { size, storedAtKill, sentBeforeKill, sentAfterKill }
    expect(sentAfterKill, JSON.stringify(counts)).toBeLessThan(size - storedAtKill + SLACK)
    expect(proxy.bytesUp()).toBeLessThan(1.5 * size)
  })

  it('carries on by itself when the library server restarts in the middle of an upload', async () => {
    const { library, proxy } = await startLibraryBehindProxy(THROTTLE_BPS)
    const dataDir = tempDir('share-restart')
    const facts = await makeLargeProject(dataDir)
    const file = join(dataDir, 'projects', facts.id, facts.file)
    const size = statSync(file).size

    const app = await harness(dataDir, proxy.url, library.token)
    const page = await openApp(headless, app)
    const title = 'Survives a server restart'
    await uploadFromCard(page, facts.title, title)

    await waitForPartWay(library, size)
    await library.stop()
    const sentBeforeRestart = proxy.bytesUp()
    const storedAtStop = await storedUploadBytes(library)
    expect(storedAtStop).toBeGreaterThan(0.2 * size)
    expect(storedAtStop).toBeLessThan(size)
    // The app notices and waits to retry.
    await page
      .getByText(/Waiting to retry/)
      .first()
      .waitFor({ timeout: 30_000 })
    await delay(2_000)
    await library.start()

    await copyLinkButton(page, title).waitFor({ timeout: 120_000 })
    const video = await theVideo(library, title)
    expect(await downloadedSha256(library, video)).toBe(sha256File(file))
    expect(posts(library), 'uploads created on the server').toBe(1)
    const sentAfterRestart = proxy.bytesUp() - sentBeforeRestart
    const counts = { size, storedAtStop, sentBeforeRestart, sentAfterRestart }
    expect(sentAfterRestart, JSON.stringify(counts)).toBeLessThan(size - storedAtStop + SLACK)
    expect(proxy.bytesUp()).toBeLessThan(1.5 * size)
  })

  it('says plainly that the token was refused, and does not keep asking the server', async () => {
    const { library, proxy } = await startLibraryBehindProxy()
    const dataDir = tempDir('share-token')
    const facts = await makeFinishedProject(dataDir, { seconds: 2, width: 320, height: 240 })
    const app = await harness(dataDir, proxy.url, 'not-the-right-token-123')
    const page = await openApp(headless, app)

    await uploadFromCard(page, facts.title, 'Never arrives')
    const message = page.getByText(/refused the access token/).first()
    await message.waitFor({ timeout: 30_000 })
    const text = (await message.textContent()) ?? ''
    expect(text).toMatch(/token/)
    // It says what to do about it.
    expect(text).toMatch(/Enter a new token in Settings/)

    // The server was asked, and refused every request.
    // A response's status is logged when it has been sent, which may be just after the app has
    // read it: wait for every logged request's answer, not a fixed time.
    await waitUntil('every request the library logged to have its answer', () =>
      library.requests.every((r) => r.status !== 0)
    )
    expect(library.requests.length).toBeGreaterThan(0)
    expect(library.requests.map((r) => r.status)).toEqual(library.requests.map(() => 401))
    const requestsAtFailure = library.requests.length
    const bytesAtFailure = proxy.bytesUp()
    const connectionsAtFailure = proxy.connections()

    // No retry loop: nothing more reaches the server.
    await delay(5_000)
    expect(library.requests.length).toBe(requestsAtFailure)
    expect(proxy.bytesUp()).toBe(bytesAtFailure)
    expect(proxy.connections()).toBe(connectionsAtFailure)
    expect(await listVideos(library)).toEqual([])
  })
})
