import { describe, expect, it, vi } from 'vitest'
import {
  installPermissionHandlers,
  isPermissionAllowed
} from '../../../src/main/electron/permissions'
import type { RendererLocation } from '../../../src/main/electron/trusted-sender'

const trusted: RendererLocation = { kind: 'file', indexUrl: 'file:///app/out/renderer/index.html' }
const OURS = 'file:///app/out/renderer/index.html'

describe('isPermissionAllowed', () => {
  it.each([
    ['media', OURS, true, true],
    ['display-capture', OURS, true, true],
    ['media', OURS, false, false],
    ['display-capture', 'https://evil.example/', true, false],
    ['media', 'https://evil.example/', true, false],
    ['media', undefined, true, false],
    ['notifications', OURS, true, false],
    ['geolocation', OURS, true, false],
    ['clipboard-read', OURS, true, false],
    ['openExternal', OURS, true, false],
    ['fullscreen', OURS, true, false],
    ['hid', OURS, true, false],
    ['unknown', OURS, true, false]
  ] as const)('%s from %s (main frame: %s) → %s', (permission, url, isMainFrame, allowed) => {
    expect(
      isPermissionAllowed(
        permission,
        url === undefined ? { isMainFrame } : { requestingUrl: url, isMainFrame },
        trusted
      )
    ).toBe(allowed)
  })
})

describe('installPermissionHandlers', () => {
  function install() {
    const session = {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      setDevicePermissionHandler: vi.fn()
    }
    installPermissionHandlers(session as never, trusted)
    return {
      request: session.setPermissionRequestHandler.mock.calls[0]?.[0] as (
        wc: unknown,
        permission: string,
        callback: (granted: boolean) => void,
        details: unknown
      ) => void,
      check: session.setPermissionCheckHandler.mock.calls[0]?.[0] as (
        wc: unknown,
        permission: string,
        origin: string,
        details: unknown
      ) => boolean,
      device: session.setDevicePermissionHandler.mock.calls[0]?.[0] as (details: unknown) => boolean
    }
  }

  it('grants the microphone and screen capture to our page and refuses the rest', () => {
    const { request } = install()
    const answers: Array<[string, boolean]> = []
    for (const permission of ['media', 'display-capture', 'notifications']) {
      request({}, permission, (granted) => answers.push([permission, granted]), {
        requestingUrl: OURS,
        isMainFrame: true,
        mediaTypes: ['audio']
      })
    }
    request({}, 'media', (granted) => answers.push(['media from elsewhere', granted]), {
      requestingUrl: 'https://evil.example/',
      isMainFrame: true
    })
    expect(answers).toEqual([
      ['media', true],
      ['display-capture', true],
      ['notifications', false],
      ['media from elsewhere', false]
    ])
  })

  it('answers permission checks with the same policy and refuses every device', () => {
    const { check, device } = install()
    expect(
      check(null, 'media', 'file://', {
        requestingUrl: OURS,
        isMainFrame: true,
        mediaType: 'audio'
      })
    ).toBe(true)
    expect(check(null, 'media', 'file://', { isMainFrame: true })).toBe(false)
    expect(check(null, 'serial', 'file://', { requestingUrl: OURS, isMainFrame: true })).toBe(false)
    expect(device({ deviceType: 'usb', origin: 'file://' })).toBe(false)
  })
})
