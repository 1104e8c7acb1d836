/**
 * What electron-updater needs from the build: a `publish` provider so electron-builder writes
 * latest*.yml and app-update.yml, and on macOS a zip (the updater installs from the zip, never
 * the dmg). The updater in the app reads `publish` and replaces its placeholder URL at runtime.
 */
import { describe, expect, it } from 'vitest'
import { builderConfig, type GenericPublish } from './builder-config'

function targets(platform: { target?: unknown } | null | undefined): string[] {
  const list = (platform?.target ?? []) as (string | { target: string })[]
  return list.map((t) => (typeof t === 'string' ? t : t.target))
}

describe('auto-update metadata', () => {
  const config = builderConfig()

  it('publishes to a generic server whose placeholder URL can never be reached', () => {
    const publish = config.publish as GenericPublish
    expect(publish.provider).toBe('generic')
    // .invalid is reserved (RFC 2606): the placeholder cannot resolve if the app forgot to set it.
    expect(new URL(publish.url).hostname).toMatch(/\.invalid$/)
    expect(new URL(publish.url).protocol).toBe('https:')
  })

  it('builds the targets electron-updater updates from', () => {
    expect(targets(config.mac)).toEqual(expect.arrayContaining(['dmg', 'zip']))
    expect(targets(config.win)).toContain('nsis')
    expect(targets(config.linux)).toContain('AppImage')
  })
})
