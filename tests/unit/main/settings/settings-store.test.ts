import Conf from 'conf'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createSettingsStore,
  type SettingsBacking
} from '../../../../src/main/settings/settings-store'
import { SidecastError } from '../../../../src/shared/errors'
import { DEFAULT_SETTINGS, SETTINGS_SCHEMA, type Settings } from '../../../../src/shared/settings'
import { tempDir } from '../helpers/fakes'

function memoryBacking(
  initial: Record<string, unknown> = {}
): SettingsBacking & { data: Record<string, unknown> } {
  const backing = {
    data: { ...initial },
    get store() {
      return backing.data
    },
    set(object: Partial<Settings>) {
      backing.data = { ...backing.data, ...object }
    }
  }
  return backing
}

describe('settings store', () => {
  it('fills in defaults and ignores bad stored values key by key', () => {
    const store = createSettingsStore(
      memoryBacking({ countdownSeconds: 5, minFreeDiskMb: 'lots', stray: 1 })
    )
    expect(store.get()).toEqual({ ...DEFAULT_SETTINGS, countdownSeconds: 5 })
  })

  it('stores a valid patch and returns the new settings', () => {
    const backing = memoryBacking()
    const store = createSettingsStore(backing)
    expect(store.set({ ffmpegPath: '/usr/bin/ffmpeg', countdownSeconds: 0 })).toMatchObject({
      ffmpegPath: '/usr/bin/ffmpeg',
      countdownSeconds: 0
    })
    expect(backing.data).toEqual({ ffmpegPath: '/usr/bin/ffmpeg', countdownSeconds: 0 })
  })

  it.each([
    ['a number where text belongs', { ffmpegPath: 3 }, /ffmpegPath/],
    ['an out-of-range number', { countdownSeconds: 11 }, /countdownSeconds/],
    ['an unknown key', { theme: 'dark' }, /theme/],
    ['not an object', 'nope', /object/]
  ])('refuses %s with bad-settings naming the field', (_label, patch, message) => {
    const backing = memoryBacking()
    const store = createSettingsStore(backing)
    let error: unknown
    try {
      store.set(patch as never)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(SidecastError)
    expect((error as SidecastError).code).toBe('bad-settings')
    expect((error as SidecastError).message).toMatch(message)
    expect(backing.data).toEqual({})
  })

  describe('on conf (what the harness uses; electron-store has the same API)', () => {
    let dir: string
    let cleanup: () => Promise<void>
    beforeEach(async () => {
      ;({ dir, cleanup } = await tempDir('sidecast-settings-'))
    })
    afterEach(async () => {
      await cleanup()
    })

    it('round-trips through the file', () => {
      const open = (): Conf<Settings> =>
        new Conf<Settings>({
          schema: SETTINGS_SCHEMA as never,
          cwd: dir,
          configName: 'settings',
          projectName: 'sidecast'
        })
      createSettingsStore(open()).set({ sourceId: 'screen:1:0', minFreeDiskMb: 2048 })
      expect(createSettingsStore(open()).get()).toEqual({
        ...DEFAULT_SETTINGS,
        sourceId: 'screen:1:0',
        minFreeDiskMb: 2048
      })
    })
  })
})
