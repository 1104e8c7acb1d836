/** main's services for tests: in-memory settings and do-nothing platform adapters unless given. */
import {
  createAppServices,
  type AppServices,
  type AppServicesOptions,
  type PlatformAdapters
} from '../../src/main/app-services'
import { createSettingsStore } from '../../src/main/settings/settings-store'
import { PLAIN_SECRETS } from '../../src/main/share/token-store'
import type { Settings } from '../../src/shared/settings'

export type TestAppServicesOptions = Partial<Omit<AppServicesOptions, 'adapters'>> & {
  readonly dataDir: string
  readonly adapters?: Partial<PlatformAdapters>
}

export function testAppServices(options: TestAppServicesOptions): AppServices {
  let stored: Record<string, unknown> = {}
  return createAppServices({
    version: '0.0.0-test',
    platform: process.platform,
    harness: true,
    settings: createSettingsStore({
      get store() {
        return stored
      },
      set(patch: Partial<Settings>) {
        stored = { ...stored, ...patch }
      }
    }),
    emit: () => undefined,
    ...options,
    adapters: {
      preventSleep: () => () => undefined,
      listCaptureSources: async () => [],
      revealPath: async () => undefined,
      mediaUrl: (id, file) => `/media/${id}/${file}`,
      copyText: () => undefined,
      notify: () => undefined,
      openExternal: async () => undefined,
      secrets: PLAIN_SECRETS,
      ...options.adapters
    }
  })
}
