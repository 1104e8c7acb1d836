/** The library connection: environment overrides, token storage (encrypted or not), configure. */
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createSettingsStore,
  type SettingsStore
} from '../../../../src/main/settings/settings-store'
import {
  createLibraryService,
  libraryEnv,
  resolveLibraryConfig,
  type LibraryService
} from '../../../../src/main/share/library'
import {
  createTokenStore,
  PLAIN_SECRETS,
  TOKEN_FILE,
  type SecretsAdapter
} from '../../../../src/main/share/token-store'
import type { Settings } from '../../../../src/shared/settings'
import { tempDir } from '../helpers/fakes'

/** Reversible "encryption" that leaves no trace of the plain text in the file. */
const FAKE_SECRETS: SecretsAdapter = {
  isEncryptionAvailable: async () => true,
  encryptString: async (s) => Buffer.from(`enc:${Buffer.from(s).toString('hex')}`),
  decryptString: async (b) => {
    const text = b.toString()
    if (!text.startsWith('enc:')) throw new Error('not ours')
    return { text: Buffer.from(text.slice(4), 'hex').toString(), shouldReEncrypt: false }
  }
}

let dataDir: string
let cleanup: () => Promise<void>
let settings: SettingsStore
let tested: { url: string; token: string }[]

beforeEach(async () => {
  ;({ dir: dataDir, cleanup } = await tempDir('sidecast-library-'))
  let stored: Record<string, unknown> = {}
  settings = createSettingsStore({
    get store() {
      return stored
    },
    set(patch: Partial<Settings>) {
      stored = { ...stored, ...patch }
    }
  })
  tested = []
})

afterEach(() => cleanup())

function service(
  env: Record<string, string> = {},
  secrets: SecretsAdapter = FAKE_SECRETS
): LibraryService {
  return createLibraryService({
    settings,
    tokens: createTokenStore({ dataDir, secrets, warn: () => undefined }),
    env,
    testConnection: async (url, token) => {
      tested.push({ url, token })
      return { ok: true, message: 'Connected as test', userName: 'test' }
    }
  })
}

describe('resolveLibraryConfig', () => {
  const off = { shareWhileRecording: false, shareWhileRecordingManaged: false }
  it.each([
    [
      'nothing set',
      { url: null, token: null, shareWhileRecording: null },
      { url: '', token: null, shareWhileRecording: true },
      {
        url: '',
        hasToken: false,
        tokenEncrypted: true,
        managed: { url: false, token: false },
        ...off
      }
    ],
    [
      'stored values: Share while recording follows the setting once connected',
      { url: null, token: null, shareWhileRecording: null },
      { url: 'https://lib.example.com/', token: { encrypted: false }, shareWhileRecording: true },
      {
        url: 'https://lib.example.com',
        hasToken: true,
        tokenEncrypted: false,
        managed: { url: false, token: false },
        shareWhileRecording: true,
        shareWhileRecordingManaged: false
      }
    ],
    [
      'environment wins',
      { url: 'https://managed.example.com', token: 'env-token', shareWhileRecording: false },
      { url: 'https://lib.example.com', token: { encrypted: false }, shareWhileRecording: true },
      {
        url: 'https://managed.example.com',
        hasToken: true,
        tokenEncrypted: true,
        managed: { url: true, token: true },
        shareWhileRecording: false,
        shareWhileRecordingManaged: true
      }
    ],
    [
      'only the address from the environment',
      { url: 'http://127.0.0.1:8080/', token: null, shareWhileRecording: null },
      { url: '', token: { encrypted: true }, shareWhileRecording: false },
      {
        url: 'http://127.0.0.1:8080',
        hasToken: true,
        tokenEncrypted: true,
        managed: { url: true, token: false },
        ...off
      }
    ],
    [
      'Share while recording fixed on, but no token: not in effect',
      { url: 'http://127.0.0.1:8080/', token: null, shareWhileRecording: true },
      { url: '', token: null, shareWhileRecording: false },
      {
        url: 'http://127.0.0.1:8080',
        hasToken: false,
        tokenEncrypted: true,
        managed: { url: true, token: false },
        shareWhileRecording: false,
        shareWhileRecordingManaged: true
      }
    ]
  ] as const)('%s', (_name, env, stored, expected) => {
    expect(resolveLibraryConfig(env, stored)).toEqual(expected)
  })

  it('reads the environment, treating blank values as unset', () => {
    expect(
      libraryEnv({ SIDECAST_LIBRARY_URL: ' https://x.test ', SIDECAST_LIBRARY_TOKEN: '  ' })
    ).toEqual({ url: 'https://x.test', token: null, shareWhileRecording: null })
  })

  it.each([
    ['1', true],
    ['0', false],
    [' 1 ', true],
    ['yes', null],
    ['', null]
  ])('SIDECAST_SHARE_WHILE_RECORDING=%j fixes it to %s', (value, expected) => {
    expect(libraryEnv({ SIDECAST_SHARE_WHILE_RECORDING: value }).shareWhileRecording).toBe(expected)
  })
})

