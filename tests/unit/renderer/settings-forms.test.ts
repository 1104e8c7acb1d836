import { describe, expect, it } from 'vitest'
import type { AppInfo, LibraryConfig } from '../../../src/shared/ipc'
import { DEFAULT_SETTINGS, validateSettingsPatch } from '../../../src/shared/settings'
import {
  checkFailureField,
  completedLibraryDraft,
  initialLibraryDraft,
  libraryPatch,
  savesNeedCheck,
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
  managed: { url: false, token: false },
  shareWhileRecording: true,
  shareWhileRecordingManaged: false
}
const managed: LibraryConfig = {
  url: 'https://corp.example.com',
  hasToken: true,
  tokenEncrypted: true,
  managed: { url: true, token: true },
  shareWhileRecording: true,
  shareWhileRecordingManaged: false
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
    // Completed before it is checked (completedLibraryDraft); the check itself is main's.
    ['library.example.com', /is not a valid web address/],
    ['ftp://library.example.com', /must start with http:\/\/ or https:\/\//],
    ['file:///etc/passwd', /must start with http:\/\/ or https:\/\//]
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
      checkForUpdates: false,
      shareWhileRecording: true,
      notifyActivity: true
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

describe('Save with a changed library', () => {
  it('completes the address before it is saved or checked, unless it is managed', () => {
    expect(completedLibraryDraft(unset, draft(unset, { url: 'library.example.com' })).url).toBe(
      'https://library.example.com'
    )
    expect(completedLibraryDraft(unset, draft(unset, { url: 'localhost:8080' })).url).toBe(
      'http://localhost:8080'
    )
    const same = draft(stored)
    expect(completedLibraryDraft(stored, same)).toBe(same)
    const typed = draft(managed, { url: 'corp.example.com' })
    expect(completedLibraryDraft(managed, typed)).toBe(typed)
  })

  it('checks the connection when the address or the token changes to something to check', () => {
    expect(savesNeedCheck(stored, null)).toBe(false)
    expect(savesNeedCheck(stored, { url: 'https://other.example.com' })).toBe(true)
    expect(savesNeedCheck(stored, { token: 'new-token' })).toBe(true)
    expect(savesNeedCheck(unset, { url: 'http://localhost:8080', token: 't' })).toBe(true)
    // Disconnecting: nothing to check.
    expect(savesNeedCheck(stored, { url: '' })).toBe(false)
    expect(savesNeedCheck(stored, { token: '' })).toBe(false)
    // A token with no address anywhere: nothing to check it against.
    expect(savesNeedCheck(unset, { token: 'new-token' })).toBe(false)
  })

  it('puts a failed check at the field it is about', () => {
    expect(checkFailureField(stored, { ok: false, message: 'refused', field: 'token' })).toBe(
      'token'
    )
    expect(checkFailureField(stored, { ok: false, message: 'unreachable', field: 'url' })).toBe(
      'url'
    )
    expect(checkFailureField(stored, { ok: false, message: 'HTTP 500' })).toBe('section')
    // A managed field cannot be changed here: the problem goes to the section.
    expect(checkFailureField(managed, { ok: false, message: 'refused', field: 'token' })).toBe(
      'section'
    )
  })
})
