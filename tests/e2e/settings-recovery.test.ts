/**
 * Settings recovery end to end (issue 11, item 7): the built renderer in Chromium at the app's
 * default window size, the harness (real main-side services and upload queue) and the real
 * library server on 127.0.0.1. The Team library is in view when Settings opens; an address typed
 * without a scheme is completed in the field; a wrong token is caught on Save, at the token
 * field, and nothing is saved until Save anyway; "Open settings" from the upload that the token
 * failed opens Settings with the focus in the token field; a good token saves and says who it
 * connected as; the record shortcut is recorded by pressing the keys and saved as an accelerator.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import type { LibraryConfig } from '../../src/shared/ipc'
import type { Settings } from '../../src/shared/settings'
import { MAIN_WINDOW } from '../../src/main/electron/window-layout'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess, type HarnessProcess } from '../support/harness-process'
import { startTestLibrary, type TestLibrary } from '../support/library'
import { makeFinishedProject } from '../support/projects'
import { throttleCpuForStress } from './cpu-throttle'

let browser: Browser
let library: TestLibrary
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_CHROMIUM_ARGS]
  })
  library = await startTestLibrary()
  cleanups.push(() => library.dispose())
})

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined)
  await browser?.close().catch(() => undefined)
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-settings-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The app with no library set up (nothing from the environment: the user types it). */
async function harness(dataDir: string): Promise<HarnessProcess> {
  const started = await startHarnessProcess(dataDir, {
    SIDECAST_LIBRARY_URL: '',
    SIDECAST_LIBRARY_TOKEN: '',
    SIDECAST_UPDATES: ''
  })
  cleanups.push(() => started.stop())
  return started
}

/** The app at the main window's default size. */
async function openApp(app: HarnessProcess): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: MAIN_WINDOW.width, height: MAIN_WINDOW.height }
  })
  cleanups.push(() => context.close())
  const page = await context.newPage()
  await throttleCpuForStress(page)
  await page.goto(app.url)
  return page
}

async function invoke<T>(page: Page, channel: string): Promise<T> {
  const envelope = (await page.evaluate(`window.api.invoke(${JSON.stringify(channel)})`)) as {
    ok: boolean
    value: T
  }
  expect(envelope.ok).toBe(true)
  return envelope.value
}

/** True when `locator` is the focused element. */
async function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element === element.ownerDocument.activeElement)
}

async function openSettings(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Settings' })
  await dialog.waitFor()
  return dialog
}