describe('token storage', () => {
  it('stores the token encrypted, private to the user, and reads it back', async () => {
    const library = service()
    const config = await library.configure({ url: 'https://lib.example.com/', token: ' tok-123 ' })
    expect(config).toEqual({
      url: 'https://lib.example.com',
      hasToken: true,
      tokenEncrypted: true,
      managed: { url: false, token: false },
      // On by default: connecting a library turns Share while recording on.
      shareWhileRecording: true,
      shareWhileRecordingManaged: false
    })
    const file = join(dataDir, TOKEN_FILE)
    const text = await readFile(file, 'utf8')
    expect(text).not.toContain('tok-123')
    expect(JSON.parse(text)).toMatchObject({ version: 1, encrypted: true })
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600)
    // A new service (the next start) decrypts it.
    expect(await service().credentials()).toEqual({
      url: 'https://lib.example.com',
      token: 'tok-123'
    })
  })

  it('stores it as plain text (still 0600) where there is no encryption, and says so', async () => {
    const config = await service({}, PLAIN_SECRETS).configure({ token: 'tok-plain' })
    expect(config.tokenEncrypted).toBe(false)
    const file = join(dataDir, TOKEN_FILE)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      encrypted: false,
      token: 'tok-plain'
    })
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600)
  })

  it('forgets the token on an empty one', async () => {
    const library = service()
    await library.configure({ token: 'tok' })
    expect((await library.configure({ token: '' })).hasToken).toBe(false)
    await expect(stat(join(dataDir, TOKEN_FILE))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('stores the token again under the OS’s new key when it says so', async () => {
    await service().configure({ url: 'https://lib.example.com', token: 'tok-rotated' })
    const file = join(dataDir, TOKEN_FILE)
    const before = JSON.parse(await readFile(file, 'utf8')) as { token: string }
    // The OS rotated its key: decrypting still works and asks for a re-encryption.
    const rotated: SecretsAdapter = {
      ...FAKE_SECRETS,
      encryptString: async (s) => Buffer.from(`enc:${Buffer.from(`v2:${s}`).toString('hex')}`),
      decryptString: async (b) => {
        const text = (await FAKE_SECRETS.decryptString(b)).text
        return text.startsWith('v2:')
          ? { text: text.slice(3), shouldReEncrypt: false }
          : { text, shouldReEncrypt: true }
      }
    }
    expect(await service({}, rotated).credentials()).toMatchObject({ token: 'tok-rotated' })
    const after = JSON.parse(await readFile(file, 'utf8')) as { token: string; encrypted: boolean }
    expect(after.encrypted).toBe(true)
    expect(after.token).not.toBe(before.token)
    expect(await service({}, rotated).credentials()).toMatchObject({ token: 'tok-rotated' })
  })

  it('treats a token that can no longer be decrypted as missing', async () => {
    await writeFile(
      join(dataDir, TOKEN_FILE),
      JSON.stringify({
        version: 1,
        encrypted: true,
        token: Buffer.from('garbage').toString('base64')
      })
    )
    expect((await service().config()).hasToken).toBe(false)
    expect(await service().credentials()).toBeNull()
  })
})

describe('configure', () => {
  it('refuses a bad address or token with the reason', async () => {
    const library = service()
    await expect(library.configure({ url: 'library.example.com' })).rejects.toMatchObject({
      code: 'bad-library-config',
      message: expect.stringMatching(/not a valid web address/)
    })
    await expect(library.configure({ token: 'has space' })).rejects.toMatchObject({
      message: expect.stringMatching(/characters a token never has/)
    })
    await expect(library.configure({ colour: 'red' })).rejects.toMatchObject({
      message: 'Unknown library setting "colour".'
    })
    await expect(library.configure('x')).rejects.toMatchObject({ code: 'bad-library-config' })
  })

  it('tells listeners about real changes only', async () => {
    const library = service()
    let calls = 0
    library.onChange(() => calls++)
    await library.configure({ url: 'https://a.test', token: 't1' })
    expect(calls).toBe(1)
    await library.configure({ url: 'https://a.test/', token: 't1' })
    expect(calls).toBe(1)
    await library.configure({ token: 't2' })
    expect(calls).toBe(2)
  })

  it('refuses to change what the environment fixes, with a clear message', async () => {
    const library = service({
      SIDECAST_LIBRARY_URL: 'https://managed.test',
      SIDECAST_LIBRARY_TOKEN: 'env-token'
    })
    await expect(library.configure({ url: 'https://other.test' })).rejects.toMatchObject({
      code: 'library-managed',
      message: expect.stringMatching(/set by your administrator \(SIDECAST_LIBRARY_URL\)/)
    })
    await expect(library.configure({ token: 'mine' })).rejects.toMatchObject({
      code: 'library-managed',
      message: expect.stringMatching(/SIDECAST_LIBRARY_TOKEN/)
    })
    // Sending the managed value back unchanged (a whole form) is fine.
    expect(await library.configure({ url: 'https://managed.test/' })).toMatchObject({
      url: 'https://managed.test',
      managed: { url: true, token: true }
    })
    expect(await library.credentials()).toEqual({ url: 'https://managed.test', token: 'env-token' })
  })

  it('checks the libraryUrl setting the same way', () => {
    const library = service()
    expect(library.checkUrlSetting('https://lib.test/')).toBe('https://lib.test')
    expect(library.checkUrlSetting('')).toBe('')
    expect(() => library.checkUrlSetting('nope')).toThrow(/not a valid web address/)
    const managed = service({ SIDECAST_LIBRARY_URL: 'https://managed.test' })
    expect(() => managed.checkUrlSetting('https://other.test')).toThrow(/administrator/)
  })
})

describe('test', () => {
  it('uses the given values, else the stored ones, and says when there is no address', async () => {
    const library = service()
    expect(await library.test({})).toEqual({
      ok: false,
      message: 'Enter the library’s address first, like https://library.example.com.'
    })
    await library.configure({ url: 'https://stored.test', token: 'stored-token' })
    await library.test({})
    await library.test({ url: 'https://typed.test' })
    await library.test({ url: 'https://typed.test', token: 'typed-token' })
    expect(tested).toEqual([
      { url: 'https://stored.test', token: 'stored-token' },
      { url: 'https://typed.test', token: 'stored-token' },
      { url: 'https://typed.test', token: 'typed-token' }
    ])
  })
})
