/**
 * The watch page's live callout layer as one static script: `live-callouts.ts` (browser code) and
 * the parts of src/shared it imports, bundled by esbuild on the first request and kept in memory.
 * The page loads it like any other static file (`/public/live-callouts.js`), so the CSP stays
 * `script-src 'self'` with nothing inline.
 */
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'

export interface LiveModule {
  readonly code: Buffer
  /** A strong validator: the hash of the code. */
  readonly etag: string
}

const ENTRY = fileURLToPath(new URL('./live-callouts.ts', import.meta.url))

/** Bundles the entry (a self-contained IIFE, ES2020, minified). Throws what esbuild reports. */
export async function buildLiveModule(entry = ENTRY): Promise<LiveModule> {
  const esbuild = await import('esbuild')
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent'
  })
  const file = result.outputFiles[0]
  if (!file) throw new Error('esbuild produced no output for the live callout module.')
  const code = Buffer.from(file.contents)
  const hash = createHash('sha256').update(code).digest('base64url').slice(0, 27)
  return { code, etag: `"${hash}"` }
}

let pending: Promise<LiveModule> | null = null

/**
 * The module, built once per process on first use. A failed build is not kept: the next request
 * tries again (and the failure is the caller's to report).
 */
export function liveModule(): Promise<LiveModule> {
  if (!pending) {
    pending = buildLiveModule()
    pending.catch(() => {
      pending = null
    })
  }
  return pending
}
