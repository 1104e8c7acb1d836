/**
 * The decisions of `npm run check:electron` (scripts/electronegativity-match.ts): which findings
 * count, which the allow-list explains, which entries are stale, and what a malformed list says.
 */
import { describe, expect, it } from 'vitest'
import {
  AllowListError,
  entryMatches,
  judge,
  parseAllowList,
  passed,
  report,
  type AllowEntry,
  type Finding
} from '../../../scripts/electronegativity-match'

const REASON = 'webPreferences come from secureWebPreferences(), which sets contextIsolation: true.'

function finding(over: Partial<Finding> = {}): Finding {
  return {
    check: 'CONTEXT_ISOLATION_JS_CHECK',
    severity: 'HIGH',
    confidence: 'FIRM',
    file: 'src/main/electron/windows.ts',
    line: 48,
    column: 17,
    sample: '  const window = new BrowserWindow({',
    description: 'Review the use of the contextIsolation option',
    url: 'https://git.io/Jeu1p',
    ...over
  }
}

function entry(over: Partial<AllowEntry> = {}): AllowEntry {
  return {
    check: 'CONTEXT_ISOLATION_JS_CHECK',
    file: 'src/main/electron/windows.ts',
    reason: REASON,
    ...over
  }
}

const scope = { files: 201, checks: 41, allowListPath: 'scripts/electronegativity-allow.json' }

describe('an allow-list entry', () => {
  it('matches the same check in the same file', () => {
    expect(entryMatches(entry(), finding())).toBe(true)
    expect(entryMatches(entry({ check: 'SANDBOX_JS_CHECK' }), finding())).toBe(false)
    expect(entryMatches(entry({ file: 'src/main/electron/tray.ts' }), finding())).toBe(false)
  })

  it('with a snippet, matches only a line containing it (whitespace aside)', () => {
    expect(entryMatches(entry({ snippet: 'new   BrowserWindow({' }), finding())).toBe(true)
    expect(entryMatches(entry({ snippet: 'new BrowserView(' }), finding())).toBe(false)
  })

  it('with a line, matches only that line', () => {
    expect(entryMatches(entry({ line: 48 }), finding())).toBe(true)
    expect(entryMatches(entry({ line: 49 }), finding())).toBe(false)
  })

  it('compares files with forward slashes, whatever the scanner reported on Windows', () => {
    expect(entryMatches(entry(), finding({ file: 'src\\main\\electron\\windows.ts' }))).toBe(true)
  })
})

