/**
 * Polling from Node, for pages under the app's Content-Security-Policy. Playwright's
 * page.waitForFunction compiles its predicate inside the page with `new Function` once it has to
 * poll, which the policy's script-src (no 'unsafe-eval') refuses — a CSP violation that fails the
 * test, and only when the condition is not already true at the first look (a race on a busy
 * machine). page.evaluate goes through the DevTools protocol and is not subject to the policy.
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { Page } from 'playwright-core'

/** Polls `check` every 100 ms until it is true; throws after 30 s, naming `what`. */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>
): Promise<void> {
  const until = Date.now() + 30_000
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`)
    await delay(100)
  }
}

/** Waits until the page's <video> knows its duration (a string: e2e files have no DOM types). */
export function waitForVideo(page: Page): Promise<void> {
  return waitUntil('the video to know its duration', async () =>
    Boolean(
      await page.evaluate(
        "(() => { const v = document.querySelector('video'); return !!v && v.readyState >= 1 && v.duration > 0 })()"
      )
    )
  )
}
