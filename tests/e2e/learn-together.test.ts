/**
 * End to end "Learn together" (issue 17): two real Chromium users against the real library server
 * on 127.0.0.1, and alice's app through the harness (the real renderer in headed Chromium under
 * Xvfb, the app's real main-side services as their own process).
 *
 * bob asks for a walkthrough on the library's pages; alice's app lists it in the Requests view,
 * "Record an answer" records the screen under the request's title and shares it while it is
 * recorded; the library links it as the answer and bob finds it in his inbox. bob asks a question
 * at 0:05 of the answer; alice's app shows a native notification that opens that moment, and her
 * inbox takes her there; she replies, and the question's marker seeks the player to 0:05. bob marks
 * "This helped" and alice sees it helped one colleague. A fake chat client unfurls the links: the
 * team video's address shows a generic card and nothing of the video; once alice lets anyone with
 * the link watch, its link shows the title (Open Graph and oEmbed).
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { NotificationJson, RequestJson } from '../../src/shared/learn'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess, type HarnessProcess } from '../support/harness-process'
import { startTestLibrary, type TestLibrary } from '../support/library'
import {
  openRecorder,
  startCaptureScreen,
  stopCaptureScreen,
  waitForFacts,
  type CaptureScreen
} from './recorder-page'
import { waitUntil } from './wait-until'

const run = promisify(execFile)
const ROOT = join(import.meta.dirname, '../..')

const TITLE = 'How do I reconcile supplier invoices?'
const QUESTION = 'Where does the supplier number come from?'
const REPLY = 'From the purchase order, top right.'
/** The answer is recorded at least this long, so a question can be asked at 0:05 of it. */
const ANSWER_SECONDS = 7

let screen: CaptureScreen | undefined
/** The two colleagues' browser (their own contexts: their own cookies). */
let people: Browser
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  screen = await startCaptureScreen({ width: 1280, height: 800 }, '#2e8b57', '1100,760')
  people = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required']
  })
  cleanups.push(() => people.close())
})

afterAll(() => stopCaptureScreen(screen, cleanups))

// ---- helpers -------------------------------------------------------------------------------

/** The library's admin command line on its data folder (as tests/server/cli.test.ts runs it). */
async function serverCli(library: TestLibrary, args: string[]): Promise<string> {
  const { stdout } = await run(
    join(ROOT, 'node_modules/.bin/tsx'),
    ['src/main.ts', ...args, '--data', library.dataDir],
    { cwd: join(ROOT, 'server'), timeout: 60_000 }
  )
  return stdout
}

