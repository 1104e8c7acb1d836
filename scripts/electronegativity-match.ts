/**
 * What `npm run check:electron` decides, apart from running the scan (electronegativity.ts):
 * which findings count (high and medium severity), which of them the checked-in allow-list
 * (electronegativity-allow.json) explains, which allow-list entries no longer match anything, and
 * the report. Pure: no files, no scanner.
 */

/** One finding, as the check reports it (file relative to the repository, `/` separators). */
export interface Finding {
  readonly check: string
  readonly severity: 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL'
  readonly confidence: string
  readonly file: string
  readonly line: number
  readonly column: number
  /** The source line the finding points at. */
  readonly sample: string
  readonly description: string
  readonly url: string
}

/** One allow-list entry: a finding we reviewed and why it is not a problem here. */
export interface AllowEntry {
  /** The check id, e.g. `CONTEXT_ISOLATION_JS_CHECK`. */
  readonly check: string
  /** The file, relative to the repository root, e.g. `src/main/electron/windows.ts`. */
  readonly file: string
  /** Text the finding's source line must contain (whitespace-insensitive). */
  readonly snippet?: string
  /** The finding's line, when the snippet alone is not precise enough. */
  readonly line?: number
  /** Why this finding is not a problem in our code: specific, checked by a person. */
  readonly reason: string
}

export const COUNTED_SEVERITIES: ReadonlySet<string> = new Set(['HIGH', 'MEDIUM'])

/** A reason shorter than this cannot say why a finding is safe here. */
export const MIN_REASON_LENGTH = 40

const ENTRY_KEYS = new Set(['check', 'file', 'snippet', 'line', 'reason'])

export class AllowListError extends Error {}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/**
 * The allow-list from its JSON (`{ "allowed": [entry…] }`), every entry checked: a check id, a
 * file, a specific reason; nothing unknown. Throws AllowListError naming the entry and the fix.
 */
export function parseAllowList(json: unknown): AllowEntry[] {
  if (
    typeof json !== 'object' ||
    json === null ||
    !Array.isArray((json as { allowed?: unknown }).allowed)
  ) {
    throw new AllowListError('The allow-list must be an object with an "allowed" array of entries.')
  }
  const entries = (json as { allowed: unknown[] }).allowed
  return entries.map((raw, index) => {
    const where = `Allow-list entry ${index + 1}`
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new AllowListError(`${where} is not an object; write { "check", "file", "reason" }.`)
    }
    const entry = raw as Record<string, unknown>
    for (const key of Object.keys(entry)) {
      if (!ENTRY_KEYS.has(key)) {
        throw new AllowListError(
          `${where} has an unknown field "${key}"; the fields are check, file, snippet, line and reason.`
        )
      }
    }
    const text = (key: string, required: boolean): string | undefined => {
      const value = entry[key]
      if (value === undefined && !required) return undefined
      if (typeof value !== 'string' || !value.trim()) {
        throw new AllowListError(`${where} needs "${key}" as a non-empty string.`)
      }
      return value.trim()
    }
    const check = text('check', true) as string
    const file = (text('file', true) as string).replace(/\\/g, '/')
    const snippet = text('snippet', false)
    const reason = text('reason', true) as string
    if (!/^[A-Z0-9_]+$/.test(check)) {
      throw new AllowListError(
        `${where} names the check "${check}"; use the id electronegativity reports, e.g. CONTEXT_ISOLATION_JS_CHECK.`
      )
    }
    if (reason.length < MIN_REASON_LENGTH) {
      throw new AllowListError(
        `${where} (${check} in ${file}) gives too short a reason; say why this finding is not a problem in this code.`
      )
    }
    const line = entry.line
    if (line !== undefined && (typeof line !== 'number' || !Number.isInteger(line) || line < 1)) {
      throw new AllowListError(`${where} has "line" ${String(line)}; use a line number from 1 up.`)
    }
    return {
      check,
      file,
      ...(snippet !== undefined ? { snippet } : {}),
      ...(line !== undefined ? { line } : {}),
      reason
    }
  })
}

