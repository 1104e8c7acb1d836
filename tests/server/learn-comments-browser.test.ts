/**
 * The watch page's comments.js in a real (headless) Chromium against a real server: the comment
 * markers moved onto the live player's progress bar with their names, the form's moment that
 * follows the player's output time until typed in ("Use current time" makes it follow again),
 * a time in the list seeking there, "This helped" and an emoji sent without a reload, and what
 * was played reported to the library as watched ranges (completion on the insights); Reply, Edit
 * and Delete opening the page's one shared form of each in place (focused, Escape and Cancel
 * close it) and posting through it.
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

/**
 * Waits until the expression is true in the page, asking through the debugging protocol each
 * time: Playwright's waitForFunction with a string polls it with `eval` inside the page, which
 * the pages' Content-Security-Policy refuses whenever it is not true at the first look.
 */
async function until(page: Page, expression: string): Promise<void> {
  await waitFor(expression, async () => (await page.evaluate(expression)) === true)
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
    // A time update past 2 s reaches this listener after comments.js's (registered at load), so
    // the field is read only once the page has had its chance to follow the player.
    await page.evaluate(
      'window.sidecastLive.onTimeUpdate((ms) => { if (ms >= 2000) window.__updatedPast2s = true })'
    )
    await page.evaluate('window.sidecastLive.seekOutput(2500, false)')
    await until(page, 'window.__updatedPast2s === true')
    expect(await at.inputValue()).toBe('0:00')
    await page.click('.comment-at-now')
    expect(await at.inputValue()).toBe('0:02')

    // A time in the list seeks there.
    await page.evaluate('window.sidecastLive.seekOutput(0, false)')
    await page.click('.comment-time')
    await until(page, 'window.sidecastLive.currentOutputMs() >= 2000')

    // "This helped" and an emoji, without a reload.
    await page.click('.helped-toggle')
    await page.waitForSelector('.helped-toggle[aria-pressed="true"]')
    expect(await page.locator('.helped-count').textContent()).toBe('1')
    await page.click('.emoji-button[data-kind="💡"]')
    await page.waitForSelector('.emoji-button[data-kind="💡"].emoji-mine')
    expect(await page.locator('.emoji-button[data-kind="💡"] .emoji-count').textContent()).toBe('1')
    const counts = await s.app.library.db.reactionsOf(id, s.other.id)
    expect(counts.helped).toBe(1)
    expect(counts.moments.map((m) => m.kind)).toEqual(['💡'])

    // Play from the start to the end: the report on `ended` covers most of it.
    await page.evaluate(
      'document.getElementById("player").muted = true; window.sidecastLive.seekOutput(0, true)'
    )
    const record = await waitFor(
      'the watched report',
      async () => {
        const mine = (await s.app.library.db.watchersOf(id)).find((w) => w.userId === s.other.id)
        return mine && mine.completion > 0.6 ? mine : null
      },
      30_000
    )
    expect(record.ranges.length).toBeGreaterThan(0)
    expect(record.durationMs).toBeGreaterThan(2500)
    await page.context().close()
    expect(troubles).toEqual([])
  })

  it('replies, edits and deletes through the page’s one shared form of each, opened in place', async () => {
    const id = await upload('Shared forms')
    const api = (method: string, pathname: string, body?: unknown) =>
      request(
        s.url,
        method,
        pathname,
        { Authorization: `Bearer ${s.otherToken}`, 'Content-Type': 'application/json' },
        body === undefined ? undefined : JSON.stringify(body)
      )
    const first = JSON.parse(
      (await api('POST', `/api/videos/${id}/comments`, { body: 'First <b>one</b>', atMs: 1000 }))
        .text
    ) as { id: string }
    const second = JSON.parse(
      (await api('POST', `/api/videos/${id}/comments`, { body: 'Second one', atMs: 2000 })).text
    ) as { id: string }

    const page = await openAs('bob', 'bob-password', `/v/${id}`)
    const replyForm = page.locator('form.comment-reply-form')
    expect(await replyForm.isVisible()).toBe(false)

    // Reply: the form opens under the thread, focused, for that thread; Escape closes it and
    // gives focus back to the Reply link.
    const replyLink = page.locator(`a[href="/comments/${first.id}/reply"]`)
    await replyLink.click()
    await page.waitForSelector(`.comment-thread:has(#c-${first.id}) form.comment-reply-form`)
    expect(await page.evaluate('document.activeElement.id')).toBe('comment-reply-body')
    expect(await replyForm.locator('input[name="parentId"]').inputValue()).toBe(first.id)
    expect(await replyForm.locator('label').textContent()).toBe('Your reply to bob')
    await page.keyboard.press('Escape')
    await page.waitForSelector('form.comment-reply-form', { state: 'hidden' })
    expect(await page.evaluate(`document.activeElement.getAttribute('href')`)).toBe(
      `/comments/${first.id}/reply`
    )
    // The other thread's Reply moves the same form there.
    await page.locator(`a[href="/comments/${second.id}/reply"]`).click()
    await page.waitForSelector(`.comment-thread:has(#c-${second.id}) form.comment-reply-form`)
    expect(await page.locator('form.comment-reply-form').count()).toBe(1)
    expect(await replyForm.locator('input[name="parentId"]').inputValue()).toBe(second.id)
    await page.fill('#comment-reply-body', 'Answered in the second')
    await Promise.all([
      page.waitForURL((u) => u.hash.startsWith('#c-')),
      page.click('form.comment-reply-form .btn-primary')
    ])
    const replies = (await s.app.library.db.commentsOf(id)).find((t) => t.comment.id === second.id)
    expect(replies?.replies.map((r) => r.body)).toEqual(['Answered in the second'])
    await page.waitForSelector('.player-bar:not([hidden])')

    // Edit: the shared edit form under the comment with its text and moment, focused.
    await page.locator(`a[href="/comments/${first.id}/edit"]`).click()
    await page.waitForSelector(`#c-${first.id} form.comment-edit-form`)
    expect(await page.evaluate('document.activeElement.id')).toBe('comment-edit-body')
    expect(await page.inputValue('#comment-edit-body')).toBe('First <b>one</b>')
    expect(await page.inputValue('#comment-edit-at')).toBe('0:01')
    await page.fill('#comment-edit-body', 'First, edited')
    await page.fill('#comment-edit-at', '0:02')
    await Promise.all([
      page.waitForURL((u) => u.hash === `#c-${first.id}`),
      page.click('form.comment-edit-form .btn-primary')
    ])
    expect(await s.app.library.db.getComment(first.id)).toMatchObject({
      body: 'First, edited',
      atMs: 2000
    })
    await page.waitForSelector('.player-bar:not([hidden])')

    // A reply's edit has no moment.
    const reply = replies?.replies[0]
    await page.locator(`a[href="/comments/${reply?.id}/edit"]`).click()
    await page.waitForSelector(`#c-${reply?.id} form.comment-edit-form`)
    expect(await page.inputValue('#comment-edit-body')).toBe('Answered in the second')
    expect(await page.locator('#comment-edit-at').isVisible()).toBe(false)
    await page.click('form.comment-edit-form .comment-cancel')
    await page.waitForSelector('form.comment-edit-form', { state: 'hidden' })

    // Delete: the inline confirmation, then the comment is gone.
    await page.locator(`a[href="/comments/${reply?.id}/delete"]`).click()
    await page.waitForSelector(`#c-${reply?.id} form.comment-delete-form`)
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Delete comment')
    await Promise.all([
      page.waitForURL((u) => u.hash === `#c-${second.id}`),
      page.keyboard.press('Enter')
    ])
    await page.waitForSelector('.player-bar:not([hidden])')
    expect(
      (await s.app.library.db.commentsOf(id)).find((t) => t.comment.id === second.id)?.replies
    ).toEqual([])
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
    await until(
      page,
      'document.getElementById("player").getAttribute("src").includes("original=1")'
    )
    await until(page, 'document.getElementById("player").readyState >= 1')
    // 1.5 s of output is 2.5 s of the recording; the moment is the output's.
    await page.evaluate('window.sidecastLive.seekOutput(1500, false)')
    await until(page, 'Math.abs(document.getElementById("player").currentTime - 2.5) < 0.05')
    expect(await page.evaluate('window.sidecastLive.currentOutputMs()')).toBe(1500)
    await waitFor(
      'the moment on the output clock',
      async () => (await page.locator('#comment-at').inputValue()) === '0:01'
    )
    await page.context().close()
    expect(troubles).toEqual([])
  })
})
