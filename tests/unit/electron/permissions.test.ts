import { describe, expect, it, vi } from 'vitest'
import {
  installPermissionHandlers,
  isPermissionAllowed,
  permissionPolicy,
  type PermissionPolicy
} from '../../../src/main/electron/permissions'
import { DEFAULT_SETTINGS } from '../../../src/shared/settings'
import { APP_RENDERER, type RendererLocation } from '../../../src/main/electron/trusted-sender'

const trusted: RendererLocation = APP_RENDERER
const OURS = 'app://sidecast/index.html'

describe('isPermissionAllowed', () => {
  it.each([
    ['media', OURS, true, true],
    ['display-capture', OURS, true, true],
    ['media', OURS, false, false],
    ['display-capture', 'https://evil.example/', true, false],
    ['media', 'https://evil.example/', true, false],
    // The renderer is no file any more; another host of the app scheme is another origin.
    ['media', 'file:///app/out/renderer/index.html', true, false],
    ['display-capture', 'file:///app/out/renderer/index.html', true, false],
    ['media', 'app://other/index.html', true, false],
    ['display-capture', 'app://other/index.html', true, false],
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

describe('media: the microphone only', () => {
  const ours = { requestingUrl: OURS, isMainFrame: true }

  it.each([
    ['the microphone', { mediaTypes: ['audio'] }, true],
    ['a camera', { mediaTypes: ['video'] }, false],
    ['a camera and the microphone', { mediaTypes: ['video', 'audio'] }, false],
    ['nothing named', { mediaTypes: [] }, true],
    ['a check for the microphone', { mediaType: 'audio' }, true],
    ['a check for a camera', { mediaType: 'video' }, false],
    ['a check for an unknown device', { mediaType: 'unknown' }, true]
  ] as const)('a media request for %s → %s', (_name, more, allowed) => {
    expect(isPermissionAllowed('media', { ...ours, ...more }, trusted)).toBe(allowed)
  })

  it('grants a camera only while one is in use', () => {
    const camera = { ...ours, mediaTypes: ['video', 'audio'] as const }
    expect(isPermissionAllowed('media', camera, trusted, { cameraInUse: true })).toBe(true)
    expect(isPermissionAllowed('media', camera, trusted, { cameraInUse: false })).toBe(false)
  })

  it('never lets a camera in use open other permissions or other pages', () => {
    const policy = { cameraInUse: true }
    expect(isPermissionAllowed('geolocation', ours, trusted, policy)).toBe(false)
    expect(
      isPermissionAllowed(
        'media',
        { requestingUrl: 'https://evil.example/', isMainFrame: true, mediaTypes: ['video'] },
        trusted,
        policy
      )
    ).toBe(false)
  })
})

function install(policy?: () => PermissionPolicy) {
  const session = {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn()
  }
  installPermissionHandlers(session as never, trusted, policy)
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
describe('installPermissionHandlers', () => {
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

  it('refuses our page a camera while none is chosen, in requests and in checks', () => {
    const { request, check } = install()
    let granted: boolean | null = null
    request({}, 'media', (answer) => (granted = answer), {
      requestingUrl: OURS,
      isMainFrame: true,
      mediaTypes: ['audio', 'video']
    })
    expect(granted).toBe(false)
    expect(
      check(null, 'media', 'app://sidecast', {
        requestingUrl: OURS,
        isMainFrame: true,
        mediaType: 'video'
      })
    ).toBe(false)
  })

  it('answers permission checks with the same policy and refuses every device', () => {
    const { check, device } = install()
    expect(
      check(null, 'media', 'app://sidecast', {
        requestingUrl: OURS,
        isMainFrame: true,
        mediaType: 'audio'
      })
    ).toBe(true)
    expect(check(null, 'media', 'app://sidecast', { isMainFrame: true })).toBe(false)
    expect(
      check(null, 'serial', 'app://sidecast', { requestingUrl: OURS, isMainFrame: true })
    ).toBe(false)
    expect(device({ deviceType: 'usb', origin: 'app://sidecast' })).toBe(false)
  })
})

describe('the camera follows the cameraId setting', () => {
  it('is in use only when a camera is chosen, and "No camera" is the default', () => {
    expect(DEFAULT_SETTINGS.cameraId).toBe('none')
    expect(permissionPolicy(DEFAULT_SETTINGS)).toEqual({ cameraInUse: false })
    expect(permissionPolicy({ cameraId: 'none' })).toEqual({ cameraInUse: false })
    expect(permissionPolicy({ cameraId: '' })).toEqual({ cameraInUse: false })
    expect(permissionPolicy({ cameraId: 'default' })).toEqual({ cameraInUse: true })
    expect(permissionPolicy({ cameraId: 'a1b2c3' })).toEqual({ cameraInUse: true })
  })

  it('grants video to our page as soon as a camera is chosen, and refuses it again once "No camera" is', () => {
    let settings = { ...DEFAULT_SETTINGS }
    const { request, check } = install(() => permissionPolicy(settings))
    const ask = (mediaTypes: readonly string[]): boolean | null => {
      let granted: boolean | null = null
      request({}, 'media', (answer) => (granted = answer), {
        requestingUrl: OURS,
        isMainFrame: true,
        mediaTypes
      })
      return granted
    }
    const checkVideo = (): boolean =>
      check(null, 'media', 'app://sidecast', {
        requestingUrl: OURS,
        isMainFrame: true,
        mediaType: 'video'
      })

    expect(ask(['video'])).toBe(false)
    expect(checkVideo()).toBe(false)
    expect(ask(['audio'])).toBe(true)

    settings = { ...settings, cameraId: 'a1b2c3' }
    expect(ask(['video'])).toBe(true)
    expect(ask(['audio', 'video'])).toBe(true)
    expect(checkVideo()).toBe(true)
    // The bubble window's page is the same renderer, with a hash.
    let bubble: boolean | null = null
    request({}, 'media', (answer) => (bubble = answer), {
      requestingUrl: `${OURS}#bubble?camera=a1b2c3`,
      isMainFrame: true,
      mediaTypes: ['video']
    })
    expect(bubble).toBe(true)
    // Still never for another page, nor a sub-frame.
    let elsewhere: boolean | null = null
    request({}, 'media', (answer) => (elsewhere = answer), {
      requestingUrl: 'https://evil.example/',
      isMainFrame: true,
      mediaTypes: ['video']
    })
    expect(elsewhere).toBe(false)

    settings = { ...settings, cameraId: 'none' }
    expect(ask(['video'])).toBe(false)
    expect(checkVideo()).toBe(false)
    expect(ask(['audio'])).toBe(true)
  })
})
