/**
 * The source picker, end to end: the real renderer in Chromium against the harness, whose fake
 * capture sources are one screen and one window with thumbnails that change at every look (as
 * desktopCapturer's live ones do). The picker lists screens and windows under their headings with
 * thumbnails and the window's app icon, the thumbnails refresh by themselves while it is open, a
 * window can be chosen (main remembers it, so getDisplayMedia is answered with it), and when the
 * chosen window closes the picker falls back to the screen and says so.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess, type HarnessProcess } from '../support/harness-process'
import { throttleCpuForStress } from './cpu-throttle'
import { waitUntil } from './wait-until'

const WINDOW = 'Notes — Harness editor'

let browser: Browser
let harness: HarnessProcess
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-sources-'))
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

/** The thumbnail's src of the card whose radio is named `name` (a string: no DOM types here). */
function thumbnailSrc(page: Page, name: string): Promise<string | null> {
  return page.evaluate(
    `(() => { const r = [...document.querySelectorAll('input[name=capture-source]')]
      .find((i) => i.labels[0].textContent.includes(${JSON.stringify(name)}));
      const img = r && r.labels[0].querySelector('.source-thumb img');
      return img ? img.getAttribute('src') : null })()`
  ) as Promise<string | null>
}

/** Waits until main's remembered source (what getDisplayMedia is answered with) is `id`. */
async function chosenInMain(page: Page, id: string): Promise<void> {
  await waitUntil(`main to remember ${id}`, async () => {
    const chosen = (await page.evaluate(
      `window.api.invoke('settings:get').then((r) => r.value.sourceId)`
    )) as string
    return chosen === id
  })
}

describe('the source picker', () => {
  it('lists screens and windows with live thumbnails, records a window, and falls back when it closes', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } })
    const page = await context.newPage()
    await throttleCpuForStress(page)
    await page.goto(harness.url)

    const picker = page.getByRole('region', { name: 'What to record' })
    const screenRadio = picker.getByRole('radio', { name: 'Entire screen' })
    const windowRadio = picker.getByRole('radio', { name: WINDOW })
    await screenRadio.waitFor({ state: 'attached' })
    await windowRadio.waitFor({ state: 'attached' })
    await picker.getByText('Screens', { exact: true }).waitFor()
    await picker.getByText('Windows', { exact: true }).waitFor()
    // The window's card shows its app's icon.
    expect(
      await picker.locator('label', { hasText: WINDOW }).locator('img.source-app-icon').count()
    ).toBe(1)

    // Thumbnails are images, and they change while the picker is open.
    const first = await thumbnailSrc(page, WINDOW)
    expect(first).toMatch(/^data:image\//)
    expect(await thumbnailSrc(page, 'Entire screen')).toMatch(/^data:image\//)
    await waitUntil('the window’s thumbnail to change', async () => {
      const now = await thumbnailSrc(page, WINDOW)
      return now !== null && now !== first
    })

    // Choosing the window: main remembers it, and answers getDisplayMedia with it.
    await windowRadio.check({ force: true })
    await chosenInMain(page, 'window:harness:1')

    // The window closes: it leaves the list, the screen is chosen, and the picker says why.
    const closed = await fetch(new URL('/__test/sources', harness.url), {
      method: 'POST',
      body: JSON.stringify({ window: false })
    })
    expect(closed.ok).toBe(true)
    await windowRadio.waitFor({ state: 'detached' })
    await picker
      .getByText(`The window “${WINDOW}” was closed, so Sidecast will record the entire screen.`, {
        exact: false
      })
      .waitFor()
    await waitUntil('the screen to be chosen', () => screenRadio.isChecked())
    await chosenInMain(page, 'screen:harness:0')
    await context.close()
  })
})
