/**
 * Issue 13 end to end, "edits travel with the video": the real renderer in headless Chromium
 * with the harness as its own process (real main-side services, real upload queue and edits
 * sync), and the real library server on 127.0.0.1 behind a counting proxy. A recording with a
 * cut, a blur box and two callouts goes up from its card as it is (no export); a second member
 * watches the server's render (the kept length, the blur burnt in) with the callouts drawn live
 * only inside their ranges; a callout's text changed in the editor reaches that member's open
 * page with a small PUT and no reload; a new cut shortens the member's video once its render is
 * done; and a visitor by "anyone with the link" watches without an account until the owner
 * turns the link off.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openLibraryDb } from '../../server/src/db/open'
import type { Edits } from '../../src/shared/edits'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess } from '../support/harness-process'
import {
  libraryGet,
  listVideos,
  startCountingProxy,
  startTestLibrary,
  type TestLibrary
} from '../support/library'
import { recordProjectFromFile } from '../support/projects'
import { throttleCpuForStress } from './cpu-throttle'
import { waitForVideo } from './wait-until'

const run = promisify(execFile)
const FFMPEG = process.env.SIDECAST_TEST_FFMPEG ?? 'ffmpeg'

const W = 640
const H = 360
const SECONDS = 8
const FIRST = 'Open the menu'
const FIRST_FIXED = 'Open the Share menu'
const SECOND = 'Press Send now'
const BOB_PASSWORD = 'bob password 1'
/** Renders of 8 s of 640×360 on a slow two-core machine. */
const RENDER_WAIT = { timeout: 120_000, interval: 500 }
const STATE_WAIT = { timeout: 30_000, interval: 200 }

/**
 * The recording's edits (recording clock): 3–5 s cut, a blur box over the middle for the whole
 * video, callout 1 at 0.5–2 s and callout 2 at 5.5–7 s (3.5–5 s on the output clock).
 */
const EDITS: Edits = {
  version: 2,
  keep: [
    [0, 3000],
    [5000, 8000]
  ],
  annotations: [
    { id: 'blur1', type: 'blur', startMs: 0, endMs: 8000, x: 0.3, y: 0.3, w: 0.4, h: 0.4 },
    {
      id: 'c1',
      type: 'callout',
      startMs: 500,
      endMs: 2000,
      x: 0.05,
      y: 0.04,
      w: 0.4,
      h: 0.16,
      text: FIRST
    },
    {
      id: 'c2',
      type: 'callout',
      startMs: 5500,
      endMs: 7000,
      x: 0.55,
      y: 0.04,
      w: 0.4,
      h: 0.16,
      text: SECOND
    }
  ]
}

/** Inside the blur box (0.3–0.7 of the frame), in 640×360 pixels, away from its soft edge. */
const INSIDE_BLUR = { x: 240, y: 130, w: 160, h: 100 }

let browser: Browser
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_CHROMIUM_ARGS]
  })
})

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined)
  await browser?.close().catch(() => undefined)
})

// ---- helpers -------------------------------------------------------------------------------

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sidecast-e2e-${prefix}-`))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * 8 s of H.264/AAC in MP4: a grey picture under strong static random noise (rough in any box,
 * smooth once blurred; static, so it stays small), and a tone.
 */
async function makeNoiseMp4(file: string): Promise<void> {
  // prettier-ignore
  await run(FFMPEG, [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=gray:s=${W}x${H}:r=25:d=${SECONDS},noise=alls=100:allf=u,format=yuv420p`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-g', '25',
    '-c:a', 'aac', '-b:a', '96k', '-shortest',
    '-movflags', '+faststart',
    file
  ], { timeout: 60_000 })
}

/** The grey pixels of `box` in the frame at `seconds` of a video file. */
async function grayBox(
  input: string,
  seconds: number,
  box: { x: number; y: number; w: number; h: number }
): Promise<Uint8Array> {
  // prettier-ignore
  const { stdout } = await run(FFMPEG, [
    '-v', 'error', '-ss', String(seconds), '-i', input, '-frames:v', '1',
    '-vf', `crop=${box.w}:${box.h}:${box.x}:${box.y},format=gray`,
    '-f', 'rawvideo', 'pipe:1'
  ], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024, timeout: 60_000 })
  const pixels = new Uint8Array(stdout)
  expect(pixels.length).toBe(box.w * box.h)
  return pixels
}

