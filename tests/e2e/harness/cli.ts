/**
 * `npm run harness`: Sidecast's UI in a browser, backed by the real main-process services.
 * Env: SIDECAST_HARNESS_PORT (default 5199), SIDECAST_DATA_DIR (default ./.sidecast-dev),
 * SIDECAST_LIBRARY_URL / SIDECAST_LIBRARY_TOKEN (fix the team library connection, as in the app),
 * SIDECAST_SHARE_WHILE_RECORDING=0|1 (fixes Share while recording, as in the app).
 * Flags: --port N, --open (start Chromium with the flags that let it capture the screen).
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CAPTURE_CHROMIUM_ARGS, chromiumPath } from '../../support/chromium'
import { startHarness } from './server'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, open: { type: 'boolean', default: false } }
  })
  const portText = values.port ?? process.env.SIDECAST_HARNESS_PORT ?? '5199'
  const port = Number(portText)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`The harness port "${portText}" is not a port number (0–65535).`)
  }
  const dataDir = resolve(process.env.SIDECAST_DATA_DIR ?? '.sidecast-dev')
  mkdirSync(dataDir, { recursive: true })

  const harness = await startHarness({ dataDir, port, env: process.env })
  console.log(`Sidecast harness: ${harness.url}`)
  console.log(`Data: ${dataDir}`)

  if (values.open) {
    const profile = mkdtempSync(join(tmpdir(), 'sidecast-chromium-'))
    const browser = spawn(
      chromiumPath(),
      [...CAPTURE_CHROMIUM_ARGS, `--user-data-dir=${profile}`, `--app=${harness.url}`],
      { stdio: 'ignore' }
    )
    browser.on('exit', () =>
      console.log('Chromium closed; the harness keeps running (Ctrl+C stops it).')
    )
  }

  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    // Finishing an active recording first keeps it playable.
    harness.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error(
    `Sidecast harness could not start: ${error instanceof Error ? error.message : String(error)}`
  )
  process.exit(1)
})
