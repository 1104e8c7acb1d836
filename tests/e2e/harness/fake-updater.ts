/**
 * The harness's stand-in for electron-updater: a scripted UpdateEngine, so Settings › Updates runs
 * against the app's real update service (src/main/updates/) without a release to download or an
 * app to restart. Tests script the next check at POST /__test/updates and read what happened at
 * GET /__test/updates.
 */
import type { UpdateEngine } from '../../../src/main/updates/update-engine'

/** What the next checks find. */
export interface FakeUpdateScript {
  /** The newer version the feed offers, or null for "up to date". */
  readonly latest: string | null
  /** When set, checks fail with this message instead. */
  readonly checkFails: string | null
  /** When set, downloads fail with this message instead. */
  readonly downloadFails: string | null
}

/** What the fake saw, for tests. */
export interface FakeUpdateLog {
  readonly script: FakeUpdateScript
  /** The feed URL of every check, in order. */
  readonly feeds: readonly string[]
  /** How many times "Restart to update" reached the engine. */
  readonly installs: number
}

export interface FakeUpdater {
  readonly engine: UpdateEngine
  /** Changes what the next checks find (absent fields stay as they are). */
  script(change: unknown): FakeUpdateScript
  log(): FakeUpdateLog
}

function textOrNull(value: unknown, name: string): string | null {
  if (value === null || typeof value === 'string') return value
  throw new Error(`"${name}" must be text or null.`)
}

export function createFakeUpdater(): FakeUpdater {
  let script: FakeUpdateScript = { latest: null, checkFails: null, downloadFails: null }
  const feeds: string[] = []
  let installs = 0
  return {
    engine: {
      async check(feed) {
        feeds.push(feed.url)
        if (script.checkFails) throw new Error(script.checkFails)
        return script.latest
      },
      async download(onProgress) {
        onProgress(0.5)
        if (script.downloadFails) throw new Error(script.downloadFails)
        onProgress(1)
      },
      install() {
        installs += 1
        console.log('[harness] restart to update (nothing is installed in the harness)')
      }
    },
    script(change) {
      if (typeof change !== 'object' || change === null) throw new Error('Send a JSON object.')
      const body = change as Record<string, unknown>
      script = {
        latest: 'latest' in body ? textOrNull(body.latest, 'latest') : script.latest,
        checkFails:
          'checkFails' in body ? textOrNull(body.checkFails, 'checkFails') : script.checkFails,
        downloadFails:
          'downloadFails' in body
            ? textOrNull(body.downloadFails, 'downloadFails')
            : script.downloadFails
      }
      return script
    },
    log: () => ({ script, feeds: [...feeds], installs })
  }
}
