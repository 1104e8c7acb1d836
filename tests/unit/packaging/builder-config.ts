/** electron-builder's configuration and the app's package.json, as the packaging tests read them. */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { Configuration } from 'electron-builder'

export const ROOT = join(import.meta.dirname, '../../..')

// js-yaml is what electron-builder itself parses electron-builder.yml with.
const { load } = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown }

export function builderConfig(): Configuration {
  return load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Configuration
}

/** electron-builder.yml's `publish` for electron-updater's generic provider. */
export interface GenericPublish {
  readonly provider: string
  readonly url: string
}

export interface PackageJson {
  readonly name?: string
  readonly description?: string
  readonly homepage?: string
  readonly author?: string | { readonly name?: string; readonly email?: string }
  readonly license?: string
  readonly scripts?: Readonly<Record<string, string>>
}

export function packageJson(): PackageJson {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson
}
