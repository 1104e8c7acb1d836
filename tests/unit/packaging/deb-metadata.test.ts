/**
 * electron-builder's deb target (FpmTarget) refuses to build without a project homepage and a
 * maintainer (linux.maintainer, else package.json's author with an email); the package's
 * Description comes from package.json. These are the fields it reads.
 */
import { describe, expect, it } from 'vitest'
import { builderConfig, packageJson } from './builder-config'

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/

describe('metadata the .deb needs', () => {
  const pkg = packageJson()
  const linux = builderConfig().linux ?? {}

  it('package.json has a description and an https homepage', () => {
    expect(pkg.description?.trim()).toBeTruthy()
    expect(pkg.homepage).toMatch(/^https:\/\/[^\s/]+\.[a-z]{2,}(\/\S*)?$/)
    expect(pkg.homepage).not.toMatch(/example\.|localhost|TODO|placeholder/i)
  })

  it('package.json has an author with a name and an email', () => {
    expect(typeof pkg.author).toBe('object')
    const author = pkg.author as { name?: string; email?: string }
    expect(author.name?.trim()).toBeTruthy()
    expect(author.email).toMatch(EMAIL)
  })

  it('linux.maintainer is "Name <email>", the same as the author', () => {
    const author = pkg.author as { name: string; email: string }
    expect(linux.maintainer).toBe(`${author.name} <${author.email}>`)
  })

  it('linux has a freedesktop category and the deb target', () => {
    expect(linux.category).toBe('AudioVideo')
    const targets = (linux.target as (string | { target: string })[]).map((t) =>
      typeof t === 'string' ? t : t.target
    )
    expect(targets).toContain('deb')
  })
})
