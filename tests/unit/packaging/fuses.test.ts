/**
 * Electron's fuses in electron-builder.yml: each one's value, and what electron-builder makes of
 * them — its own fuse config for @electron/fuses, flipped into a stand-in binary and read back.
 * (tests/e2e/package-listing.test.ts reads them from a real electron-builder build.)
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Configuration } from 'electron-builder'
import { readFuses, writeFakeElectronDist } from '../../../scripts/pack-check.mjs'
import { builderConfig } from './builder-config'

type Fuses = NonNullable<Configuration['electronFuses']>

const require = createRequire(import.meta.url)
// electron-builder's own translation of `electronFuses` (platformPackager.generateFuseConfig).
const { PlatformPackager } = require('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(fuses: Fuses): Promise<object> } }
}
const { flipFuses } = require('@electron/fuses') as {
  flipFuses(executable: string, config: object): Promise<number>
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidecast-fuses-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('electronFuses', () => {
  const fuses = (builderConfig().electronFuses ?? {}) as Fuses

  it.each([
    ['runAsNode', false],
    ['enableNodeOptionsEnvironmentVariable', false],
    ['enableNodeCliInspectArguments', false],
    ['onlyLoadAppFromAsar', true],
    ['enableEmbeddedAsarIntegrityValidation', true],
    ['enableCookieEncryption', true],
    ['grantFileProtocolExtraPrivileges', false]
  ] as const)('%s is %s', (name, value) => {
    expect(fuses[name]).toBe(value)
  })

  it('re-signs macOS builds ad hoc after flipping, so an unsigned arm64 build still starts', () => {
    expect(fuses.resetAdHocDarwinSignature).toBe(true)
  })

  it('packs the app into app.asar, which onlyLoadAppFromAsar and asar integrity need', () => {
    const config = builderConfig()
    expect(config.asar).not.toBe(false)
    expect(config.disableAsarIntegrity).not.toBe(true)
  })

  it('is what electron-builder flips into the Electron binary', async () => {
    const executable = join(await writeFakeElectronDist(dir), 'electron')
    expect(await readFuses(executable)).toMatchObject({
      RunAsNode: true,
      GrantFileProtocolExtraPrivileges: true,
      OnlyLoadAppFromAsar: false
    })
    const config = await PlatformPackager.prototype.generateFuseConfig.call({}, fuses)
    await flipFuses(executable, config)
    expect(await readFuses(executable)).toEqual({
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      // Not set: Electron's default (off) stays.
      LoadBrowserProcessSpecificV8Snapshot: false,
      GrantFileProtocolExtraPrivileges: false
    })
  })
})
