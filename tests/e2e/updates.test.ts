/**
 * Settings › Updates end to end: the built renderer in Chromium, the harness running the app's
 * real update service and IPC against a scripted engine (tests/e2e/harness/fake-updater.ts; no
 * release is downloaded and nothing restarts). Off by default, Check now with each outcome shown
 * in the section (a failure calmly, never as a dialog), Restart to update, the setting saved, and
 * without a library no checks and a sentence saying why.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess, type HarnessProcess } from '../support/harness-process'
import type { FakeUpdateLog } from './harness/fake-updater'
import { throttleCpuForStress } from './cpu-throttle'

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

async function harness(env: NodeJS.ProcessEnv = {}): Promise<HarnessProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-updates-'))
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const started = await startHarnessProcess(dataDir, {
    SIDECAST_LIBRARY_URL: '',
    SIDECAST_LIBRARY_TOKEN: '',
    SIDECAST_UPDATES: '',
    ...env
  })
  cleanups.push(() => started.stop())
  return started
}

/** The app with Settings open; returns the Updates section. */
async function openUpdates(app: HarnessProcess): Promise<{ page: Page; section: Locator }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  cleanups.push(() => context.close())
  const page = await context.newPage()
  await throttleCpuForStress(page)
  await page.goto(app.url)
  await page.getByRole('button', { name: 'Settings', exact: true }).click()
  const section = page.getByRole('dialog', { name: 'Settings' }).getByRole('group', {
    name: 'Updates'
  })
  await section.waitFor()
  return { page, section }
}

async function script(app: HarnessProcess, change: object): Promise<void> {
  const response = await fetch(`${app.url}/__test/updates`, {
    method: 'POST',
    body: JSON.stringify(change)
  })
  expect(response.status).toBe(200)
}

async function updaterLog(app: HarnessProcess): Promise<FakeUpdateLog> {
  return (await (await fetch(`${app.url}/__test/updates`)).json()) as FakeUpdateLog
}

/** Waits until the section's status line says `text`. */
async function statusSays(section: Locator, text: string | RegExp): Promise<void> {
  await section.getByRole('status').filter({ hasText: text }).waitFor()
}

describe('Settings › Updates', () => {
  it('is off by default; Check now shows each outcome in the section, then restarts to update', async () => {
    const app = await harness({
      SIDECAST_LIBRARY_URL: 'http://127.0.0.1:9',
      SIDECAST_LIBRARY_TOKEN: 'e2e-token'
    })
    const { page, section } = await openUpdates(app)
    const automatic = section.getByRole('checkbox', { name: 'Check for updates automatically' })
    expect(await automatic.isChecked()).toBe(false)
    expect(await automatic.isEnabled()).toBe(true)
    await section.getByText('This is Sidecast 0.1.0-harness.').waitFor()
    await statusSays(section, 'Sidecast checks for updates only when you press Check now.')
    expect(await section.getByRole('button', { name: 'Restart to update' }).count()).toBe(0)
    expect((await updaterLog(app)).feeds).toEqual([])

    const checkNow = section.getByRole('button', { name: 'Check now' })
    await checkNow.click()
    await statusSays(section, /^Up to date · checked \d/)
    expect((await updaterLog(app)).feeds).toEqual(['http://127.0.0.1:9/updates/'])

    await script(app, { checkFails: 'net::ERR_CONNECTION_REFUSED' })
    await checkNow.click()
    await statusSays(
      section,
      'Could not check for updates. The library could not be reached. Check the network connection; Sidecast will try again later.'
    )
    expect(await page.getByRole('alertdialog').count()).toBe(0)
    expect(await page.getByRole('dialog').count()).toBe(1)

    await script(app, { checkFails: null, latest: '0.2.0' })
    await checkNow.click()
    await statusSays(section, 'Sidecast 0.2.0 is ready — Restart to update.')
    expect(await checkNow.isDisabled()).toBe(true)
    const notifications = (await (await fetch(`${app.url}/__test/notifications`)).json()) as {
      title: string
    }[]
    expect(notifications.map((n) => n.title)).toEqual(['Sidecast 0.2.0 is ready'])

    await section.getByRole('button', { name: 'Restart to update' }).click()
    await expect.poll(async () => (await updaterLog(app)).installs).toBe(1)
  })

  it('saves "Check for updates automatically" with Settings', async () => {
    const app = await harness({
      SIDECAST_LIBRARY_URL: 'http://127.0.0.1:9',
      SIDECAST_LIBRARY_TOKEN: 'e2e-token'
    })
    const { page, section } = await openUpdates(app)
    await section.getByRole('checkbox', { name: 'Check for updates automatically' }).check()
    const dialog = page.getByRole('dialog', { name: 'Settings' })
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })

    await page.getByRole('button', { name: 'Settings', exact: true }).click()
    const again = page
      .getByRole('dialog', { name: 'Settings' })
      .getByRole('group', { name: 'Updates' })
    expect(
      await again.getByRole('checkbox', { name: 'Check for updates automatically' }).isChecked()
    ).toBe(true)
    await statusSays(
      again,
      'Sidecast checks for updates shortly after it starts, then every few hours.'
    )
  })

  it('without a library: no checks, and the section says why', async () => {
    const app = await harness()
    const { section } = await openUpdates(app)
    await statusSays(section, /^Sidecast gets its updates from your team library\. Connect one/)
    expect(await section.getByRole('button', { name: 'Check now' }).isDisabled()).toBe(true)
    expect((await updaterLog(app)).feeds).toEqual([])
  })

  it('shows the setting read-only when SIDECAST_UPDATES fixes it', async () => {
    const app = await harness({
      SIDECAST_LIBRARY_URL: 'http://127.0.0.1:9',
      SIDECAST_LIBRARY_TOKEN: 'e2e-token',
      SIDECAST_UPDATES: '1'
    })
    const { section } = await openUpdates(app)
    const automatic = section.getByRole('checkbox', { name: 'Check for updates automatically' })
    await section.getByText('Set by your administrator.').waitFor()
    expect(await automatic.isChecked()).toBe(true)
    expect(await automatic.isDisabled()).toBe(true)
  })
})
