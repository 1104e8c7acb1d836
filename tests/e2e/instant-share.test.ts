/**
 * End to end instant share (issue 12): the real renderer in Chromium under Xvfb, the harness (the
 * app's real main-side services) as its own process, and the real library server on 127.0.0.1
 * behind a throttling proxy (the library's public URL is the proxy's, so every tus request goes
 * through it). With Share while recording on, the upload runs while the screen is recorded: most
 * bytes are on the server before Stop, the link is on the recording's card within a second of Stop,
 * and the watch page plays the whole video. The app killed mid-recording completes the upload
 * under the same link after a restart; a discarded recording is gone from the library (its link
 * says so); turned off in Settings, a recording uploads nothing until Upload… is pressed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { UploadInfo } from '../../src/shared/ipc'
import { LINK_COPIED_AT_STOP } from '../../src/shared/instant-share'
import type { RecordingFacts } from '../../src/shared/project'
import { BASE_CHROMIUM_ARGS, CAPTURE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess, type HarnessProcess } from '../support/harness-process'
import {
  libraryGet,
  listVideos,
  startTestLibrary,
  type ListedVideo,
  type TestLibrary
} from '../support/library'
import { durationSeconds, probe } from '../support/media'
import { startThrottleProxy, type ThrottleProxy } from '../support/throttle-proxy'
import { startXvfb, type XDisplay } from '../support/xvfb'
import { throttleCpuForStress } from './cpu-throttle'
import { waitUntil } from './wait-until'

/**
 * The upload's ceiling through the proxy: 256 KiB/s (2 Mbit/s, a poor uplink). The harness's
 * screen (the app's window, mostly still) records at about 32 KB/s, so a live upload that follows
 * the file keeps up with room to spare; an upload that waited for Stop would have nothing there.
 */
