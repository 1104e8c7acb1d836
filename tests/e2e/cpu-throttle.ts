/**
 * Stress runs: SIDECAST_E2E_CPU_THROTTLE=4 (or 2–20) slows the page's CPU that many times through
 * the DevTools protocol (Emulation.setCPUThrottlingRate), so a test that only passes when the
 * renderer is quick — reading focus or state before the app has settled — fails at once instead
 * of once in a while on a busy machine. Unset (the default), it does nothing.
 *
 *   SIDECAST_E2E_CPU_THROTTLE=6 npx vitest run --project e2e tests/e2e/wysiwyg-editing.test.ts
 */
import type { Page } from 'playwright-core'

/** The slow-down asked for in the environment, or null. */
export function cpuThrottleRate(env: NodeJS.ProcessEnv = process.env): number | null {
  const raw = env.SIDECAST_E2E_CPU_THROTTLE
  if (!raw) return null
  const rate = Number(raw)
  if (!Number.isFinite(rate) || rate < 1 || rate > 20) {
    throw new Error(`SIDECAST_E2E_CPU_THROTTLE must be a number from 1 to 20, not "${raw}"`)
  }
  return rate
}

/** Slows `page`'s CPU when a stress run asks for it (Chromium only). */
export async function throttleCpuForStress(page: Page): Promise<void> {
  const rate = cpuThrottleRate()
  if (rate === null || rate === 1) return
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate })
}