/** Variance of neighbouring pixels' differences: large for noise, small once blurred. */
function roughness(pixels: Uint8Array): number {
  let sum = 0
  for (let i = 1; i < pixels.length; i++) sum += ((pixels[i] ?? 0) - (pixels[i - 1] ?? 0)) ** 2
  return sum / (pixels.length - 1)
}

async function durationSeconds(file: string): Promise<number> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file],
    { timeout: 30_000 }
  )
  return Number(stdout.trim())
}

interface ViewJson {
  version: number
  durationMs: number
  media: { kind: string; editsVersion?: number; stale?: boolean; failed?: boolean }
}

/** GET /api/videos/:id/view with the owner's token, straight to the server. */
async function ownerView(library: TestLibrary, videoId: string): Promise<ViewJson> {
  return JSON.parse(
    (await libraryGet(library, `/api/videos/${videoId}/view`)).toString()
  ) as ViewJson
}

async function newContext(baseURL?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    ...(baseURL ? { baseURL } : {})
  })
  cleanups.push(() => context.close())
  const page = await context.newPage()
  page.setDefaultTimeout(30_000)
  await throttleCpuForStress(page)
  return { context, page }
}

async function signIn(page: Page, name: string, password: string): Promise<void> {
  await page.goto('/signin')
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Password').fill(password)
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/signin'),
    page.getByRole('button', { name: 'Sign in' }).click()
  ])
}

/**
 * Evaluates `expression` in a library page until it is true. Never page.waitForFunction there:
 * it polls with eval, which the library's CSP refuses.
 */
async function until(page: Page, expression: string, timeout = 30_000): Promise<void> {
  await expect.poll(() => page.evaluate(expression), { timeout, interval: 200 }).toBe(true)
}

/** Pauses the watch page's player, sets its time and resolves once the seek is done. */
async function seekTo(page: Page, seconds: number): Promise<void> {
  await page.evaluate(`new Promise((resolve) => {
    const video = document.querySelector('#player')
    video.pause()
    video.addEventListener('seeked', () => resolve(undefined), { once: true })
    video.currentTime = ${seconds}
  })`)
}

/** A callout's text drawn over the player (the side list of callouts always names them all). */
function drawn(page: Page, text: string): ReturnType<Page['locator']> {
  return page.locator('.live-layer').getByText(text, { exact: true })
}

/** Shows exactly `shown` (of every callout text in `all`) drawn over the player at `seconds`. */
async function expectDrawnAt(
  page: Page,
  seconds: number,
  shown: readonly string[],
  all: readonly string[]
): Promise<void> {
  await seekTo(page, seconds)
  for (const text of shown) await drawn(page, text).waitFor()
  for (const text of all.filter((t) => !shown.includes(t))) {
    expect(await drawn(page, text).count(), `"${text}" drawn at ${seconds} s`).toBe(0)
  }
}

/** The player's length in seconds once it knows it, as the video element says. */
function playerDuration(page: Page): Promise<number> {
  return page.evaluate(`(() => {
    const v = document.querySelector('#player')
    return v && v.readyState >= 1 && isFinite(v.duration) ? v.duration : -1
  })()`) as Promise<number>
}

/** Files in the project's exports folder (none, when it does not exist). */
function exportsOf(projectDir: string): string[] {
  const dir = join(projectDir, 'exports')
  return existsSync(dir) ? readdirSync(dir) : []
}

function editsPuts(library: TestLibrary, videoId: string): typeof library.requests {
  return library.requests.filter(
    (r) => r.method === 'PUT' && r.path === `/api/videos/${videoId}/edits`
  )
}

function uploadPosts(library: TestLibrary): number {
  return library.requests.filter((r) => r.method === 'POST' && r.path === '/api/uploads').length
}

/** Presses a key `times` times (the editor handles each press as one step). */
async function press(page: Page, key: string, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await page.keyboard.press(key)
}

/** Reads the project's edits.json until `accept` says it has what the test did. */
async function waitForLocalEdits(file: string, accept: (e: Edits) => boolean): Promise<Edits> {
  let last: Edits | null = null
  await expect
    .poll(
      () => {
        try {
          last = JSON.parse(readFileSync(file, 'utf8')) as Edits
        } catch {
          return false // being written
        }
        return accept(last)
      },
      { timeout: 30_000, interval: 200 }
    )
    .toBe(true)
  return last!
}

