/**
 * `npm run check:electron` (part of `npm run lint`): electronegativity over the app's source
 * (src/ and package.json) for Electron misconfigurations. Every finding of high or medium
 * severity must be fixed or explained in electronegativity-allow.json; an entry that matches
 * nothing fails too, so the list stays true. A file the scanner cannot parse fails as well: it
 * would not have been checked. Offline: the scanner's two network calls (translations, Electron's
 * release list) never leave the process (see `withoutNetwork`).
 */
import fs from 'node:fs'
import { createRequire, Module } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  AllowListError,
  judge,
  parseAllowList,
  passed,
  report,
  type Finding
} from './electronegativity-match'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const ALLOW_LIST = 'scripts/electronegativity-allow.json'
/** What is scanned, relative to the repository: the app's source and its manifest. */
export const SCANNED = ['src', 'package.json']

/**
 * Checks left out, each for a reason:
 * - AvailableSecurityFixesGlobalCheck downloads Electron's release list from GitHub on every run
 *   (no network here or in CI). Which Electron we ship is pinned in package.json and chosen on
 *   purpose (the newest 45.x); that is reviewed when Electron is upgraded, not by this lint.
 */
export const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck']

const scannerRequire = createRequire(
  path.join(ROOT, 'node_modules/@doyensec/electronegativity/package.json')
)

interface RawIssue {
  id: string
  file: string
  sample?: string
  location: { line: number; column: number }
  description?: string
  shortenedURL?: string
  severity: { name: Finding['severity'] }
  confidence: { name: string }
}
interface RunResult {
  globalChecks: number
  atomicChecks: number
  errors: { file: string; message: string; tolerable: boolean }[]
  issues: RawIssue[]
}
type Runner = (options: Record<string, unknown>) => Promise<RunResult>

/**
 * The scanner fetches translations (i18n, 1 s timeout, retried) and the release list (no
 * timeout) with `got`. Both are handed a `got` that fails at once, so a run never waits on the
 * network and never depends on it; the scanner then uses its bundled English texts.
 */
let networkCalls = 0
function offlineGot(): Promise<never> {
  networkCalls += 1
  return Promise.reject(new Error('electronegativity runs offline in this repository'))
}
offlineGot.head = offlineGot

function withoutNetwork(): void {
  const gotPath = scannerRequire.resolve('got')
  if (scannerRequire.cache[gotPath]?.exports === offlineGot) return
  const stub = new Module(gotPath)
  stub.filename = gotPath
  stub.loaded = true
  stub.exports = offlineGot
  scannerRequire.cache[gotPath] = stub
}

/** The files the scanner reads in `dir` (its own rule: these extensions, no node_modules). */
function scannableFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const full = path.join(entry.parentPath, entry.name)
    if (full.includes('node_modules')) continue
    const name = entry.name.toLowerCase()
    if (/\.(js|jsx|ts|tsx|html|htm)$/.test(name) || name.includes('package.json')) out.push(full)
  }
  return out
}

export interface Scan {
  files: number
  checks: number
  findings: Finding[]
  /** Files the scanner could not parse: not checked at all. */
  unparsed: { file: string; message: string }[]
  /** Parsed with a recoverable error. */
  warnings: { file: string; message: string }[]
  /** How often the scanner tried the network (always refused). */
  networkCalls: number
}

/**
 * Runs electronegativity over `targets` (paths relative to `root`) for `electronVersion`, in one
 * run, so its global checks (CSP, navigation limits, permission handler) see all of them.
 * The targets are copied to a temporary folder first: the scanner takes one input.
 */
