/**
 * electron-builder.yml as electron-builder itself loads and checks it (its JSON schema), so a
 * misspelt key or a wrong type fails here rather than on a packaging machine with Electron's
 * binary.
 */
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import type { Configuration } from 'electron-builder'
import { ROOT } from './builder-config'

const require = createRequire(import.meta.url)
// Internal modules of the pinned electron-builder; its public API only runs whole builds.
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(
    projectDir: string,
    configPath: string | null,
    fromOptions: null
  ): Promise<Configuration>
  validateConfiguration(config: Configuration, logger: unknown): Promise<void>
}
const { DebugLogger } = require('builder-util/out/DebugLogger') as {
  DebugLogger: new (enabled: boolean) => unknown
}

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema', async () => {
    const config = await getConfig(ROOT, null, null)
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined()
    expect(config.appId).toBe('dev.sidecast.app')
  }, 30_000)
})