/** Whether `entry` explains `finding`: same check and file, and the snippet and line if given. */
export function entryMatches(entry: AllowEntry, finding: Finding): boolean {
  if (entry.check !== finding.check) return false
  if (entry.file !== finding.file.replace(/\\/g, '/')) return false
  if (entry.line !== undefined && entry.line !== finding.line) return false
  if (entry.snippet !== undefined && !collapse(finding.sample).includes(collapse(entry.snippet))) {
    return false
  }
  return true
}

export interface Verdict {
  /** High and medium findings. */
  readonly counted: readonly Finding[]
  /** Counted findings an entry explains, with the entry. */
  readonly allowed: readonly { finding: Finding; entry: AllowEntry }[]
  /** Counted findings no entry explains: each fails the check. */
  readonly unexplained: readonly Finding[]
  /** Entries that match no counted finding: each fails the check (the list must stay honest). */
  readonly stale: readonly AllowEntry[]
  /** Low and informational findings, not counted. */
  readonly ignored: number
}

export function judge(findings: readonly Finding[], allowList: readonly AllowEntry[]): Verdict {
  const counted = findings.filter((f) => COUNTED_SEVERITIES.has(f.severity))
  const used = new Set<AllowEntry>()
  const allowed: { finding: Finding; entry: AllowEntry }[] = []
  const unexplained: Finding[] = []
  for (const finding of counted) {
    const entry = allowList.find((e) => entryMatches(e, finding))
    if (entry) {
      used.add(entry)
      allowed.push({ finding, entry })
    } else {
      unexplained.push(finding)
    }
  }
  // An entry shadowed by an earlier one still counts as used if it matches something.
  for (const entry of allowList) {
    if (!used.has(entry) && counted.some((f) => entryMatches(entry, f))) used.add(entry)
  }
  return {
    counted,
    allowed,
    unexplained,
    stale: allowList.filter((e) => !used.has(e)),
    ignored: findings.length - counted.length
  }
}

export function passed(verdict: Verdict): boolean {
  return verdict.unexplained.length === 0 && verdict.stale.length === 0
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

/** What to print: a summary when the check passes, else every problem and what to do. */
export function report(
  verdict: Verdict,
  scope: { files: number; checks: number; allowListPath: string }
): string {
  const lines: string[] = []
  if (verdict.unexplained.length > 0) {
    lines.push(
      `electronegativity: ${plural(verdict.unexplained.length, 'finding')} of high or medium severity ${verdict.unexplained.length === 1 ? 'is' : 'are'} not in ${scope.allowListPath}:`
    )
    for (const f of verdict.unexplained) {
      lines.push(
        `  ${f.severity} ${f.check} (${f.confidence.toLowerCase()}) ${f.file}:${f.line}:${f.column}`,
        `    ${collapse(f.sample) || '(no source line)'}`,
        `    ${collapse(f.description)} ${f.url}`.trimEnd()
      )
    }
    lines.push(
      'Fix the code. If a finding is a false positive, add an entry with the check id, the file, a snippet of the line and the specific reason to the allow-list.'
    )
  }
  if (verdict.stale.length > 0) {
    lines.push(
      `electronegativity: ${plural(verdict.stale.length, 'allow-list entry', 'allow-list entries')} in ${scope.allowListPath} ${verdict.stale.length === 1 ? 'matches' : 'match'} no finding; remove ${verdict.stale.length === 1 ? 'it' : 'them'} (or correct the file or snippet):`
    )
    for (const e of verdict.stale) {
      const at = e.line !== undefined ? `:${e.line}` : ''
      lines.push(`  ${e.check} ${e.file}${at}${e.snippet ? ` "${e.snippet}"` : ''}`)
    }
  }
  if (lines.length > 0) return lines.join('\n')
  return (
    `electronegativity: ${plural(scope.files, 'file')} scanned with ${plural(scope.checks, 'check')}; ` +
    `${plural(verdict.counted.length, 'finding')} of high or medium severity, ` +
    `${verdict.allowed.length} allowed by ${scope.allowListPath} with a reason; ` +
    `${verdict.ignored} low or informational not counted.`
  )
}