describe('Settings recovery', () => {
  it('checks a wrong token on Save, completes the address, and saves a good token', async () => {
    const app = await harness(tempDir())
    const page = await openApp(app)
    const dialog = await openSettings(page)
    const section = dialog.getByRole('group', { name: 'Team library' })
    const url = section.getByLabel('Server URL', { exact: true })
    const token = section.getByLabel('Access token', { exact: true })

    // In view at the default window size, without scrolling.
    await url.waitFor()
    for (const field of [url, token]) {
      const box = await field.boundingBox()
      expect(box).not.toBeNull()
      expect(box!.y).toBeGreaterThanOrEqual(0)
      expect(box!.y + box!.height).toBeLessThanOrEqual(MAIN_WINDOW.height)
    }
    expect(await dialog.evaluate((d) => d.scrollTop)).toBe(0)

    // No scheme typed: completed when the field is left, so the user sees what will be used.
    await url.fill(`127.0.0.1:${library.port}`)
    await token.click()
    await expect.poll(() => url.inputValue()).toBe(`http://127.0.0.1:${library.port}`)

    // A wrong token: Save checks it, says so at the token field and keeps everything typed.
    await token.fill('not-the-right-token-123')
    await dialog.getByRole('button', { name: 'Save', exact: true }).click()
    const refused = section.getByText(/The library refused the access token/)
    await refused.waitFor()
    expect(await token.getAttribute('aria-invalid')).toBe('true')
    await expect.poll(() => isFocused(token)).toBe(true)
    expect(await token.inputValue()).toBe('not-the-right-token-123')
    expect(await url.inputValue()).toBe(`http://127.0.0.1:${library.port}`)
    expect(await dialog.isVisible()).toBe(true)
    const unsaved = await invoke<LibraryConfig>(page, 'library:get')
    expect(unsaved).toMatchObject({ url: '', hasToken: false })

    // A good token: saved, and the app says who it is connected as.
    await token.fill(library.token)
    await dialog.getByRole('button', { name: 'Save', exact: true }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.getByText(`Settings saved. Connected as ${library.userName}.`).waitFor()
    expect(await invoke<LibraryConfig>(page, 'library:get')).toMatchObject({
      url: `http://127.0.0.1:${library.port}`,
      hasToken: true
    })
  })

  it('saves a refused token with Save anyway; "Open settings" from the failed upload focuses the token field', async () => {
    const dataDir = tempDir()
    const facts = await makeFinishedProject(dataDir, { seconds: 1, width: 320, height: 240 })
    const app = await harness(dataDir)
    const page = await openApp(app)
    let dialog = await openSettings(page)
    let section = dialog.getByRole('group', { name: 'Team library' })
    await section.getByLabel('Server URL', { exact: true }).fill(`http://127.0.0.1:${library.port}`)
    await section.getByLabel('Access token', { exact: true }).fill('revoked-token-456')
    await dialog.getByRole('button', { name: 'Save', exact: true }).click()
    await section.getByText(/The library refused the access token/).waitFor()
    // Offline or not, what the user typed can be kept.
    await dialog.getByRole('button', { name: 'Save anyway', exact: true }).click()
    await dialog.waitFor({ state: 'detached' })
    expect(await invoke<LibraryConfig>(page, 'library:get')).toMatchObject({ hasToken: true })

    // The upload fails on the token; its "Open settings" goes straight to the token field.
    await page
      .getByRole('button', { name: `Upload “${facts.title}”`, exact: true })
      .click({ timeout: 30_000 })
    const upload = page.getByRole('dialog', { name: /^Upload/ })
    await upload.getByLabel('Title', { exact: true }).fill('Never arrives')
    await upload.getByRole('button', { name: 'Upload', exact: true }).click()
    const open = upload.getByRole('button', { name: 'Open settings', exact: true })
    await open.waitFor({ timeout: 30_000 })
    await open.click()
    dialog = page.getByRole('dialog', { name: 'Settings' })
    section = dialog.getByRole('group', { name: 'Team library' })
    const token = section.getByLabel('Access token', { exact: true })
    await token.waitFor()
    await expect.poll(() => isFocused(token)).toBe(true)
    // Straight to typing the new one: the stored token is being replaced.
    await section.getByText('The saved token will be replaced by the one typed here.').waitFor()
  })

  it('records the shortcut from the keys pressed and saves it as an accelerator', async () => {
    const app = await harness(tempDir())
    const page = await openApp(app)
    const dialog = await openSettings(page)
    const field = dialog.getByLabel('Record shortcut', { exact: true })
    expect(await field.inputValue()).toBe('Ctrl+Shift+R')

    await dialog.getByRole('button', { name: 'Change the record shortcut' }).click()
    await expect.poll(() => isFocused(field)).toBe(true)
    // A key without a modifier is refused with a sentence; the shortcut stays.
    await page.keyboard.press('K')
    await dialog.getByText(/^A shortcut needs Ctrl or Alt with the key/).waitFor()
    expect(await field.inputValue()).toBe('Ctrl+Shift+R')

    await page.keyboard.press('Control+Alt+K')
    await expect.poll(() => field.inputValue()).toBe('Ctrl+Alt+K')
    // Escape undoes what was pressed; the dialog stays.
    await page.keyboard.press('Escape')
    await expect.poll(() => field.inputValue()).toBe('Ctrl+Shift+R')
    expect(await dialog.isVisible()).toBe(true)

    await page.keyboard.press('Control+Shift+9')
    await expect.poll(() => field.inputValue()).toBe('Ctrl+Shift+9')
    await dialog.getByRole('button', { name: 'Save', exact: true }).click()
    await dialog.waitFor({ state: 'detached' })
    const saved = await invoke<Settings>(page, 'settings:get')
    expect(saved.recordShortcut).toBe('CommandOrControl+Shift+9')
  })
})
