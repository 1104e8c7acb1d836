/**
 * The CSP check every e2e test relies on (tests/e2e/setup.ts): the harness serves the built page
 * with the app's own policy, the policy refuses inline styles and scripts there, and a violation
 * is seen by the watch — so a test that triggers one fails.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { CONTENT_SECURITY_POLICY } from '../../src/main/electron/content-security-policy'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { takeCspViolations } from '../support/csp-watch'
import { startHarnessProcess, type HarnessProcess } from '../support/harness-process'

let browser: Browser
let harness: HarnessProcess
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-csp-'))
  harness = await startHarnessProcess(dataDir)
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_CHROMIUM_ARGS]
  })
})

afterAll(async () => {
  await browser?.close().catch(() => undefined)
  await harness?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

async function openApp(): Promise<{ page: Page; policy: string | undefined }> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const response = await page.goto(harness.url)
  await page.getByRole('button', { name: 'Start recording' }).waitFor()
  return { page, policy: response?.headers()['content-security-policy'] }
}

/** The violations the watch saw, once it has seen at least `count`. */
async function violations(count: number): Promise<string[]> {
  const seen: string[] = []
  await expect
    .poll(() => {
      seen.push(...takeCspViolations().map((v) => v.message))
      return seen.length
    })
    .toBeGreaterThanOrEqual(count)
  return seen
}

describe('the Content-Security-Policy in the e2e harness', () => {
  it('serves the page with the app’s own policy, and the page runs under it cleanly', async () => {
    const { page, policy } = await openApp()
    expect(policy).toBe(CONTENT_SECURITY_POLICY)
    expect(policy).not.toContain('unsafe-inline')
    // The bridge's WebSocket is allowed: main's services answer through it.
    expect(await page.evaluate(`window.api.invoke('projects:list').then((r) => r.ok)`)).toBe(true)
    expect(takeCspViolations()).toEqual([])
    await page.context().close()
  })

  it('refuses inline styles and scripts, and the watch reports each', async () => {
    const { page } = await openApp()
    await page.evaluate(`(() => {
      document.body.insertAdjacentHTML('beforeend',
        '<p id="csp-attr" style="color: rgb(255, 0, 0)">x</p>' +
        '<style>#csp-attr { outline: 7px solid rgb(0, 255, 0) }</style>' +
        '<img id="csp-script" src="data:," onload="document.title = \\'inline ran\\'">')
    })()`)
    const seen = await violations(3)
    expect(seen.join('\n')).toMatch(/style-src/)
    expect(seen.join('\n')).toMatch(/script-src/)
    expect(
      await page.evaluate(`getComputedStyle(document.getElementById('csp-attr')).color`)
    ).not.toBe('rgb(255, 0, 0)')
    expect(
      await page.evaluate(`getComputedStyle(document.getElementById('csp-attr')).outlineWidth`)
    ).not.toBe('7px')
    expect(await page.title()).not.toBe('inline ran')
    await page.context().close()
    // Each refusal is reported for both policies (header and <meta>), as an event and a console
    // error: take the rest, so that they do not fail this test, and check they are all ours.
    for (const message of [...seen, ...takeCspViolations().map((v) => v.message)]) {
      expect(message).toMatch(/style|script|inline/i)
    }
  })
})