const UPLINK_BPS = 256 * 1024
/** The guarantee: the link is on the card within a second of Stop. */
const LINK_AFTER_STOP_MS = 1000
/** How far the library's video may be from the local recording's length (container rounding). */
const DURATION_SLACK_S = 0.5

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
    args: [...BASE_CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required']
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

/** The library behind a throttling proxy that its links and tus Locations point at. */
async function libraryBehindProxy(): Promise<{ library: TestLibrary; proxy: ThrottleProxy }> {
  let port = 0
  const proxy = await startThrottleProxy({ target: () => port, upBytesPerSecond: UPLINK_BPS })
  cleanups.push(() => proxy.close())
  const library = await startTestLibrary({ publicUrl: proxy.url })
  cleanups.push(() => library.dispose())
  port = library.port
  return { library, proxy }
}

function appEnv(proxy: ThrottleProxy, library: TestLibrary, extra: NodeJS.ProcessEnv = {}) {
  return { SIDECAST_LIBRARY_URL: proxy.url, SIDECAST_LIBRARY_TOKEN: library.token, ...extra }
}

async function harness(dataDir: string, env: NodeJS.ProcessEnv): Promise<HarnessProcess> {
  const started = await startHarnessProcess(dataDir, env)
  cleanups.push(() => started.stop())
  return started
}

async function openApp(browser: Browser, app: HarnessProcess): Promise<Page> {
  const context = await browser.newContext(
    browser === headed
      ? { permissions: ['microphone'], viewport: null }
      : { viewport: { width: 1280, height: 900 } }
  )
  cleanups.push(() => context.close())
  const page = await context.newPage()
  await throttleCpuForStress(page)
  await page.goto(app.url)
  await page.getByRole('button', { name: 'Start recording' }).waitFor({ timeout: 30_000 })
  return page
}

/** Picks the screen, clicks Start, skips the countdown, and waits for the recording bar. */
async function startRecording(page: Page): Promise<void> {
  await page
    .getByRole('radio', { name: /Entire screen/ })
    .first()
    .check({ force: true, timeout: 30_000 })
  await page.getByRole('button', { name: 'Start recording' }).click()
  await page
    .getByRole('button', { name: /Skip/ })
    .click({ timeout: 10_000 })
    .catch(() => undefined) // no countdown configured
  await page
    .getByRole('button', { name: 'Stop recording', disabled: false })
    .waitFor({ timeout: 20_000 })
}

/** The app's upload queue, through the renderer's own bridge (as the window sees it). */
async function appUploads(page: Page): Promise<UploadInfo[]> {
  const response = (await page.evaluate("window.api.invoke('uploads:list')")) as
    { ok: true; value: UploadInfo[] } | { ok: false; error: { message: string } }
  if (!response.ok) throw new Error(`uploads:list failed: ${response.error.message}`)
  return response.value
}

/** The app's one upload once it matches `test`. */
async function waitForAppUpload(
  page: Page,
  what: string,
  test: (upload: UploadInfo) => boolean,
  timeoutMs = 30_000
): Promise<UploadInfo> {
  return waitUntil(what, async () => (await appUploads(page)).find(test) ?? null, timeoutMs, 100)
}

/** Every tus upload id the library was asked about (from the PATCH/HEAD/DELETE paths it logged). */
function serverUploadIds(library: TestLibrary): string[] {
  const ids = new Set<string>()
  for (const r of library.requests) {
    const match = /^\/api\/uploads\/([0-9a-f]{32})$/.exec(r.path)
    if (match?.[1]) ids.add(match[1])
  }
  return [...ids]
}

interface ServerUploadStatus {
  readonly state: string
  readonly offset?: number
  readonly length?: number | null
  readonly url?: string
  readonly error?: string
}

/** What the library says of an upload (GET /api/uploads/:id/status, straight to the server). */
async function serverStatus(library: TestLibrary, id: string): Promise<ServerUploadStatus> {
  const response = await fetch(`${library.url}/api/uploads/${id}/status`, {
    headers: { Authorization: `Bearer ${library.token}` }
  })
  if (response.status === 404) return { state: 'gone' }
  return (await response.json()) as ServerUploadStatus
}

/** The one upload the library has been sent bytes for, once it holds at least `minBytes`. */
async function serverUploadWithBytes(library: TestLibrary, minBytes: number): Promise<string> {
  return waitUntil(
    `the library to hold ${minBytes} bytes of the live upload`,
    async () => {
      const ids = serverUploadIds(library)
      if (ids.length > 1) throw new Error(`Expected one upload on the server, found ${ids.length}`)
      if (!ids[0]) return null
      const status = await serverStatus(library, ids[0])
      return (status.offset ?? 0) >= minBytes ? ids[0] : null
    },
    30_000,
    200
  )
}

function posts(library: TestLibrary): number {
  return library.requests.filter((r) => r.method === 'POST' && r.path === '/api/uploads').length
}

function projectFacts(dataDir: string): RecordingFacts[] {
  const dir = join(dataDir, 'projects')
  const facts: RecordingFacts[] = []
  for (const id of readdirSync(dir)) {
    try {
      facts.push(
        JSON.parse(readFileSync(join(dir, id, 'recording.json'), 'utf8')) as RecordingFacts
      )
    } catch {
      // Being written, or not a project.
    }
  }
  return facts
}

/** The one recording once it is finished on disk (`complete`, or `recovered` after a crash). */
async function finishedRecording(
  dataDir: string,
  status: RecordingFacts['status'] = 'complete'
): Promise<RecordingFacts> {
  return waitUntil(
    `the ${status} recording`,
    () => {
      const all = projectFacts(dataDir)
      if (all.length > 1) throw new Error(`Expected one recording, found ${all.length}`)
      return all[0]?.status === status ? all[0] : null
    },
    60_000,
    250
  )
}

/** Duration of the library's copy of a video, in seconds (downloaded, then ffprobe). */
async function libraryDuration(library: TestLibrary, video: ListedVideo): Promise<number> {
  const path = new URL(video.mediaUrl, library.url).pathname
  const file = join(tempDir('library-copy'), 'video')
  writeFileSync(file, await libraryGet(library, path))
  return durationSeconds(await probe(file))
}

/**
 * Counts, in the page, the time from the Stop click to the first Copy link on a card (both by
 * the page's clock, so Node's polling adds nothing), and keeps the text of every notice shown.
 */
async function watchStopAndNotices(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const w = window
    w.__instant = { stopAt: null, linkAt: null, notices: [], statuses: [] }
    document.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('button') : null
      if (button && button.getAttribute('aria-label') === 'Stop recording' && w.__instant.stopAt === null)
        w.__instant.stopAt = performance.now()
    }, true)
    const look = () => {
      const s = w.__instant
      if (s.stopAt !== null && s.linkAt === null &&
          document.querySelector('article button[aria-label^="Copy link to"]'))
        s.linkAt = performance.now()
      for (const toast of document.querySelectorAll('.toast')) {
        const text = (toast.textContent || '').trim()
        if (text && !s.notices.includes(text)) s.notices.push(text)
      }
      for (const line of document.querySelectorAll('article .inline-progress-text')) {
        const text = (line.textContent || '').trim()
        if (text && !s.statuses.includes(text)) s.statuses.push(text)
      }
    }
    new MutationObserver(look).observe(document.documentElement,
      { subtree: true, childList: true, attributes: true, characterData: true })
  })()`)
}

interface StopWatch {
  readonly stopAt: number | null
  readonly linkAt: number | null
  readonly notices: string[]
  /** Every upload status line a card showed. */
  readonly statuses: string[]
}

function stopWatch(page: Page): Promise<StopWatch> {
  return page.evaluate('window.__instant') as Promise<StopWatch>
}

/** Signs in to the library's pages as the test user (the watch page is for signed-in viewers). */
async function openSignedIn(browser: Browser, link: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  cleanups.push(() => context.close())
  const page = await context.newPage()
  await page.goto(link)
  await page.getByLabel('Name').fill('alice')
  await page.getByLabel('Password').fill('alice-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'))
  return page
}

/** An evaluate that survives the page refreshing itself (the not-ready page does) meanwhile. */
async function evaluateWhileRefreshing<T>(page: Page, expression: string): Promise<T | null> {
  try {
    return (await page.evaluate(expression)) as T
  } catch {
    return null
  }
}

// ---- tests ---------------------------------------------------------------------------------

describe('instant share: the upload runs while you record', () => {
  it('records ~10 s through a throttled link: most bytes are there before Stop, the link is on the card within a second of Stop, and the watch page plays the whole video', async () => {
    const { library, proxy } = await libraryBehindProxy()
    const dataDir = tempDir('instant')
    const app = await harness(dataDir, appEnv(proxy, library))
    const page = await openApp(headed, app)
    await watchStopAndNotices(page)

    await startRecording(page)
    // The library reserves the video at once: the app knows the link while recording.
    const reserved = await waitForAppUpload(
      page,
      'the live upload with its link',
      (u) => u.live === 'recording' && !!u.url
    )
    const link = reserved.url!
    await delay(10_000)
    // Ask the server what it holds, the moment before Stop (the offset only grows after this).
    const uploadId = await serverUploadWithBytes(library, 1)
    const beforeStop = await serverStatus(library, uploadId)
    await page.getByRole('button', { name: 'Stop recording' }).click()

    // The link is on the card within a second of the click (measured by the page's clock).
    const card = page.getByRole('article').filter({
      has: page.getByRole('button', { name: /^Copy link to/ })
    })
    await card.waitFor({ timeout: 30_000 })
    const watch = await stopWatch(page)
    expect(watch.stopAt, 'the Stop click was seen').not.toBeNull()
    expect(watch.linkAt, 'the link was seen on a card').not.toBeNull()
    const stopToLinkMs = watch.linkAt! - watch.stopAt!
    console.log(`[instant-share] Stop → link on the card: ${Math.round(stopToLinkMs)} ms`)
    expect(stopToLinkMs).toBeLessThanOrEqual(LINK_AFTER_STOP_MS)
    expect(await card.getByTitle(/^http/).getAttribute('title')).toBe(link)

    // Main copied it at Stop; the one notice says so.
    const clipboard = await waitUntil('the link on the clipboard', async () => {
      const text = await (await fetch(`${app.url}/__test/clipboard`)).text()
      return text || null
    })
    expect(clipboard).toBe(link)
    await page.getByText(LINK_COPIED_AT_STOP).first().waitFor({ timeout: 30_000 })

    // More than half of the bytes were on the server before Stop was pressed.
    const ended = await waitForAppUpload(
      page,
      'the upload to know its length',
      (u) => u.bytesTotal !== null && u.bytesTotal > 0,
      60_000
    )
    const total = ended.bytesTotal!
    const counts = { offsetBeforeStop: beforeStop.offset, total, proxyUp: proxy.bytesUp() }
    console.log(`[instant-share] bytes: ${JSON.stringify(counts)}`)
    expect(beforeStop.state).toBe('uploading')
    expect(beforeStop.offset ?? 0, JSON.stringify(counts)).toBeGreaterThan(total / 2)

    // The library finishes it, under the link handed out at the start.
    const facts = await finishedRecording(dataDir)
    const video = await waitUntil(
      'the video to be listed in the library',
      async () => (await listVideos(library)).find((v) => v.url === link) ?? null,
      90_000,
      500
    )
    expect(video.projectId).toBe(facts.id)
    expect(posts(library), 'uploads created on the server').toBe(1)
    // The card keeps the link and offers nothing more to do.
    await page
      .getByRole('button', { name: `Upload “${facts.title}” again` })
      .waitFor({ timeout: 30_000 })
    expect(await card.getByTitle(/^http/).getAttribute('title')).toBe(link)

    // After Stop the card said where the upload stood, in the live upload's words: the last
    // bytes going ("Finishing upload…", with a percentage once the length is known) and/or the
    // library at work ("Processing…"); never "Sharing while recording" (the window shows no card
    // while recording, so every line seen is from after the click).
    const { statuses } = await stopWatch(page)
    console.log(`[instant-share] card statuses after Stop: ${JSON.stringify(statuses)}`)
    expect(
      statuses.filter((t) => t.startsWith('Finishing upload…') || t === 'Processing…'),
      JSON.stringify(statuses)
    ).not.toEqual([])
    expect(
      statuses.filter((t) => t.startsWith('Sharing while recording')),
      JSON.stringify(statuses)
    ).toEqual([])

    // One notice for the whole share: not a second "Uploaded — link copied" when it finished.
    const shown = (await stopWatch(page)).notices
    expect(shown.filter((n) => n.includes(LINK_COPIED_AT_STOP))).toHaveLength(1)
    expect(
      shown.filter((n) => /Uploaded/.test(n)),
      JSON.stringify(shown)
    ).toEqual([])
    expect(
      shown.filter((n) => /Saved “/.test(n)),
      JSON.stringify(shown)
    ).toEqual([])

    // The watch page plays the whole video: its length is the recording's, and it plays to the end.
    const localSeconds = (facts.durationMs ?? 0) / 1000
    expect(localSeconds).toBeGreaterThan(8)
    expect(Math.abs((await libraryDuration(library, video)) - localSeconds)).toBeLessThan(
      DURATION_SLACK_S
    )
    const viewer = await openSignedIn(headless, link)
    const duration = await waitUntil(
      'the watch page’s video to know its duration',
      () =>
        evaluateWhileRefreshing<number>(
          viewer,
          "(() => { const v = document.querySelector('video#player'); return v && v.readyState >= 1 && Number.isFinite(v.duration) ? v.duration : null })()"
        ),
      60_000,
      250
    )
    expect(Math.abs(duration - localSeconds)).toBeLessThan(DURATION_SLACK_S)
    await viewer.evaluate(
      "(() => { const v = document.querySelector('video#player'); v.muted = true; v.playbackRate = 4; return v.play().then(() => true) })()"
    )
    const reached = await waitUntil(
      'the video to play to its end',
      () =>
        viewer.evaluate(
          "(() => { const v = document.querySelector('video#player'); if (v.error) throw new Error('media error ' + v.error.code); return v.ended || v.currentTime >= v.duration - 0.1 ? v.currentTime : null })()"
        ) as Promise<number | null>,
      60_000,
      200
    )
    expect(reached).toBeGreaterThan(duration - 0.25)
  })

  it('the app killed mid-recording: started again, it completes the upload under the same link with the recovered recording', async () => {
    const { library, proxy } = await libraryBehindProxy()
    const dataDir = tempDir('instant-kill')
    const first = await startHarnessProcess(dataDir, appEnv(proxy, library))
    cleanups.push(() => first.kill())
    const page = await openApp(headed, first)
    await startRecording(page)
    const reserved = await waitForAppUpload(
      page,
      'the live upload with its link',
      (u) => u.live === 'recording' && !!u.url
    )
    const link = reserved.url!
    await delay(5_000)
    const uploadId = await serverUploadWithBytes(library, 1)
    await first.kill()
    await page.context().close()

    // The library still holds the unfinished upload; nothing is listed yet.
    expect((await serverStatus(library, uploadId)).state).toBe('uploading')
    expect(await listVideos(library)).toEqual([])

    // Started again on the same data: recovery finishes the recording, the upload carries on.
    const second = await harness(dataDir, appEnv(proxy, library))
    const facts = await finishedRecording(dataDir, 'recovered')
    const again = await openApp(headless, second)
    const card = again.getByRole('article', { name: facts.title })
    await card
      .getByRole('button', { name: `Copy link to “${facts.title}”` })
      .waitFor({ timeout: 60_000 })
    expect(await card.getByTitle(/^http/).getAttribute('title')).toBe(link)

    const video = await waitUntil(
      'the recovered video to be listed under the same link',
      async () => (await listVideos(library)).find((v) => v.url === link) ?? null,
      120_000,
      500
    )
    expect(video.projectId).toBe(facts.id)
    expect(posts(library), 'uploads created on the server').toBe(1)
    expect((await listVideos(library)).length).toBe(1)
    // The library's video is the recovered recording: the same length.
    const localSeconds = (facts.durationMs ?? 0) / 1000
    expect(localSeconds).toBeGreaterThan(2)
    expect(Math.abs((await libraryDuration(library, video)) - localSeconds)).toBeLessThan(
      DURATION_SLACK_S
    )
  })

  it('a discarded recording is gone from the library: its upload is terminated and its link says it was discarded', async () => {
    const { library, proxy } = await libraryBehindProxy()
    const dataDir = tempDir('instant-discard')
    const app = await harness(dataDir, appEnv(proxy, library))
    const page = await openApp(headed, app)
    await startRecording(page)
    const reserved = await waitForAppUpload(
      page,
      'the live upload with its link',
      (u) => u.live === 'recording' && !!u.url
    )
    const link = reserved.url!
    await delay(3_000)
    const uploadId = await serverUploadWithBytes(library, 1)

    const bar = page.getByRole('region', { name: 'Recording controls' })
    await bar.getByRole('button', { name: 'Discard recording' }).click()
    await page
      .getByRole('alertdialog', { name: 'Discard this recording?' })
      .getByRole('button', { name: 'Discard', exact: true })
      .click()
    await page.getByRole('button', { name: 'Start recording' }).waitFor({ timeout: 30_000 })

    // The server no longer has it: the upload is gone, its bytes too, and nothing is listed.
    await waitUntil(
      'the library to drop the upload',
      async () => (await serverStatus(library, uploadId)).state === 'gone',
      30_000,
      200
    )
    const leftovers = readdirSync(join(library.dataDir, 'uploads')).filter((f) =>
      f.startsWith(uploadId)
    )
    expect(leftovers).toEqual([])
    expect(await listVideos(library)).toEqual([])
    expect(
      await appUploads(page).then((list) => list.filter((u) => u.state !== 'cancelled'))
    ).toEqual([])

    // Its link says so (410).
    const viewer = await openSignedIn(headless, link)
    await viewer.getByText('This video was discarded').first().waitFor({ timeout: 30_000 })
    const answer = await viewer.request.get(link)
    expect(answer.status()).toBe(410)
  })

  it('turned off in Settings, the next recording uploads nothing until Upload… is pressed', async () => {
    const { library, proxy } = await libraryBehindProxy()
    const dataDir = tempDir('instant-off')
    const app = await harness(dataDir, appEnv(proxy, library))
    const page = await openApp(headed, app)

    await page.getByRole('button', { name: 'Settings', exact: true }).click()
    const settings = page.getByRole('dialog', { name: 'Settings' })
    const share = settings.getByRole('checkbox', { name: 'Share while recording', exact: true })
    await share.waitFor()
    expect(await share.isChecked()).toBe(true)
    await share.uncheck()
    await settings.getByRole('button', { name: 'Save', exact: true }).click()
    await settings.waitFor({ state: 'detached', timeout: 30_000 })

    await startRecording(page)
    await delay(3_000)
    await page.getByRole('button', { name: 'Stop recording' }).click()
    const facts = await finishedRecording(dataDir)
    await page
      .getByRole('button', { name: `Upload “${facts.title}”`, exact: true })
      .waitFor({ timeout: 30_000 })
    // Nothing went to the library: no upload was created, no byte sent.
    expect(posts(library)).toBe(0)
    expect(library.requests.filter((r) => r.path.startsWith('/api/uploads'))).toEqual([])
    expect(await appUploads(page)).toEqual([])

    // Upload… sends it as before.
    await page.getByRole('button', { name: `Upload “${facts.title}”`, exact: true }).click()
    const dialog = page.getByRole('dialog', { name: /^Upload/ })
    await dialog.getByRole('button', { name: 'Upload', exact: true }).click()
    await page
      .getByRole('button', { name: /^Copy link to/ })
      .first()
      .waitFor({ timeout: 90_000 })
    expect(posts(library)).toBe(1)
    expect((await listVideos(library)).map((v) => v.projectId)).toEqual([facts.id])
  })

  it('SIDECAST_SHARE_WHILE_RECORDING=0 fixes it: Settings shows it off and read-only, naming the variable', async () => {
    const { library, proxy } = await libraryBehindProxy()
    const dataDir = tempDir('instant-managed')
    const app = await harness(
      dataDir,
      appEnv(proxy, library, { SIDECAST_SHARE_WHILE_RECORDING: '0' })
    )
    const page = await openApp(headless, app)
    await page.getByRole('button', { name: 'Settings', exact: true }).click()
    const settings = page.getByRole('dialog', { name: 'Settings' })
    const share = settings.getByRole('checkbox', { name: 'Share while recording', exact: true })
    await waitUntil('the managed setting to show', async () => await share.isDisabled())
    expect(await share.isChecked()).toBe(false)
    await settings
      .getByText(/SIDECAST_SHARE_WHILE_RECORDING/)
      .first()
      .waitFor()
  })
})
