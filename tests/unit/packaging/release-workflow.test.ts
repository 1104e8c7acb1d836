/**
 * docs/ci/release.yml, the GitHub Actions release build, cannot run here: this reads it as Actions
 * would and holds it to the project — each OS in the matrix runs its own dist script, the scripts
 * exist and build that OS, Linux tests with .ci/run's packages, and the update files are uploaded.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageJson, ROOT } from './builder-config'

const { load } = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown }

interface Step {
  readonly name?: string
  readonly uses?: string
  readonly if?: string
  readonly run?: string
  readonly shell?: string
  readonly with?: Readonly<Record<string, unknown>>
  readonly env?: Readonly<Record<string, string>>
}

interface Job {
  readonly 'runs-on': string
  readonly strategy: { readonly matrix: { readonly os: readonly string[] } }
  readonly steps: readonly Step[]
}

const workflow = load(readFileSync(join(ROOT, 'docs/ci/release.yml'), 'utf8')) as {
  readonly on: Readonly<Record<string, unknown>>
  readonly jobs: Readonly<Record<string, Job>>
}
const job = workflow.jobs['dist']!
const steps = job.steps

/** The steps a runner of `runnerOs` runs: those without `if`, or whose `if` is its runner.os. */
function stepsOn(runnerOs: string): Step[] {
  return steps.filter((step) => {
    if (step.if === undefined) return true
    const match = /^runner\.os == '(\w+)'$/.exec(step.if)
    if (!match) throw new Error(`a condition this test cannot read: ${step.if}`)
    return match[1] === runnerOs
  })
}

const runOf = (list: readonly Step[]): string => list.map((s) => s.run ?? '').join('\n')

describe('docs/ci/release.yml', () => {
  const scripts = packageJson().scripts ?? {}

  it('builds on Linux, Windows and macOS, each on its own runner, one failing not stopping the rest', () => {
    expect(job['runs-on']).toBe('${{ matrix.os }}')
    expect([...job.strategy.matrix.os].sort()).toEqual([
      'macos-latest',
      'ubuntu-latest',
      'windows-latest'
    ])
    expect((job.strategy as { 'fail-fast'?: boolean })['fail-fast']).toBe(false)
  })

  it.each([
    ['Linux', 'dist:linux', '--linux'],
    ['Windows', 'dist:win', '--win'],
    ['macOS', 'dist:mac', '--mac']
  ])('on %s runs npm run %s, which builds that OS with electron-builder', (os, script, flag) => {
    const distSteps = stepsOn(os).filter((s) => /npm run dist/.test(s.run ?? ''))
    expect(distSteps.map((s) => s.run)).toEqual([`npm run ${script}`])
    expect(scripts[script]).toMatch(
      new RegExp(`^electron-vite build && electron-builder ${flag} --publish never$`)
    )
  })

  it('checks out, sets up Node 20 and installs with npm ci before building, everywhere', () => {
    for (const os of ['Linux', 'Windows', 'macOS']) {
      const list = stepsOn(os)
      const index = (test: (s: Step) => boolean): number => list.findIndex(test)
      const checkout = index((s) => s.uses?.startsWith('actions/checkout@') ?? false)
      const node = index((s) => s.uses?.startsWith('actions/setup-node@') ?? false)
      const install = index((s) => /^npm ci\b/.test(s.run ?? ''))
      const dist = index((s) => /npm run dist:/.test(s.run ?? ''))
      expect(checkout).toBe(0)
      expect(list[node]?.with?.['node-version']).toBe(20)
      expect(install).toBeGreaterThan(node)
      expect(dist).toBeGreaterThan(install)
      // Electron's binary must be downloaded there: electron-builder packages it.
      expect(JSON.stringify(list)).not.toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD:/)
    }
  })

  it('runs npm test on Linux, before building, with the packages .ci/run installs', () => {
    const linux = stepsOn('Linux')
    const test = linux.findIndex((s) => s.run === 'npm test')
    expect(test).toBeGreaterThan(linux.findIndex((s) => /^npm ci\b/.test(s.run ?? '')))
    expect(test).toBeLessThan(linux.findIndex((s) => s.run === 'npm run dist:linux'))
    expect(stepsOn('Windows').some((s) => s.run === 'npm test')).toBe(false)

    const ciRun = readFileSync(join(ROOT, '.ci/run'), 'utf8')
    const ciPackages = /apt-get install -y --no-install-recommends ([^\n]+)/
      .exec(ciRun)![1]!
      .trim()
      .split(/\s+/)
    const installed = /apt-get install -y --no-install-recommends ([^\n]+)/
      .exec(runOf(linux))![1]!
      .trim()
      .split(/\s+/)
    // Ubuntu's chromium is a snap stub: the runner's Google Chrome stands in, via CHROMIUM_PATH.
    expect(installed.sort()).toEqual(ciPackages.filter((p) => p !== 'chromium').sort())
    expect(runOf(linux)).toMatch(/CHROMIUM_PATH=.*>> "\$GITHUB_ENV"/)
  })

  it('takes the signing and notarization secrets from the repository’s secrets', () => {
    const env = Object.fromEntries(steps.flatMap((s) => Object.entries(s.env ?? {})))
    const secrets = Object.values(env)
      .map((value) => /^\$\{\{ secrets\.(\w+) \}\}$/.exec(value)?.[1])
      .filter(Boolean)
    expect(secrets.sort()).toEqual([
      'APPLE_API_ISSUER',
      'APPLE_API_KEY',
      'APPLE_API_KEY_ID',
      'CSC_KEY_PASSWORD',
      'CSC_LINK',
      'WIN_CSC_KEY_PASSWORD',
      'WIN_CSC_LINK'
    ])
    // They reach electron-builder under the names it reads, only on the OS that uses them.
    const passed = runOf(steps)
    for (const name of [
      'CSC_LINK',
      'CSC_KEY_PASSWORD',
      'APPLE_API_KEY',
      'APPLE_API_KEY_ID',
      'APPLE_API_ISSUER',
      'WIN_CSC_LINK',
      'WIN_CSC_KEY_PASSWORD'
    ]) {
      expect(passed).toMatch(new RegExp(`pass_on ${name} "`))
    }
  })

  it('uploads the installers, latest*.yml and the .blockmap files electron-updater reads', () => {
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))
    expect(upload?.if).toBeUndefined()
    const paths = String(upload?.with?.['path']).trim().split('\n')
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/latest*.yml',
        'dist/*.blockmap',
        'dist/*.AppImage',
        'dist/*.deb',
        'dist/*.exe',
        'dist/*.dmg',
        'dist/*.zip'
      ])
    )
    expect(upload?.with?.['if-no-files-found']).toBe('error')
  })

  it('runs for version tags and by hand', () => {
    expect(workflow.on['push']).toEqual({ tags: ['v*'] })
    expect(Object.keys(workflow.on)).toContain('workflow_dispatch')
  })
})
