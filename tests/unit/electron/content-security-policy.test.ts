import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  CONTENT_SECURITY_POLICY,
  CSP_DIRECTIVES,
  DEV_SERVER_CONTENT_SECURITY_POLICY,
  META_CONTENT_SECURITY_POLICY,
  withSources
} from '../../../src/main/electron/content-security-policy'

/** A policy's directives: name → sources. */
function parse(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (!name) continue
    expect(directives.has(name), `${name} appears once`).toBe(false)
    directives.set(name, sources)
  }
  return directives
}

describe('the renderer’s Content-Security-Policy', () => {
  const header = parse(CONTENT_SECURITY_POLICY)
  const meta = parse(META_CONTENT_SECURITY_POLICY)

  it.each([
    ['header', CONTENT_SECURITY_POLICY],
    ['meta', META_CONTENT_SECURITY_POLICY]
  ])('%s: no inline code, no eval, no wildcard, no http', (_name, policy) => {
    for (const [name, sources] of parse(policy)) {
      for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", '*']) {
        expect(sources, `${name} allows ${unsafe}`).not.toContain(unsafe)
      }
      for (const source of sources) expect(source, name).not.toMatch(/^(https?:|ws:|wss:|\*)/)
    }
  })

  it.each([
    // The page's own code and styles only.
    ['default-src', ["'self'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    // Recordings and thumbnails come from the media scheme; the waveform fetches the recording.
    ['img-src', ["'self'", 'data:', 'blob:', 'sidecast-media:']],
    ['media-src', ["'self'", 'blob:', 'sidecast-media:']],
    ['connect-src', ["'self'", 'sidecast-media:']],
    ['font-src', ["'self'", 'data:']]
  ])('sets %s to %j', (name, sources) => {
    expect(header.get(name)).toEqual(sources)
  })

  it('carries in the <meta> everything a <meta> can carry', () => {
    expect([...meta.keys()]).toEqual([...header.keys()].filter((n) => n !== 'frame-ancestors'))
    for (const [name, sources] of meta) expect(sources).toEqual(header.get(name))
  })

  it('is the <meta> policy of src/renderer/index.html', () => {
    const html = readFileSync(join(process.cwd(), 'src/renderer/index.html'), 'utf8')
    const content = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1]
    expect(content).toBe(META_CONTENT_SECURITY_POLICY)
  })

  it('relaxes only scripts and styles, only for the dev server', () => {
    const dev = parse(DEV_SERVER_CONTENT_SECURITY_POLICY)
    for (const [name, sources] of dev) {
      const relaxed = name === 'script-src' || name === 'style-src'
      expect(sources).toEqual(relaxed ? [...meta.get(name)!, "'unsafe-inline'"] : meta.get(name))
    }
  })
})

describe('withSources', () => {
  it('adds sources after the policy’s own, once each, without touching the policy', () => {
    const added = withSources(CSP_DIRECTIVES, {
      'connect-src': ['ws://127.0.0.1:5199', "'self'"],
      'media-src': ['http://127.0.0.1:5199']
    })
    expect(added['connect-src']).toEqual(["'self'", 'sidecast-media:', 'ws://127.0.0.1:5199'])
    expect(added['media-src']).toEqual([
      "'self'",
      'blob:',
      'sidecast-media:',
      'http://127.0.0.1:5199'
    ])
    expect(added['style-src']).toEqual(["'self'"])
    expect(CSP_DIRECTIVES['connect-src']).toEqual(["'self'", 'sidecast-media:'])
  })

  it('refuses a directive the policy does not have', () => {
    expect(() => withSources(CSP_DIRECTIVES, { 'script-src-elem': ["'unsafe-inline'"] })).toThrow(
      /no "script-src-elem" directive/
    )
  })
})
