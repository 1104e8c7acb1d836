/**
 * What a signed, notarized macOS build needs: the hardened runtime with the entitlements Electron
 * and recording need, and the usage descriptions macOS shows when it asks for a device.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { MacConfiguration } from 'electron-builder'
import { builderConfig, ROOT } from './builder-config'

/** The keys set to <true/> in a plist's top dict. */
function trueKeys(plist: string): string[] {
  const withoutComments = plist.replace(/<!--[\s\S]*?-->/g, '')
  return [...withoutComments.matchAll(/<key>([^<]+)<\/key>\s*<true\s*\/>/g)].map((m) => m[1]!)
}

describe('macOS signing', () => {
  const mac = (builderConfig().mac ?? {}) as MacConfiguration

  it('signs with the hardened runtime, our entitlements for the app and its helpers, and notarizes', () => {
    expect(mac.hardenedRuntime).toBe(true)
    expect(mac.entitlements).toBe('resources/entitlements.mac.plist')
    expect(mac.entitlementsInherit).toBe('resources/entitlements.mac.plist')
    expect(mac.notarize).toBe(true)
  })

  it('entitles JIT, the microphone and the camera, and nothing that weakens the runtime further', () => {
    const plist = readFileSync(join(ROOT, 'resources/entitlements.mac.plist'), 'utf8')
    expect(plist).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE plist/)
    expect(trueKeys(plist).sort()).toEqual([
      'com.apple.security.cs.allow-jit',
      'com.apple.security.device.audio-input',
      'com.apple.security.device.camera'
    ])
  })

  it('says why it wants the microphone and the camera', () => {
    const info = (mac.extendInfo ?? {}) as Record<string, string>
    expect(info['NSMicrophoneUsageDescription']).toMatch(/microphone/)
    expect(info['NSCameraUsageDescription']).toMatch(/camera/)
  })
})
