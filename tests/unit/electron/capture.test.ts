import { beforeEach, describe, expect, it, vi } from 'vitest'

const electron = vi.hoisted(() => ({
  screenStatus: vi.fn(() => 'granted'),
  getSources: vi.fn(),
  getAllDisplays: vi.fn(() => [] as Array<{ id: number; label: string }>),
  fromFrame: vi.fn()
}))
vi.mock('electron', () => ({
  desktopCapturer: { getSources: electron.getSources },
  screen: { getAllDisplays: electron.getAllDisplays },
  webContents: { fromFrame: electron.fromFrame },
  systemPreferences: { getMediaAccessStatus: electron.screenStatus }
}))

import { installDisplayMediaHandler, listCaptureSources } from '../../../src/main/electron/capture'
import { chooseSource, toCaptureSources } from '../../../src/main/electron/capture-sources'
import { APP_RENDERER, type RendererLocation } from '../../../src/main/electron/trusted-sender'
import { SYSTEM_PICKER_SOURCE } from '../../../src/main/electron/wayland'

const renderer: RendererLocation = APP_RENDERER
const ourContents = { id: 1 }
const ourFrame = { url: 'app://sidecast/index.html', parent: null }

function image(dataUrl: string | null) {
  return { isEmpty: () => dataUrl === null, toDataURL: () => dataUrl ?? '' }
}
function source(id: string, name: string, displayId = '') {
  return { id, name, display_id: displayId, thumbnail: image(`data:image/png;base64,${id}`) }
}

const SCREEN_1 = source('screen:1:0', 'Screen 1', '101')
const SCREEN_2 = source('screen:2:0', 'Screen 2', '102')
const EDITOR = source('window:77:0', 'notes.txt — Editor')

describe('display-media handler', () => {
  let selected = ''
  let handler: (request: unknown, callback: (streams: unknown) => void) => void

  function install(platform: string, env: Record<string, string> = {}): void {
    const session = { setDisplayMediaRequestHandler: vi.fn() }
    installDisplayMediaHandler(session as never, {
      selectedSourceId: () => selected,
      renderer,
      isOurWebContents: (contents) => contents === (ourContents as never),
      platform,
      env
    })
    handler = session.setDisplayMediaRequestHandler.mock.calls[0]![0]
  }

  beforeEach(() => {
    vi.clearAllMocks()
    electron.screenStatus.mockReturnValue('granted')
    selected = ''
    install('linux')
    electron.fromFrame.mockImplementation((frame: unknown) =>
      frame === ourFrame ? ourContents : { id: 9 }
    )
    electron.getSources.mockResolvedValue([SCREEN_1, SCREEN_2, EDITOR])
  })

  function ask(request: Record<string, unknown> = {}): Promise<unknown> {
    return new Promise((resolve) =>
      handler(
        {
          frame: ourFrame,
          videoRequested: true,
          audioRequested: false,
          userGesture: false,
          ...request
        },
        resolve
      )
    )
  }

  it.each([
    [
      'the chosen window',
      'window:77:0',
      { video: { id: 'window:77:0', name: 'notes.txt — Editor' } }
    ],
    ['the chosen second screen', 'screen:2:0', { video: { id: 'screen:2:0', name: 'Screen 2' } }],
    [
      'the first screen when nothing was chosen',
      '',
      { video: { id: 'screen:1:0', name: 'Screen 1' } }
    ],
    [
      'the first screen when the chosen window has closed',
      'window:55:0',
      { video: { id: 'screen:1:0', name: 'Screen 1' } }
    ]
  ])('answers with %s, video only', async (_name, chosen, expected) => {
    selected = chosen
    expect(await ask()).toEqual(expected)
  })

  it('asks desktopCapturer for screens and windows without thumbnails', async () => {
    await ask()
    expect(electron.getSources).toHaveBeenCalledWith(
      expect.objectContaining({
        types: ['screen', 'window'],
        thumbnailSize: { width: 0, height: 0 }
      })
    )
  })

  it('refuses when there is nothing to capture', async () => {
    electron.getSources.mockResolvedValue([])
    expect(await ask()).toBeNull()
  })

  it('refuses when listing sources fails', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    electron.getSources.mockRejectedValue(new Error('no portal'))
    expect(await ask()).toBeNull()
  })

  it.each([
    ['a frame from another page', { frame: { url: 'https://evil.example/', parent: null } }],
    ['a sub-frame', { frame: { url: 'app://sidecast/index.html', parent: ourFrame } }],
    ['a file:// page', { frame: { url: 'file:///app/out/renderer/index.html', parent: null } }],
    ['a destroyed frame', { frame: null }],
    ['an audio-only request', { videoRequested: false }]
  ])('refuses %s without listing sources', async (_name, request) => {
    expect(await ask(request)).toBeNull()
    expect(electron.getSources).not.toHaveBeenCalled()
  })

  it.each(['denied', 'restricted'])(
    'on macOS refuses without listing sources when screen recording is %s',
    async (status) => {
      install('darwin')
      electron.screenStatus.mockReturnValue(status)
      expect(await ask()).toBeNull()
      expect(electron.screenStatus).toHaveBeenCalledWith('screen')
      expect(electron.getSources).not.toHaveBeenCalled()
    }
  )

  it.each(['granted', 'not-determined'])(
    'on macOS answers when screen recording is %s',
    async (status) => {
      install('darwin')
      electron.screenStatus.mockReturnValue(status)
      expect(await ask()).toEqual({ video: { id: 'screen:1:0', name: 'Screen 1' } })
    }
  )

  it('on Wayland calls getSources once per request and answers with the system dialog’s choice', async () => {
    install('linux', { XDG_SESSION_TYPE: 'wayland' })
    selected = 'screen:1:0' // remembered from an earlier session; ids are single-use there
    electron.getSources.mockResolvedValue([EDITOR])
    expect(await ask()).toEqual({ video: { id: 'window:77:0', name: 'notes.txt — Editor' } })
    expect(electron.getSources).toHaveBeenCalledTimes(1)
  })

  it('on Wayland refuses when the system dialog was cancelled', async () => {
    install('linux', { XDG_SESSION_TYPE: 'wayland' })
    electron.getSources.mockResolvedValue([])
    expect(await ask()).toBeNull()
  })

  it('never asks macOS’s permission elsewhere', async () => {
    await ask()
    expect(electron.screenStatus).not.toHaveBeenCalled()
  })

  it('refuses our page loaded in a window we did not create', async () => {
    electron.fromFrame.mockReturnValue({ id: 9 })
    expect(await ask()).toBeNull()
  })
})

