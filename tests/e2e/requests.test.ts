/**
 * End to end "Learn together" in the app: the real renderer in Chromium under Xvfb, the harness
 * (the app's real main-side services) as its own process, and the real library server on
 * 127.0.0.1. bob asks the library for a walkthrough; alice's app lists it in the Requests view,
 * "Record an answer" records the screen under the request's title (the bar says what it answers),
 * and once it is shared (Share while recording, the default) the library lists the video as the
 * request's answer.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import type { RequestJson } from '../../src/shared/learn'
import { startHarnessProcess } from '../support/harness-process'
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

let screen: CaptureScreen | undefined
let browser: Browser
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  screen = await startCaptureScreen({ width: 1280, height: 800 }, '#2e8b57', '1100,760')
  browser = screen.browser
})

afterAll(() => stopCaptureScreen(screen, cleanups))

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
  token: string,
  path: string,
  body?: unknown
): Promise<{ status: number; json: T }> {
  const response = await fetch(`${library.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  return { status: response.status, json: (await response.json()) as T }
}

describe('answering a request from the app', () => {
  it('lists bob’s open request, records an answer titled with it, and the library links the shared video', async () => {
    const library = await startTestLibrary()
    cleanups.push(() => library.dispose())
    await serverCli(library, ['user', 'add', 'bob', '--password', 'bob-password-1'])
    const bobToken = (await serverCli(library, ['token', 'create', 'bob']))
      .trim()
      .split('\n')
      .at(-1)!
    const title = 'How do I reconcile supplier invoices?'
    const asked = await api<RequestJson>(library, bobToken, '/api/requests', {
      title,
      details: 'The month-end steps in the finance tool.',
      tags: 'finance, invoices'
    })
    expect(asked.status).toBe(201)
    const requestId = asked.json.id

    const dataDir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-requests-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const harness = await startHarnessProcess(dataDir, {
      SIDECAST_LIBRARY_URL: library.url,
      SIDECAST_LIBRARY_TOKEN: library.token,
      // Polled every second here (60 s in the app), so the notification below comes quickly.
      SIDECAST_E2E_LEARN_POLL_MS: '1000'
    })
    cleanups.push(() => harness.stop())
    const page = await openRecorder(browser, harness, { cleanups, throttleCpu: true })

    // The Requests view lists bob's request with its asker, tags, wants and answers.
    await page.getByRole('button', { name: 'Requests', exact: true }).click()
    const list = page.getByRole('list', { name: 'Open requests' })
    const card = list.getByRole('listitem').filter({ hasText: title })
    await card.waitFor({ timeout: 30_000 })
    await expect(card.textContent()).resolves.toMatch(/Asked by bob/)
    await expect(card.textContent()).resolves.toMatch(/1 wants this/)
    await expect(card.textContent()).resolves.toMatch(/No answers yet/)
    await expect(card.getByRole('list', { name: 'Tags' }).textContent()).resolves.toBe(
      '#finance#invoices'
    )

    // "Open in library" asks main to open the request's page in the browser.
    await card.getByRole('button', { name: `Open “${title}” in the library` }).click()
    await waitUntil(
      'the request page opened',
      async () => {
        const opened = (await (await fetch(`${harness.url}/__test/opened`)).json()) as string[]
        return opened.includes(asked.json.url) ? opened : undefined
      },
      10_000
    )

    // "Record an answer": the take is titled with the request and knows what it answers.
    await card.getByRole('button', { name: `Record an answer to “${title}”` }).click()
    await page
      .getByRole('button', { name: /Skip/ })
      .click({ timeout: 10_000 })
      .catch(() => undefined)
    await page.getByRole('button', { name: 'Stop recording' }).waitFor({ timeout: 20_000 })
    await page.getByText(`Answering: ${title}`).waitFor()
    const recording = await waitForFacts(
      dataDir,
      (f) => f.answers === requestId && (f.bytesWritten ?? 0) > 0,
      30_000,
      'the answer being recorded'
    )
    expect(recording.title).toBe(title)
    await page.getByRole('button', { name: 'Stop recording' }).click()
    const finished = await waitForFacts(
      dataDir,
      (f) => f.id === recording.id && f.status === 'complete',
      60_000,
      'the answer finished'
    )
    expect(finished.answers).toBe(requestId)

    // Shared while it was recorded: once the library has it, the request lists it as an answer.
    const answered = await waitUntil(
      'the library to list the video as the answer',
      async () => {
        const { json } = await api<RequestJson>(library, bobToken, `/api/requests/${requestId}`)
        return json.answers.length > 0 ? json : undefined
      },
      120_000,
      500
    )
    expect(answered.answers).toHaveLength(1)
    expect(answered.answers[0]).toMatchObject({ title, authorName: library.userName })

    // bob asks a question at a moment of the answer: alice's app shows a native notification
    // whose click opens that video in the library.
    const videoId = answered.answers[0]!.videoId
    const comment = await api<{ id: number }>(
      library,
      bobToken,
      `/api/videos/${videoId}/comments`,
      {
        body: 'Where does the supplier number come from?',
        atMs: 500,
        question: true
      }
    )
    expect(comment.status).toBe(201)
    const shown = await waitUntil(
      'a native notification about the question',
      async () => {
        const list = (await (await fetch(`${harness.url}/__test/notifications`)).json()) as {
          title: string
          body: string
          url?: string
        }[]
        return list.find((n) => n.url?.startsWith(`${library.url}/v/${videoId}`))
      },
      30_000,
      250
    )
    expect(shown.title).toMatch(/bob/)
    expect(shown.body).toMatch(/supplier number/)
  })
})