export async function scan(
  root: string,
  targets: string[],
  electronVersion: string
): Promise<Scan> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-electronegativity-'))
  try {
    for (const target of targets) {
      fs.cpSync(path.join(root, target), path.join(work, target), {
        recursive: true,
        filter: (source) => !source.split(path.sep).includes('node_modules')
      })
    }
    withoutNetwork()
    const run = scannerRequire('./dist/runner.js') as Runner
    const callsBefore = networkCalls
    const log = console.log
    // The one line the scanner prints when its translations cannot be fetched.
    console.log = (...args: unknown[]) => {
      if (String(args[0]).startsWith('Could not retrieve updated translations')) return
      log(...args)
    }
    let result: RunResult
    try {
      result = await run({
        input: work,
        output: undefined,
        isSarif: false,
        customScan: [],
        excludeFromScan: EXCLUDED_CHECKS,
        severitySet: undefined,
        confidenceSet: undefined,
        isRelative: true,
        isVerbose: true,
        electronUpgrade: undefined,
        electronVersionOverride: electronVersion,
        parserPlugins: []
      })
    } finally {
      console.log = log
    }
    const relative = (file: string): string =>
      file === 'N/A'
        ? file
        : path.relative(work, path.resolve(work, file)).split(path.sep).join('/')
    return {
      files: scannableFiles(work).length,
      checks: result.globalChecks + result.atomicChecks,
      findings: result.issues.map((issue) => ({
        check: issue.id,
        severity: issue.severity.name,
        confidence: issue.confidence.name,
        file: relative(issue.file),
        line: issue.location.line,
        column: issue.location.column,
        sample: issue.sample ?? '',
        description: issue.description ?? '',
        url: issue.shortenedURL ?? ''
      })),
      unparsed: result.errors
        .filter((e) => !e.tolerable)
        .map((e) => ({ file: relative(e.file), message: e.message })),
      warnings: result.errors
        .filter((e) => e.tolerable)
        .map((e) => ({ file: relative(e.file), message: e.message })),
      networkCalls: networkCalls - callsBefore
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
}

/** The Electron version package.json pins (exactly, as it must for the checks' defaults). */
export function pinnedElectron(root: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>
    dependencies?: Record<string, string>
  }
  const spec = pkg.devDependencies?.electron ?? pkg.dependencies?.electron ?? ''
  if (!/^\d+\.\d+\.\d+$/.test(spec)) {
    throw new Error(
      `package.json pins electron as "${spec}"; electronegativity needs an exact version (like 45.5.0) to know Electron's defaults.`
    )
  }
  return spec
}

async function main(): Promise<number> {
  const electron = pinnedElectron(ROOT)
  let allowList
  try {
    allowList = parseAllowList(JSON.parse(fs.readFileSync(path.join(ROOT, ALLOW_LIST), 'utf8')))
  } catch (error) {
    const why = error instanceof AllowListError ? error.message : String(error)
    console.error(`${ALLOW_LIST} cannot be used: ${why}`)
    return 1
  }
  const result = await scan(ROOT, SCANNED, electron)
  for (const w of result.warnings) {
    console.warn(`electronegativity: ${w.file} parsed with a recoverable error: ${w.message}`)
  }
  let failed = false
  if (result.files === 0 || result.checks === 0) {
    console.error(
      `electronegativity scanned ${result.files} files with ${result.checks} checks; the scan did not run. Check that ${SCANNED.join(' and ')} exist and the package is installed (npm ci).`
    )
    failed = true
  }
  if (result.unparsed.length > 0) {
    console.error(
      `electronegativity could not parse ${result.unparsed.length} file(s), so they were not checked:`
    )
    for (const u of result.unparsed) console.error(`  ${u.file}: ${u.message}`)
    console.error(
      'Make the file parse (the scanner reads TypeScript with @babel/parser), or report the parser bug.'
    )
    failed = true
  }
  const verdict = judge(result.findings, allowList)
  const text = report(verdict, {
    files: result.files,
    checks: result.checks,
    allowListPath: ALLOW_LIST
  })
  if (passed(verdict) && !failed) {
    console.log(`${text} (Electron ${electron}, offline.)`)
    return 0
  }
  if (!passed(verdict)) console.error(text)
  return 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main()
}
