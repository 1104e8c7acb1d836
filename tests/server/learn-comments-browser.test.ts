/**
 * The watch page's comments.js in a real (headless) Chromium against a real server: the comment
 * markers moved onto the live player's progress bar with their names, the form's moment that
 * follows the player's output time until typed in ("Use current time" makes it follow again),
 * a time in the list seeking there, "This helped" and an emoji sent without a reload, and what
 * was played reported to the library as watched ranges (completion on the insights).
 */
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { signInWithFetch } from './helpers-pages/session'
import {
  createUpload,
  makeVideo,
  request,
  startServer,
  tempDir,
  waitFor,
  type TestServer
} from './support'

let s: TestServer
let browser: Browser
let video: Buffer

beforeAll(async () => {
  video = await makeVideo(path.join(tempDir('learn-browser'), 'clip.mp4'), { seconds: 3 })
  s = await startServer()
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [...BASE_CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required']
  })
})

afterAll(async () => {
  await browser?.close()
  await s?.close()
})

async function upload(title: string): Promise<string> {
  const { res } = await createUpload(
    s,
    video.length,
    { filename: 'clip.mp4', title },
    s.token,
    video
  )
  expect(res.status).toBe(201)
  return String(res.headers['sidecast-video-id'])
}

/** Script errors and Content-Security-Policy refusals the pages opened here reported. */
const troubles: string[] = []

async function openAs(name: string, password: string, pathname: string): Promise<Page> {
  const session = await signInWithFetch(s.url, name, password)
  const [cookieName, cookieValue] = session.cookie.split('=') as [string, string]
  const context = await browser.newContext()
  await context.addCookies([{ name: cookieName, value: cookieValue, url: s.url }])
  const page = await context.newPage()
  page.on('pageerror', (e) => troubles.push(e.message))
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) troubles.push(m.text())
  })
  await page.goto(`${s.url}${pathname}`)
  // The live layer takes the player over (its own bar shown).
  await page.waitForSelector('.player-bar:not([hidden])')
  return page
}

describe('comments.js on the watch page', () => {
  it('puts markers on the bar, keeps the moment with the player, reacts and reports watching', async () => {
    const id = await upload('Browser comments')
    const posted = await request(
      s.url,
      'POST',
      `/api/videos/${id}/comments`,
      { Authorization: `Bearer ${s.otherToken}`, 'Content-Type': 'application/json' },
      JSON.stringify({ body: 'Look here', atMs: 2000, question: true })
    )
    expect(posted.status).toBe(201)

    const page = await openAs('bob', 'bob-password', `/v/${id}`)
    const marker = page.locator('.player-progress .comment-markers .comment-marker')
    await marker.waitFor()
    expect(await marker.getAttribute('aria-label')).toBe('Question at 0:02 by bob')
    const left = await marker.evaluate((el: { style: { left: string } }) => el.style.left)
    expect(Number(String(left).replace('%', ''))).toBeGreaterThan(50)

    // The moment follows the player (output time) until typed in.
    const at = page.locator('#comment-at')
    expect(await at.inputValue()).toBe('0:00')
    await page.evaluate('window.sidecastLive.seekOutput(1500, false)')
    await waitFor('the moment to follow the player', async () => (await at.inputValue()) === '0:01')
    await at.fill('0:00')
    await page.evaluate('window.sidecastLive.seekOutput(2500, false)')
    await page.waitForFunction('window.sidecastLive.currentOutputMs() >= 2000')
    expect(await at.inputValue()).toBe('0:00')
    await page.click('.comment-at-now')
    expect(await at.inputValue()).toBe('0:02')

    // A time in the list seeks there.
    await page.evaluate('window.sidecastLive.seekOutput(0, false)')
    await page.click('.comment-time')
    await page.waitForFunction('window.sidecastLive.currentOutputMs() >= 2000')

    // "This helped" and an emoji, without a reload.
    await page.click('.helped-toggle')
    await page.waitForSelector('.helped-toggle[aria-pressed="true"]')
    expect(await page.locator('.helped-count').textContent()).toBe('1')
    await page.click('.emoji-button[data-kind="💡"]')
    await page.waitForSelector('.emoji-button[data-kind="💡"].emoji-mine')
    expect(await page.locator('.emoji-button[data-kind="💡"] .emoji-count').textContent()).toBe('1')
    const counts = s.app.library.db.reactionsOf(id, s.other.id)
    expect(counts.helped).toBe(1)
    expect(counts.moments.map((m) => m.kind)).toEqual(['💡'])

    // Play from the start to the end: the report on `ended` covers most of it.
    await page.evaluate(
      'document.getElementById("player").muted = true; window.sidecastLive.seekOutput(0, true)'
    )
    const record = await waitFor(
      'the watched report',
      async () => {
        const mine = s.app.library.db.watchersOf(id).find((w) => w.userId === s.other.id)
        return mine && mine.completion > 0.6 ? mine : null
      },
      30_000
    )
    expect(record.ranges.length).toBeGreaterThan(0)
    expect(record.durationMs).toBeGreaterThan(2500)
    await page.context().close()
    expect(troubles).toEqual([])
  })

  it('takes the moment on the viewers’ clock in the owner’s preview of the original', async () => {
    const id = await upload('Preview moments')
    // Viewers watch 0–1 s and 2–3 s of the recording: 2 s in all.
    const edits = await request(
      s.url,
      'PUT',
      `/api/videos/${id}/edits`,
      { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' },
      JSON.stringify({
        baseVersion: 0,
        edits: {
          version: 1,
          keep: [
            [0, 1000],
            [2000, 3000]
          ],
          annotations: []
        }
      })
    )
    expect(edits.status).toBe(200)
    const page = await openAs('alice', 'alice-password', `/v/${id}`)
    await page.check('input[name="watch-mode"][value="preview"]')
    await page.waitForFunction(
      'document.getElementById("player").getAttribute("src").includes("original=1")'
    )
    await page.waitForFunction('document.getElementById("player").readyState >= 1')
    // 1.5 s of output is 2.5 s of the recording; the moment is the output's.
    await page.evaluate('window.sidecastLive.seekOutput(1500, false)')
    await page.waitForFunction(
      'Math.abs(document.getElementById("player").currentTime - 2.5) < 0.05'
    )
    expect(await page.evaluate('window.sidecastLive.currentOutputMs()')).toBe(1500)
    await waitFor(
      'the moment on the output clock',
      async () => (await page.locator('#comment-at').inputValue()) === '0:01'
    )
    await page.context().close()
    expect(troubles).toEqual([])
  })
})
