/**
 * The library access token on disk: `<dataDir>/library-token.json`, encrypted with the OS's
 * secret store (Electron's safeStorage) where there is one, written atomically and readable by
 * the user only (0600). The token never leaves main.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export const TOKEN_FILE = 'library-token.json'

/** Electron's safeStorage, or a stand-in (the harness and tests). */
export interface SecretsAdapter {
  /** False when the OS offers no real encryption (then the token is stored as plain text). */
  isEncryptionAvailable(): boolean
  encryptString(plainText: string): Buffer
  decryptString(encrypted: Buffer): string
}

/** A secrets adapter without encryption: the token is stored as plain text (0600). */
export const PLAIN_SECRETS: SecretsAdapter = {
  isEncryptionAvailable: () => false,
  encryptString: () => {
    throw new Error('no encryption available')
  },
  decryptString: () => {
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

/** Writes a small private file atomically: temp file 0600 beside it, flushed, renamed over. */
export async function writePrivateFileAtomic(file: string, contents: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(3).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'w', 0o600)
    try {
      await handle.writeFile(contents, 'utf8')
      await handle.datasync()
    } finally {
      await handle.close()
    }
    // open's mode is filtered by the umask only to be stricter, but an old file may be looser.
    await chmod(temp, 0o600).catch(() => undefined)
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
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
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
    try {
      const parsed = JSON.parse(text) as Partial<TokenFile>
      if (typeof parsed.token !== 'string' || !parsed.token) return null
      if (!parsed.encrypted) return { token: parsed.token, encrypted: false }
      const token = options.secrets.decryptString(Buffer.from(parsed.token, 'base64'))
      return token ? { token, encrypted: true } : null
    } catch (error) {
      warn(
        `the stored library token cannot be read (${error instanceof Error ? error.message : String(error)}); enter it again in Settings`
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
      let encrypted = false
      let stored = token
      if (options.secrets.isEncryptionAvailable()) {
        try {
          stored = options.secrets.encryptString(token).toString('base64')
          encrypted = true
        } catch (error) {
          warn(
            `encrypting the token failed (${error instanceof Error ? error.message : String(error)}); it is stored as plain text, readable only by you`
          )
          stored = token
        }
      }
      const body: TokenFile = { version: 1, encrypted, token: stored }
      await mkdir(options.dataDir, { recursive: true })
      await writePrivateFileAtomic(file, JSON.stringify(body, null, 2) + '\n')
      cached = { token, encrypted }
      return cached
    },
    async clear() {
      await rm(file, { force: true })
      cached = null
    }
  }
}
