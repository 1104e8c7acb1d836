/**
 * The library access token on disk: `<dataDir>/library-token.json`, encrypted with the OS's
 * secret store (Electron's safeStorage) where there is one, written atomically and readable by
 * the user only (0600). The token never leaves main.
 */
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { errorMessage } from '../../engine/error-details'
import { readTextIfExists, writeJsonAtomic } from '../../engine/atomic-file'

export const TOKEN_FILE = 'library-token.json'

/**
 * Electron's safeStorage (its asynchronous API: the synchronous one is deprecated in Electron 45),
 * or a stand-in (the harness and tests).
 */
export interface SecretsAdapter {
  /** False when the OS offers no real encryption (then the token is stored as plain text). */
  isEncryptionAvailable(): Promise<boolean>
  encryptString(plainText: string): Promise<Buffer>
  decryptString(encrypted: Buffer): Promise<DecryptedSecret>
}

export interface DecryptedSecret {
  readonly text: string
  /** True when the OS's key has changed since: the text should be encrypted and stored again. */
  readonly shouldReEncrypt: boolean
}

/** A secrets adapter without encryption: the token is stored as plain text (0600). */
export const PLAIN_SECRETS: SecretsAdapter = {
  isEncryptionAvailable: async () => false,
  encryptString: async () => {
    throw new Error('no encryption available')
  },
  decryptString: async () => {
    throw new Error('no encryption available')
  }
}

/** The file's contents. */
interface TokenFile {
  readonly version: 1
  readonly encrypted: boolean
  /** base64 of the encrypted bytes when `encrypted`, else the token itself. */
  readonly token: string
}

export interface StoredToken {
  readonly token: string
  readonly encrypted: boolean
}

export interface TokenStore {
  /** The stored token, or null when there is none (or it can no longer be decrypted). */
  get(): Promise<StoredToken | null>
  /** Stores a token (encrypted when possible). */
  set(token: string): Promise<StoredToken>
  /** Forgets the token. */
  clear(): Promise<void>
}

export function createTokenStore(options: {
  readonly dataDir: string
  readonly secrets: SecretsAdapter
  readonly warn?: (message: string) => void
}): TokenStore {
  const file = join(options.dataDir, TOKEN_FILE)
  const warn = options.warn ?? ((message: string) => console.warn(`[library] ${message}`))
  // Read once (safeStorage may prompt or be slow), then kept in memory.
  let cached: StoredToken | null | undefined

  async function read(): Promise<StoredToken | null> {
    const text = await readTextIfExists(file)
    if (text === null) return null
    try {
      const parsed = JSON.parse(text) as Partial<TokenFile>
      if (typeof parsed.token !== 'string' || !parsed.token) return null
      if (!parsed.encrypted) return { token: parsed.token, encrypted: false }
      const decrypted = await options.secrets.decryptString(Buffer.from(parsed.token, 'base64'))
      const token = decrypted.text
      if (!token) return null
      if (decrypted.shouldReEncrypt) {
        await write(token).catch((error: unknown) =>
          warn(`storing the token with the new key failed (${errorMessage(error)})`)
        )
      }
      return { token, encrypted: true }
    } catch (error) {
      warn(
        `the stored library token cannot be read (${errorMessage(error)}); enter it again in Settings`
      )
      return null
    }
  }

  return {
    async get() {
      if (cached === undefined) cached = await read()
      return cached
    },
    async set(token) {
      cached = await write(token)
      return cached
    },
    async clear() {
      await rm(file, { force: true })
      cached = null
    }
  }

  /** Writes the token (encrypted when possible); returns what is stored. */
  async function write(token: string): Promise<StoredToken> {
    let encrypted = false
    let stored = token
    if (await options.secrets.isEncryptionAvailable()) {
      try {
        stored = (await options.secrets.encryptString(token)).toString('base64')
        encrypted = true
      } catch (error) {
        warn(
          `encrypting the token failed (${errorMessage(error)}); it is stored as plain text, readable only by you`
        )
        stored = token
      }
    }
    const body: TokenFile = { version: 1, encrypted, token: stored }
    await mkdir(options.dataDir, { recursive: true })
    // Readable by the user only, encrypted or not.
    await writeJsonAtomic(file, body, { mode: 0o600 })
    return { token, encrypted }
  }
}