describe('listCaptureSources', () => {
  it('on Wayland lists the system dialog entry alone, without opening the dialog', async () => {
    vi.clearAllMocks()
    const sources = await listCaptureSources('linux', { XDG_SESSION_TYPE: 'wayland' })
    expect(sources).toEqual([SYSTEM_PICKER_SOURCE])
    expect(electron.getSources).not.toHaveBeenCalled()
  })

  it('on macOS without the Screen Recording permission says how to grant it instead of listing blank sources', async () => {
    vi.clearAllMocks()
    electron.screenStatus.mockReturnValue('denied')
    const error = await listCaptureSources('darwin').catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'screen-permission-denied' })
    expect((error as Error).message).toMatch(
      /System Settings › Privacy & Security › Screen Recording/
    )
    expect(electron.getSources).not.toHaveBeenCalled()
    electron.screenStatus.mockReturnValue('granted')
  })

  it('lists screens then windows with thumbnails and app icons as data URLs, without our own window', async () => {
    electron.getSources.mockResolvedValue([
      { ...EDITOR, appIcon: image('data:image/png;base64,icon') },
      { ...source('screen:1:0', 'Entire Screen', '101'), appIcon: null },
      { ...source('window:78:0', 'Untitled'), thumbnail: image(null), appIcon: image(null) },
      source('window:5:0', 'Sidecast')
    ])
    const sources = await listCaptureSources('linux', {}, ['window:5:0'])
    expect(electron.getSources).toHaveBeenCalledWith({
      types: ['screen', 'window'],
      thumbnailSize: { width: 320, height: 180 },
      fetchWindowIcons: true
    })
    expect(sources).toEqual([
      {
        id: 'screen:1:0',
        name: 'Entire screen',
        kind: 'screen',
        thumbnailDataUrl: 'data:image/png;base64,screen:1:0'
      },
      {
        id: 'window:77:0',
        name: 'notes.txt — Editor',
        kind: 'window',
        thumbnailDataUrl: 'data:image/png;base64,window:77:0',
        appIconDataUrl: 'data:image/png;base64,icon'
      },
      {
        id: 'window:78:0',
        name: 'Untitled',
        kind: 'window',
        thumbnailDataUrl: null,
        appIconDataUrl: null
      }
    ])
  })

  it('names several screens after their displays, keeping "Entire screen" in each name', async () => {
    electron.getAllDisplays.mockReturnValue([
      { id: 101, label: 'Built-in Retina Display' },
      { id: 102, label: 'DELL U2720Q' }
    ])
    electron.getSources.mockResolvedValue([SCREEN_1, SCREEN_2])
    const names = (await listCaptureSources('linux', {})).map((s) => s.name)
    expect(names).toEqual([
      'Entire screen 1 — Built-in Retina Display',
      'Entire screen 2 — DELL U2720Q'
    ])
  })
})

describe('capture source helpers', () => {
  it('drops windows without a title and names unlabelled screens by number', () => {
    const sources = toCaptureSources([
      { id: 'screen:1:0', name: 'Screen 1', displayId: '', thumbnailDataUrl: null },
      { id: 'screen:2:0', name: 'Screen 2', displayId: '', thumbnailDataUrl: null },
      { id: 'window:1:0', name: '  ', displayId: '', thumbnailDataUrl: null }
    ])
    expect(sources.map((s) => s.name)).toEqual(['Entire screen 1', 'Entire screen 2'])
  })

  it.each([
    [['window:1:0', 'screen:1:0'], 'window:1:0', 'window:1:0'],
    [['window:1:0', 'screen:1:0'], '', 'screen:1:0'],
    [['window:1:0', 'screen:1:0'], 'window:2:0', 'screen:1:0'],
    [['window:1:0'], 'window:2:0', null],
    [[], '', null]
  ])('chooseSource(%j, %j) → %j', (ids, selected, expected) => {
    expect(
      chooseSource(
        ids.map((id) => ({ id })),
        selected
      )?.id ?? null
    ).toBe(expected)
  })
})