describe('the verdict', () => {
  it('passes when every high and medium finding is explained and every entry is used', () => {
    const verdict = judge(
      [finding(), finding({ check: 'SANDBOX_JS_CHECK', severity: 'MEDIUM' })],
      [entry(), entry({ check: 'SANDBOX_JS_CHECK' })]
    )
    expect(passed(verdict)).toBe(true)
    expect(verdict.allowed).toHaveLength(2)
    expect(report(verdict, scope)).toBe(
      'electronegativity: 201 files scanned with 41 checks; 2 findings of high or medium severity, 2 allowed by scripts/electronegativity-allow.json with a reason; 0 low or informational not counted.'
    )
  })

  it('fails on a finding nobody explained, and lists it with where and what', () => {
    const unexplained = finding({
      check: 'NODE_INTEGRATION_JS_CHECK',
      file: 'src/main/electron/new-window.ts',
      line: 12,
      column: 4,
      sample: '    nodeIntegration: true,'
    })
    const verdict = judge([finding(), unexplained], [entry()])
    expect(passed(verdict)).toBe(false)
    expect(verdict.unexplained).toEqual([unexplained])
    const text = report(verdict, scope)
    expect(text).toContain('1 finding of high or medium severity is not in')
    expect(text).toContain(
      'HIGH NODE_INTEGRATION_JS_CHECK (firm) src/main/electron/new-window.ts:12:4'
    )
    expect(text).toContain('nodeIntegration: true,')
    expect(text).toContain('Fix the code.')
  })

  it('fails on an entry that matches no finding any more, and names it', () => {
    const stale = entry({ check: 'OPEN_EXTERNAL_JS_CHECK', snippet: 'shell.openExternal(url)' })
    const verdict = judge([finding()], [entry(), stale])
    expect(passed(verdict)).toBe(false)
    expect(verdict.stale).toEqual([stale])
    expect(report(verdict, scope)).toContain(
      '1 allow-list entry in scripts/electronegativity-allow.json matches no finding; remove it'
    )
    expect(report(verdict, scope)).toContain(
      'OPEN_EXTERNAL_JS_CHECK src/main/electron/windows.ts "shell.openExternal(url)"'
    )
  })

  it('does not count low and informational findings, nor let them keep an entry alive', () => {
    const low = finding({ check: 'CSP_GLOBAL_CHECK', severity: 'LOW' })
    const info = finding({ check: 'ELECTRON_VERSION_JSON_CHECK', severity: 'INFORMATIONAL' })
    const verdict = judge([low, info], [entry({ check: 'CSP_GLOBAL_CHECK' })])
    expect(verdict.counted).toEqual([])
    expect(verdict.ignored).toBe(2)
    expect(verdict.unexplained).toEqual([])
    expect(verdict.stale).toHaveLength(1)
  })

  it('lets one entry explain several findings of one check in one file', () => {
    const verdict = judge([finding(), finding({ line: 90, column: 2 })], [entry()])
    expect(passed(verdict)).toBe(true)
    expect(verdict.allowed).toHaveLength(2)
  })

  it('counts an entry shadowed by an earlier, broader one as used', () => {
    const verdict = judge([finding()], [entry(), entry({ snippet: 'new BrowserWindow' })])
    expect(verdict.stale).toEqual([])
  })
})

describe('reading the allow-list', () => {
  it('takes entries with a check, a file, an optional snippet and line, and a reason', () => {
    const list = parseAllowList({
      $comment: 'why this file exists',
      allowed: [
        { check: 'SANDBOX_JS_CHECK', file: 'src\\main\\x.ts', snippet: ' new X( ', reason: REASON },
        { check: 'AUXCLICK_JS_CHECK', file: 'src/main/y.ts', line: 3, reason: REASON }
      ]
    })
    expect(list).toEqual([
      { check: 'SANDBOX_JS_CHECK', file: 'src/main/x.ts', snippet: 'new X(', reason: REASON },
      { check: 'AUXCLICK_JS_CHECK', file: 'src/main/y.ts', line: 3, reason: REASON }
    ])
  })

  it.each([
    [[], 'must be an object with an "allowed" array'],
    [{ allowed: [{ check: 'SANDBOX_JS_CHECK', file: 'a.ts' }] }, 'needs "reason"'],
    [{ allowed: [{ check: 'SANDBOX_JS_CHECK', file: 'a.ts', reason: '  ' }] }, 'needs "reason"'],
    [
      { allowed: [{ check: 'SANDBOX_JS_CHECK', file: 'a.ts', reason: 'false positive' }] },
      'too short a reason'
    ],
    [{ allowed: [{ file: 'a.ts', reason: REASON }] }, 'needs "check"'],
    [{ allowed: [{ check: 'sandbox', file: 'a.ts', reason: REASON }] }, 'use the id'],
    [{ allowed: [{ check: 'SANDBOX_JS_CHECK', reason: REASON }] }, 'needs "file"'],
    [
      { allowed: [{ check: 'SANDBOX_JS_CHECK', file: 'a.ts', reason: REASON, line: 0 }] },
      'line number from 1 up'
    ],
    [
      { allowed: [{ check: 'SANDBOX_JS_CHECK', file: 'a.ts', reason: REASON, severity: 'LOW' }] },
      'unknown field "severity"'
    ],
    [{ allowed: ['SANDBOX_JS_CHECK'] }, 'is not an object']
  ])('refuses %j, saying %s', (json, message) => {
    expect(() => parseAllowList(json)).toThrow(AllowListError)
    expect(() => parseAllowList(json)).toThrow(message)
  })
})
