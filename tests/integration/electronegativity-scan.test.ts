/**
 * The scan behind `npm run check:electron` (scripts/electronegativity.ts) on a small fixture
 * app: it parses the TypeScript we write (inline `type` imports, `satisfies`, which the
 * scanner's own typescript-estree cannot read), finds a window that turns isolation off, reports
 * a file it cannot parse instead of skipping it quietly, and never waits on the network.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { judge, parseAllowList, passed } from '../../scripts/electronegativity-match'
import { pinnedElectron, scan } from '../../scripts/electronegativity'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-electronegativity-test-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
  fs.writeFileSync(path.join(dir, file), text)
}

write('package.json', JSON.stringify({ name: 'fixture', devDependencies: { electron: '45.5.0' } }))
write(
  'src/main/insecure-window.ts',
  `import { BrowserWindow, type WebPreferences } from 'electron'

const size = { width: 800, height: 600 } satisfies Partial<Record<'width' | 'height', number>>
export const prefs: WebPreferences = { spellcheck: false }

export function open(): BrowserWindow {
  return new BrowserWindow({
    ...size,
    webPreferences: {
      contextIsolation: false,
      nodeIntegration: true
    }
  })
}

export function openUnsandboxed(): BrowserWindow {
  return new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: false } })
}
`
)
write('src/main/broken.ts', 'export const = ;\n')
write('src/main/node_modules/ignored.ts', 'new BrowserWindow({ webPreferences: {} })\n')

describe('the electronegativity scan', () => {
  it('finds the insecure window in modern TypeScript, offline, and reports what it cannot parse', async () => {
    expect(pinnedElectron(dir)).toBe('45.5.0')
    const result = await scan(dir, ['src', 'package.json'], '45.5.0')

    // Two .ts files and package.json; node_modules is left out, as the scanner does.
    expect(result.files).toBe(3)
    expect(result.checks).toBeGreaterThan(30)
    // Only the translations were asked for, and refused at once (the release list check is off).
    expect(result.networkCalls).toBeLessThanOrEqual(1)

    const found = (check: string): string[] =>
      result.findings
        .filter((f) => f.check === check)
        .map((f) => `${f.severity} ${f.file} ${f.sample.trim()}`)
    expect(found('CONTEXT_ISOLATION_JS_CHECK')).toEqual([
      'HIGH src/main/insecure-window.ts contextIsolation: false,'
    ])
    expect(found('SANDBOX_JS_CHECK')).toContain(
      'MEDIUM src/main/insecure-window.ts return new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: false } })'
    )
    // Reported, though electronegativity itself rates an explicit nodeIntegration informational.
    expect(found('NODE_INTEGRATION_JS_CHECK')).toEqual([
      'INFORMATIONAL src/main/insecure-window.ts nodeIntegration: true'
    ])
    // The fixture has no navigation limits and no permission handler: the global checks see it.
    expect(found('LIMIT_NAVIGATION_GLOBAL_CHECK')).toHaveLength(1)
    expect(found('PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK')).toHaveLength(1)

    expect(result.unparsed.map((u) => u.file)).toEqual(['src/main/broken.ts'])

    // Such findings fail the check unless someone explains them.
    const verdict = judge(result.findings, parseAllowList({ allowed: [] }))
    expect(passed(verdict)).toBe(false)
    expect(verdict.unexplained.map((f) => f.check)).toContain('CONTEXT_ISOLATION_JS_CHECK')
  })
})
