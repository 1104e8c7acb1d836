import { describe, expect, it } from 'vitest'
import type { AppInfo, LibraryConfig } from '../../../src/shared/ipc'
import { DEFAULT_SETTINGS, validateSettingsPatch } from '../../../src/shared/settings'
import {
  initialLibraryDraft,
  libraryPatch,
  libraryTestPatch,
  libraryUrlProblem,
  showsTokenInput,
  tokenStatusText,
  unknownLibraryConfig
} from '../../../src/renderer/src/settings/library-form'
import type { LibraryDraft } from '../../../src/renderer/src/settings/library-form'
import {
  defaultRecordingsDir,
  initialSettingsDraft,
  recordingsDirChange,
  settingsPatch
} from '../../../src/renderer/src/settings/settings-form'

const unset: LibraryConfig = unknownLibraryConfig('')
const stored: LibraryConfig = {
  url: 'https://library.example.com',
  hasToken: true,
  tokenEncrypted: true,
  managed: { url: false, token: false }
}
const managed: LibraryConfig = {
  url: 'https://corp.example.com',
  hasToken: true,
  tokenEncrypted: true,
  managed: { url: true, token: true }
}

const draft = (config: LibraryConfig, change: Partial<LibraryDraft> = {}): LibraryDraft => ({
  ...initialLibraryDraft(config),
  ...change
})

describe('library draft', () => {
  it('starts from what main says, with the token field only when none is stored', () => {
    expect(initialLibraryDraft(unset)).toEqual({ url: '', token: '', tokenMode: 'replace' })
    expect(initialLibraryDraft(stored)).toEqual({
      url: 'https://library.example.com',
      token: '',
      tokenMode: 'keep'
    })
    expect(showsTokenInput(unset, draft(unset))).toBe(true)
    expect(showsTokenInput(stored, draft(stored))).toBe(false)
    expect(showsTokenInput(stored, draft(stored, { tokenMode: 'replace' }))).toBe(true)
    expect(showsTokenInput(managed, draft(managed, { tokenMode: 'replace' }))).toBe(false)
  })
})

describe('libraryPatch (Save)', () => {
  it.each([
    ['nothing changed', stored, {}, null],
    ['nothing typed on a fresh install', unset, {}, null],
    [
      'first setup',
      unset,
      { url: ' https://lib.example ', token: ' t0k ' },
      { url: 'https://lib.example', token: 't0k' }
    ],
    ['a new address only', stored, { url: 'https://new.example' }, { url: 'https://new.example' }],
    ['clearing the address', stored, { url: '' }, { url: '' }],
    [
      'replace with a typed token',
      stored,
      { tokenMode: 'replace', token: 'new' },
      { token: 'new' }
    ],
    ['replace but nothing typed', stored, { tokenMode: 'replace', token: '  ' }, null],
    ['forget', stored, { tokenMode: 'forget' }, { token: '' }],
    ['a typed token is ignored while keeping', stored, { tokenMode: 'keep', token: 'x' }, null],
    [
      'managed values are never sent',
      managed,
      { url: 'https://x.example', tokenMode: 'forget' },
      null
    ]
  ] as const)('%s', (_name, config, change, expected) => {
    expect(libraryPatch(config, draft(config, change))).toEqual(expected)
  })
})

describe('libraryTestPatch (Test connection)', () => {
  it.each([
    ['stored values: send nothing typed, only the address shown', stored, {}, { url: stored.url }],
    [
      'typed values',
      unset,
      { url: 'https://a.example', token: 'tt' },
      { url: 'https://a.example', token: 'tt' }
    ],
    [
      'a replacement token',
      stored,
      { tokenMode: 'replace', token: 'n' },
      { url: stored.url, token: 'n' }
    ],
    [
      'a token about to be forgotten is tested as none',
      stored,
      { tokenMode: 'forget' },
      { url: stored.url, token: '' }
    ],
    ['managed: main uses its own values', managed, { url: 'https://other.example' }, {}]
  ] as const)('%s', (_name, config, change, expected) => {
    expect(libraryTestPatch(config, draft(config, change))).toEqual(expected)
  })
})