// ---- the test ------------------------------------------------------------------------------

describe('edits travel with the video (issue 13)', () => {
  it('uploads as it is; a member and a visitor by link get the render with live callouts; later edits follow', async () => {
    // ---- 1. The library behind the counting proxy, bob as a second member, the app. ----------
    let port = 0
    const proxy = await startCountingProxy(() => port)
    cleanups.push(() => proxy.close())
    const library = await startTestLibrary({ publicUrl: proxy.url })
    cleanups.push(() => library.dispose())
    port = library.port
    // Added as an admin would with `sidecast-library user add bob` while the server runs.
    const db = await openLibraryDb({ file: join(library.dataDir, 'library.db') })
    try {
      await db.createUser('bob', BOB_PASSWORD, false)
    } finally {
      await db.close()
    }

    const dataDir = tempDir('live-edits')
    const work = tempDir('live-edits-source')
    const source = join(work, 'noise.mp4')
    await makeNoiseMp4(source)
    const facts = await recordProjectFromFile(dataDir, source, { mimeType: 'video/mp4' })
    const projectDir = join(dataDir, 'projects', facts.id)
    const recordingFile = join(projectDir, facts.file)
    expect(facts).toMatchObject({ container: 'mp4', videoCodec: 'h264', width: W, height: H })
    writeFileSync(join(projectDir, 'edits.json'), JSON.stringify(EDITS, null, 2))

    const app = await startHarnessProcess(dataDir, {
      SIDECAST_LIBRARY_URL: proxy.url,
      SIDECAST_LIBRARY_TOKEN: library.token
    })
    cleanups.push(() => app.stop())
    const owner = await newContext()
    const appPage = owner.page
    const problems: string[] = []
    appPage.on('pageerror', (error) => problems.push(error.message))
    await appPage.goto(app.url)

    // Uploaded from the card as a person would: Upload…, a title, Upload.
    const title = 'Sharing a draft'
    await appPage
      .getByRole('button', { name: `Upload “${facts.title}”`, exact: true })
      .click({ timeout: 30_000 })
    const dialog = appPage.getByRole('dialog', { name: /^Upload/ })
    await dialog.waitFor()
    await dialog.getByLabel('Title', { exact: true }).fill(title)
    await dialog.getByRole('button', { name: 'Upload', exact: true }).click()
    await appPage
      .getByRole('button', { name: `Copy link to “${title}”`, exact: true })
      .waitFor({ timeout: 120_000 })
    const closeDialog = dialog.getByRole('button', { name: 'Close', exact: true })
    if (await closeDialog.isVisible()) await closeDialog.click()

    const videos = await listVideos(library)
    expect(videos.map((v) => v.title)).toEqual([title])
    const video = videos[0]!
    // Sent as it is: the recording's own bytes, and no export made first.
    expect(video.sizeBytes).toBe(readFileSync(recordingFile).length)
    expect(exportsOf(projectDir), 'exports made').toEqual([])
    expect(uploadPosts(library)).toBe(1)
    // Its edits followed the upload: version 1 on the library, and the card says so.
    await appPage
      .getByRole('article', { name: title })
      .getByText('Edits synced')
      .waitFor({ timeout: 60_000 })
    expect((await ownerView(library, video.id)).version).toBe(1)

    // ---- 2. Bob opens the link. --------------------------------------------------------------
    // On the server's own address (the link's path), so the proxy counts only what the app sends.
    const link = new URL(video.url)
    expect(link.origin).toBe(proxy.url)
    const bob = await newContext(library.url)
    const bobPage = bob.page
    await signIn(bobPage, 'bob', BOB_PASSWORD)
    await bobPage.goto(link.pathname)
    await bobPage.locator('.player.live').waitFor({ state: 'attached' })
    // "Processing" until the render is done (fine), then the render plays: the kept length.
    await expect
      .poll(async () => Math.abs((await playerDuration(bobPage)) - 6), RENDER_WAIT)
      .toBeLessThanOrEqual(0.2)
    await expect.poll(() => bobPage.locator('.player-time-total').textContent()).toBe('0:06')
    expect(await bobPage.locator('.player-processing').isHidden()).toBe(true)

    // Each callout's text is in the page only inside its range (output clock: 0.5–2, 3.5–5 s).
    const texts = [FIRST, SECOND]
    await expectDrawnAt(bobPage, 1.2, [FIRST], texts)
    // Real text in the document, not a picture of it.
    expect(await drawn(bobPage, FIRST).evaluate((node) => node.tagName)).toBe('text')
    await expectDrawnAt(bobPage, 2.8, [], texts)
    await expectDrawnAt(bobPage, 4.2, [SECOND], texts)
    await expectDrawnAt(bobPage, 5.5, [], texts)

    // The bytes bob is served: the render (6 s), the box smooth; the original's box is rough.
    const served = await bob.context.request.get(`/media/${video.id}`)
    expect(served.status()).toBe(200)
    expect(served.headers()['content-type']).toBe('video/mp4')
    const bobFile = join(work, 'bob.mp4')
    writeFileSync(bobFile, await served.body())
    expect(Math.abs((await durationSeconds(bobFile)) - 6)).toBeLessThanOrEqual(0.2)
    const originalFile = join(work, 'original.mp4')
    writeFileSync(originalFile, await libraryGet(library, `/media/${video.id}?original=1`))
    expect(readFileSync(originalFile).equals(readFileSync(recordingFile))).toBe(true)
    const rough = roughness(await grayBox(originalFile, 1, INSIDE_BLUR))
    const smooth = roughness(await grayBox(bobFile, 1, INSIDE_BLUR))
    expect(rough, 'the original’s box').toBeGreaterThan(1000)
    expect(smooth, `bob's box (original ${rough})`).toBeLessThan(rough / 20)
    // Bob cannot ask for the original.
    expect((await bob.context.request.get(`/media/${video.id}?original=1`)).status()).toBe(403)

    // ---- 3. The owner fixes callout 1's text in the editor (through its UI). ----------------
    await appPage.getByRole('button', { name: `Edit “${title}”`, exact: true }).click()
    await appPage.getByRole('region', { name: 'Editor' }).waitFor()
    await appPage.getByTestId('editor-stage').waitFor()
    await waitForVideo(appPage)
    // To 1 s, inside callout 1, and edit its text in place (double-click, type, Enter).
    await press(appPage, 'Home')
    await press(appPage, 'Shift+ArrowRight')
    const target = appPage.getByRole('button', { name: `Text callout: ${FIRST}`, exact: true })
    await target.waitFor()
    // The targets are for the keyboard and screen readers; the mouse acts on the overlay under
    // them: a double-click on the bubble, where a person would.
    const bubble = await target.boundingBox()
    if (!bubble) throw new Error('Callout 1 is not shown in the editor')
    await appPage.mouse.dblclick(bubble.x + bubble.width / 2, bubble.y + bubble.height / 2)
    const field = appPage.getByRole('textbox', { name: 'Callout text' })
    await expect
      .poll(() => appPage.evaluate(`document.activeElement?.getAttribute('aria-label')`))
      .toBe('Callout text')
    await appPage.keyboard.press('ControlOrMeta+a')

    // Bob's page waits inside callout 1's range, in the same document throughout.
    await expectDrawnAt(bobPage, 1.2, [FIRST], texts)
    await bobPage.evaluate(`window.__sameDocument = true`)
    const putsBefore = editsPuts(library, video.id).length
    const bytesBefore = proxy.bytesUp()

    await appPage.keyboard.type(FIRST_FIXED)
    await appPage.keyboard.press('Enter')
    await expect.poll(() => field.count()).toBe(0)
    // Within 10 s (the issue: "within a few seconds"), no reload.
    await drawn(bobPage, FIRST_FIXED).waitFor({ timeout: 10_000 })
    expect(await drawn(bobPage, FIRST).count()).toBe(0)
    expect(await bobPage.evaluate(`window.__sameDocument === true`)).toBe(true)
    // Sent as an edits PUT (answered 200) under 64 KB; nothing uploaded again.
    await expect
      .poll(() => editsPuts(library, video.id).slice(putsBefore), STATE_WAIT)
      .toEqual([expect.objectContaining({ status: 200 })])
    const sent = proxy.bytesUp() - bytesBefore
    expect(sent).toBeGreaterThan(0)
    expect(sent).toBeLessThan(64 * 1024)
    expect(uploadPosts(library)).toBe(1)
    // The view's version moved on; a text change needs no new render (the same one serves).
    const afterText = await ownerView(library, video.id)
    expect(afterText.version).toBeGreaterThan(1)
    expect(afterText.media).toMatchObject({ kind: 'render', stale: false })

    // ---- 4. The owner cuts 0–1 s in the editor (keys [, ] and x). ---------------------------
    await press(appPage, 'Escape') // deselect the callout: arrows move the playhead again
    await press(appPage, 'Home')
    await press(appPage, '[')
    await press(appPage, 'Shift+ArrowRight')
    await press(appPage, ']')
    await press(appPage, 'x')
    const local = await waitForLocalEdits(
      join(projectDir, 'edits.json'),
      (e) => e.keep.length === 2 && e.keep[0]![0] > 0
    )
    expect(local.keep).toEqual([
      [1000, 3000],
      [5000, 8000]
    ])
    expect(local.annotations.find((a) => a.id === 'c1')).toMatchObject({
      x: 0.05,
      y: 0.04,
      text: FIRST_FIXED
    })
    // The library renders it; until then bob keeps the previous render.
    await expect
      .poll(async () => {
        const view = await ownerView(library, video.id)
        return view.durationMs === 5000 && view.media.kind === 'render' && !view.media.stale
      }, RENDER_WAIT)
      .toBe(true)
    // Bob's page swaps to it by itself: 5 s, in the same document.
    await expect
      .poll(async () => Math.abs((await playerDuration(bobPage)) - 5), STATE_WAIT)
      .toBeLessThanOrEqual(0.2)
    await expect.poll(() => bobPage.locator('.player-time-total').textContent()).toBe('0:05')
    expect(await bobPage.evaluate(`window.__sameDocument === true`)).toBe(true)
    // Callout 2 is at 2.5–4 s of output now.
    await expectDrawnAt(bobPage, 3.2, [SECOND], [FIRST_FIXED, SECOND])
    expect(exportsOf(projectDir), 'exports made').toEqual([])

    // ---- 5. Anyone with the link, through the owner's watch page. ---------------------------
    const alice = await newContext(library.url)
    await signIn(alice.page, library.userName, 'alice-password')
    await alice.page.goto(link.pathname)
    await alice.page.getByRole('radio', { name: /Anyone with the link/ }).check()
    await alice.page.getByText('Anyone with the link can watch now.').waitFor()
    const anyoneUrl = await alice.page.locator('#access-link-input').inputValue()
    expect(anyoneUrl).toMatch(new RegExp(`^${proxy.url}/s/[\\w-]{43}$`))

    // A fresh browser context: no cookies, no account.
    const visitor = await newContext()
    const visitorPage = visitor.page
    const opened = await visitorPage.goto(anyoneUrl)
    expect(opened?.status()).toBe(200)
    await visitorPage.locator('.player.live').waitFor({ state: 'attached' })
    await expect
      .poll(async () => Math.abs((await playerDuration(visitorPage)) - 5), STATE_WAIT)
      .toBeLessThanOrEqual(0.2)
    // It plays: the player's Play button (a click, as a person) makes its time run.
    await visitorPage.getByRole('button', { name: 'Play', exact: true }).click()
    await until(
      visitorPage,
      `(() => { const v = document.querySelector('#player'); return !v.paused && v.currentTime > 0.3 && v.error === null })()`
    )
    await expectDrawnAt(visitorPage, 3.2, [SECOND], [FIRST_FIXED, SECOND])
    await expectDrawnAt(visitorPage, 0.5, [FIRST_FIXED], [FIRST_FIXED, SECOND])
    // No library around it: no search box, no way into the library.
    expect(await visitorPage.getByRole('search').count()).toBe(0)
    expect(await visitorPage.locator('input[type="search"]').count()).toBe(0)

    // The owner turns the link off: the visitor's reload is refused.
    await alice.page.getByRole('button', { name: 'Turn off link' }).click()
    await alice.page
      .getByText('The link was turned off.', { exact: true })
      .waitFor({ timeout: 30_000 })
    const reloaded = await visitorPage.reload()
    expect(reloaded?.status()).toBe(404)
    await visitorPage.getByText('This link was turned off or never existed.').waitFor()

    expect(problems, 'app page errors').toEqual([])
  }, 600_000)
})