async function api<T>(
  library: TestLibrary,
  path: string,
  body?: unknown
): Promise<{ status: number; json: T }> {
  const response = await fetch(`${library.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      Authorization: `Bearer ${library.token}`,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  return { status: response.status, json: (await response.json()) as T }
}

/** A colleague signed in to the library's pages in a context of their own. */
async function signIn(library: TestLibrary, name: string, password: string): Promise<Page> {
  const context = await people.newContext({ viewport: { width: 1280, height: 900 } })
  cleanups.push(() => context.close())
  const page = await context.newPage()
  await page.goto(`${library.url}/signin`)
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'))
  return page
}

/** Seconds shown by the recording bar's timer ("Elapsed 0:07"). */
async function elapsedSeconds(page: Page): Promise<number> {
  const label = (await page.locator('time.timer').getAttribute('aria-label')) ?? ''
  const parts = /Elapsed ([\d:]+)/.exec(label)?.[1]?.split(':').map(Number) ?? []
  return parts.reduce((total, part) => total * 60 + part, 0)
}

/** What a chat tool sees of a link: the Open Graph tags and oEmbed link of the page it lands on. */
async function unfurl(url: string): Promise<{ body: string; og: Map<string, string> }> {
  const response = await fetch(url, {
    redirect: 'follow',
    headers: { 'User-Agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' }
  })
  const body = await response.text()
  const og = new Map<string, string>()
  for (const tag of body.matchAll(/<meta\s+property="(og:[a-z:_]+)"\s+content="([^"]*)"/g)) {
    og.set(
      tag[1]!,
      tag[2]!
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&')
    )
  }
  const oembed = /<link rel="alternate" type="application\/json\+oembed" href="([^"]+)"/.exec(body)
  if (oembed) og.set('oembed', oembed[1]!.replace(/&amp;/g, '&'))
  return { body, og }
}

async function notificationsShown(
  harness: HarnessProcess
): Promise<{ title: string; body: string; url?: string }[]> {
  return (await (await fetch(`${harness.url}/__test/notifications`)).json()) as {
    title: string
    body: string
    url?: string
  }[]
}

// ---- the story -----------------------------------------------------------------------------

describe('learning together: a request, its answer, a question at a moment, thanks', () => {
  it('bob asks, alice answers from the app, they talk at 0:05, bob thanks her, links unfurl safely', async () => {
    const library = await startTestLibrary()
    cleanups.push(() => library.dispose())
    await serverCli(library, ['user', 'add', 'bob', '--password', 'bob-password-1'])
    const bob = await signIn(library, 'bob', 'bob-password-1')
    const alice = await signIn(library, 'alice', 'alice-password')

    // bob asks for a walkthrough on the library's pages.
    await bob.goto(`${library.url}/requests/new`)
    await bob.getByLabel('Title').fill(TITLE)
    await bob.getByLabel('Details (optional)').fill('The month-end steps in the finance tool.')
    await bob.getByLabel('Tags (optional)').fill('finance, invoices')
    await bob.getByRole('button', { name: 'Ask for a walkthrough' }).click()
    await bob.waitForURL((url) => /^\/r\/[A-Za-z0-9_-]+$/.test(url.pathname))
    const requestId = new URL(bob.url()).pathname.split('/').at(-1)!
    await bob.getByRole('heading', { level: 1, name: TITLE }).waitFor()

    // alice's app lists it in the Requests view, with who asked, the tags and what it has.
    const dataDir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-learn-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const harness = await startHarnessProcess(dataDir, {
      SIDECAST_LIBRARY_URL: library.url,
      SIDECAST_LIBRARY_TOKEN: library.token,
      // Polled every second here (60 s in the app), so the notification below comes quickly.
      SIDECAST_E2E_LEARN_POLL_MS: '1000'
    })
    cleanups.push(() => harness.stop())
    const app = await openRecorder(screen!.browser, harness, { cleanups, throttleCpu: true })
    await app.getByRole('button', { name: 'Requests', exact: true }).click()
    const card = app
      .getByRole('list', { name: 'Open requests' })
      .getByRole('listitem')
      .filter({ hasText: TITLE })
    await card.waitFor({ timeout: 30_000 })
    await expect(card.textContent()).resolves.toMatch(/Asked by bob/)
    await expect(card.textContent()).resolves.toMatch(/1 wants this/)
    await expect(card.textContent()).resolves.toMatch(/No answers yet/)
    await expect(card.getByRole('list', { name: 'Tags' }).textContent()).resolves.toBe(
      '#finance#invoices'
    )

    // "Open in library" asks main to open the request's page in the browser.
    await card.getByRole('button', { name: `Open “${TITLE}” in the library` }).click()
    await waitUntil(
      'the request page opened',
      async () => {
        const opened = (await (await fetch(`${harness.url}/__test/opened`)).json()) as string[]
        return opened.includes(`${library.url}/r/${requestId}`) ? opened : undefined
      },
      10_000
    )

    // "Record an answer": the take is titled with the request and knows what it answers.
    await card.getByRole('button', { name: `Record an answer to “${TITLE}”` }).click()
    // Past the countdown, when there is one (its Skip, or already the recording bar).
    const skip = app.getByRole('button', { name: /Skip/ })
    await skip
      .or(app.getByRole('button', { name: 'Stop recording' }))
      .first()
      .waitFor()
    if (await skip.isVisible()) await skip.click().catch(() => undefined) // it may just have ended
    await app.getByRole('button', { name: 'Stop recording' }).waitFor({ timeout: 20_000 })
    await app.getByText(`Answering: ${TITLE}`).waitFor()
    const recording = await waitForFacts(
      dataDir,
      (f) => f.answers === requestId && (f.bytesWritten ?? 0) > 0,
      30_000,
      'the answer being recorded'
    )
    expect(recording.title).toBe(TITLE)
    await expect
      .poll(() => elapsedSeconds(app), { timeout: 60_000, interval: 250 })
      .toBeGreaterThanOrEqual(ANSWER_SECONDS)
    await app.getByRole('button', { name: 'Stop recording' }).click()
    const finished = await waitForFacts(
      dataDir,
      (f) => f.id === recording.id && f.status === 'complete',
      60_000,
      'the answer finished'
    )
    expect(finished.answers).toBe(requestId)

    // Shared while it was recorded: the library links it as the request's answer.
    const answered = await waitUntil(
      'the library to list the video as the answer',
      async () => {
        const { json } = await api<RequestJson>(library, `/api/requests/${requestId}`)
        return json.answers.length > 0 ? json : undefined
      },
      120_000,
      500
    )
    expect(answered.answers).toHaveLength(1)
    expect(answered.answers[0]).toMatchObject({ title: TITLE, authorName: 'alice' })
    const videoId = answered.answers[0]!.videoId

    // bob is told: the header counts it, the inbox says it and takes him to the answer.
    await bob.goto(`${library.url}/`)
    await bob.getByRole('link', { name: 'Inbox, 1 unread' }).click()
    await bob.getByRole('button', { name: /alice answered your request/ }).click()
    await bob.waitForURL((url) => url.pathname === `/v/${videoId}`)
    await bob.getByRole('link', { name: 'Inbox', exact: true }).waitFor()

    // bob asks a question at 0:05 of the answer.
    await bob.getByLabel('Add a comment').fill(QUESTION)
    await bob.getByLabel('Ask as a question').check()
    await bob.getByLabel('at', { exact: true }).fill('0:05')
    await bob.getByRole('button', { name: 'Post', exact: true }).click()
    await bob.waitForURL((url) => url.searchParams.get('t') === '5' && url.hash.startsWith('#c-'))
    const commentId = new URL(bob.url()).hash.slice('#c-'.length)
    const moment = `${library.url}/v/${videoId}?t=5#c-${commentId}`

    // alice's app shows a native notification that opens that moment.
    const shown = await waitUntil(
      'a native notification about the question',
      async () => (await notificationsShown(harness)).find((n) => n.url === moment),
      30_000,
      250
    )
    expect(shown.title).toBe(`bob asked a question on “${TITLE}” at 0:05`)
    expect(shown.body).toContain(QUESTION)

    // Her inbox takes her there too; she replies in the thread.
    await alice.goto(`${library.url}/inbox`)
    await alice.getByRole('button', { name: /bob asked a question/ }).click()
    await alice.waitForURL(
      (url) => url.pathname === `/v/${videoId}` && url.hash === `#c-${commentId}`
    )
    await alice.locator(`#c-${commentId}`).getByText(QUESTION).waitFor()
    const thread = alice.locator('.comment-thread', { has: alice.locator(`#c-${commentId}`) })
    await thread.getByRole('link', { name: 'Reply to bob' }).click()
    await alice.getByLabel('Your reply').fill(REPLY)
    await alice.getByRole('button', { name: 'Post reply' }).click()
    await alice.waitForURL((url) => url.pathname === `/v/${videoId}` && url.hash.startsWith('#c-'))
    await alice.getByText(REPLY).waitFor()

    // The question's marker on the progress bar seeks the player to 0:05 (where the seek lands is
    // read at its 'seeked' event, so playing on afterwards does not matter).
    await alice.evaluate(`(() => {
      const video = document.querySelector('video')
      window.__seekedTo = []
      video.addEventListener('seeked', () => window.__seekedTo.push(video.currentTime))
    })()`)
    await alice.getByRole('button', { name: 'Question at 0:05 by bob' }).click()
    await expect
      .poll(() => alice.evaluate('window.__seekedTo') as Promise<number[]>, { timeout: 15_000 })
      .toContainEqual(expect.closeTo(5, 0))

    // bob is told of the reply, and thanks her: "This helped".
    const bobsNews = await waitUntil(
      'bob told of the reply',
      async () => {
        await bob.goto(`${library.url}/inbox`)
        return (await bob.getByRole('button', { name: /alice replied/ }).count()) > 0
          ? true
          : undefined
      },
      10_000,
      250
    )
    expect(bobsNews).toBe(true)
    await bob.goto(`${library.url}/v/${videoId}`)
    const helped = bob.getByRole('button', { name: /This helped/ })
    await helped.click()
    await expect
      .poll(() => bob.getByRole('button', { name: /This helped/ }).getAttribute('aria-pressed'), {
        timeout: 15_000
      })
      .toBe('true')

    // alice sees whom it helped, and is told.
    await alice.goto(`${library.url}/v/${videoId}`)
    await alice.getByText('Helped 1 colleague').waitFor()
    const { json: aliceNews } = await api<{ notifications: NotificationJson[] }>(
      library,
      '/api/notifications'
    )
    expect(aliceNews.notifications.map((n) => n.kind)).toContain('helped')

    // A chat tool unfurls the team video's address as a generic card: nothing of the video.
    const team = await unfurl(`${library.url}/v/${videoId}`)
    expect(team.og.get('og:title')).toBe('Sidecast video')
    expect(team.og.has('og:image')).toBe(false)
    expect(team.body).not.toContain(TITLE)
    expect(team.body).not.toContain('supplier')

    // Once anyone with the link may watch, its link shows the title (and oEmbed says it too).
    const access = await api<{ linkUrl: string }>(library, `/api/videos/${videoId}/access`, {
      access: 'link'
    })
    expect(access.status).toBe(200)
    const open = await unfurl(access.json.linkUrl)
    expect(open.og.get('og:title')).toBe(TITLE)
    const oembedUrl = new URL(open.og.get('oembed') ?? '')
    expect(`${oembedUrl.origin}${oembedUrl.pathname}`).toBe(`${library.url}/oembed`)
    expect(oembedUrl.searchParams.get('url')).toBe(access.json.linkUrl)
    const oembed = (await (await fetch(oembedUrl)).json()) as { title: string }
    expect(oembed.title).toBe(TITLE)
    // The team address still says nothing, now that the video has a public link.
    expect((await unfurl(`${library.url}/v/${videoId}`)).body).not.toContain(TITLE)
  })
})