describe('libraryUrlProblem', () => {
  it.each([
    ['', null],
    ['https://library.example.com', null],
    ['http://127.0.0.1:8080', null],
    ['library.example.com', /not a web address/],
    ['ftp://library.example.com', /must start with https:\/\//],
    ['file:///etc/passwd', /must start with https:\/\//]
  ])('%s', (url, expected) => {
    const problem = libraryUrlProblem(url)
    if (expected === null) expect(problem).toBeNull()
    else expect(problem).toMatch(expected)
  })
})

describe('tokenStatusText', () => {
  it.each([
    ['no token', unset, {}, null],
    ['stored', stored, {}, 'A token is saved.'],
    ['forgetting', stored, { tokenMode: 'forget' }, /forgotten when you save/],
    ['replacing', stored, { tokenMode: 'replace' }, /replaced/],
    ['managed', managed, {}, 'A token is set by your administrator.'],
    ['managed without a token', { ...managed, hasToken: false }, {}, null]
  ] as const)('%s', (_name, config, change, expected) => {
    const text = tokenStatusText(config, draft(config, change))
    if (expected === null) expect(text).toBeNull()
    else if (typeof expected === 'string') expect(text).toBe(expected)
    else expect(text).toMatch(expected)
  })
})

describe('settings draft', () => {
  const base = initialSettingsDraft(DEFAULT_SETTINGS)

  it('round-trips the defaults into a patch main accepts', () => {
    const checked = settingsPatch(base)
    expect(checked.ok).toBe(true)
    if (!checked.ok) return
    expect(checked.patch).toEqual({
      countdownSeconds: 3,
      recordShortcut: 'CommandOrControl+Shift+R',
      ffmpegPath: '',
      minFreeDiskMb: 1024,
      exportSize: 'source',
      exportQuality: 'standard',
      copyLinkAfterUpload: true,
      checkForUpdates: false
    })
    expect(validateSettingsPatch(checked.patch)).toBeNull()
    expect('recordingsDir' in checked.patch).toBe(false)
  })

  it.each([
    [{ countdown: '' }, /Countdown/],
    [{ countdown: '2.5' }, /Countdown/],
    [{ minFree: 'lots' }, /free disk/]
  ])('%o is refused in words', (change, message) => {
    const checked = settingsPatch({ ...base, ...change })
    expect(checked.ok).toBe(false)
    if (!checked.ok) expect(checked.message).toMatch(message)
  })

  it('trims text and carries the new choices', () => {
    const checked = settingsPatch({
      ...base,
      shortcut: ' Alt+R ',
      ffmpegPath: ' /usr/bin/ffmpeg ',
      exportSize: '720p',
      exportQuality: 'small',
      copyLinkAfterUpload: false
    })
    expect(checked.ok && checked.patch).toMatchObject({
      recordShortcut: 'Alt+R',
      ffmpegPath: '/usr/bin/ffmpeg',
      exportSize: '720p',
      exportQuality: 'small',
      copyLinkAfterUpload: false
    })
  })

  it('saves the recordings folder only when it changed', () => {
    expect(recordingsDirChange(DEFAULT_SETTINGS, base)).toBeNull()
    expect(recordingsDirChange(DEFAULT_SETTINGS, { ...base, recordingsDir: ' /v ' })).toBe('/v')
    const custom = { ...DEFAULT_SETTINGS, recordingsDir: '/videos' }
    expect(recordingsDirChange(custom, initialSettingsDraft(custom))).toBeNull()
    expect(
      recordingsDirChange(custom, { ...initialSettingsDraft(custom), recordingsDir: '' })
    ).toBe('')
  })

  it('shows the default folder with the platform’s separator', () => {
    const info = (platform: string, dataDir: string): AppInfo => ({
      version: '1',
      platform,
      dataDir,
      projectsDir: '',
      harness: false,
      ffmpeg: { ok: true, path: null, source: null, problem: null }
    })
    expect(defaultRecordingsDir(info('linux', '/home/ada/.config/Sidecast/'))).toBe(
      '/home/ada/.config/Sidecast/projects'
    )
    expect(defaultRecordingsDir(info('win32', 'C:\\Users\\ada\\Sidecast'))).toBe(
      'C:\\Users\\ada\\Sidecast\\projects'
    )
    expect(defaultRecordingsDir(null)).toBe('The default folder')
  })
})
