/**
 * Polling from Node, for pages under the app's Content-Security-Policy. Playwright's
 * page.waitForFunction compiles its predicate inside the page with `new Function` once it has to
 * poll, which the policy's script-src (no 'unsafe-eval') refuses — a CSP violation that fails the
 * test, and only when the condition is not already true at the first look (a race on a busy
 * machine). page.evaluate goes through the DevTools protocol and is not subject to the policy.
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { Page } from 'playwright-core'

/**
 * Polls `check` every `intervalMs` until it returns a value (not null, undefined or false) and
 * returns it; throws after `timeoutMs`, naming `what`.
 */
export async function waitUntil<T>(
  what: string,
  check: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 100
): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== null && value !== undefined && value !== false) return value
    if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await delay(intervalMs)
  }
}

/** Waits until the page's <video> knows its duration (a string: e2e files have no DOM types). */
export async function waitForVideo(page: Page): Promise<void> {
  await waitUntil('the video to know its duration', async () =>
    Boolean(
      await page.evaluate(
        "(() => { const v = document.querySelector('video'); return !!v && v.readyState >= 1 && v.duration > 0 })()"
      )
    )
  )
}
