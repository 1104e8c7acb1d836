/**
 * tus-js-client's UrlStorage on disk (`<dataDir>/uploads/tus-urls.json`): which upload URL on the
 * server belongs to which fingerprint, so an upload resumes after a quit, a crash or a reboot.
 * Every change is written atomically before the promise resolves (tus-js-client saves the URL
 * right after creating the upload and before sending the first byte).
 */
import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { PreviousUpload, UrlStorage } from 'tus-js-client'
import { readTextIfExists, writeJsonAtomic } from '../../engine/atomic-file'

type StoredUpload = Omit<PreviousUpload, 'urlStorageKey'>

interface UrlFile {
  readonly version: 1
  /** `tus::<fingerprint>::<random>` → what tus-js-client stored, in the order added. */
  readonly uploads: Record<string, StoredUpload>
}

export class DiskUrlStorage implements UrlStorage {
  private data: Record<string, StoredUpload> | null = null
  private chain: Promise<unknown> = Promise.resolve()

  constructor(
    readonly file: string,
    private readonly warn: (message: string) => void = (m) => console.warn(`[uploads] ${m}`)
  ) {}

  private async load(): Promise<Record<string, StoredUpload>> {
    if (this.data) return this.data
    const text = await readTextIfExists(this.file)
    let data: Record<string, StoredUpload> = {}
    if (text !== null) {
      try {
        const parsed = JSON.parse(text) as Partial<UrlFile>
        if (parsed && typeof parsed.uploads === 'object' && parsed.uploads !== null) {
          data = parsed.uploads
        }
      } catch (error) {
        // Losing the URLs only means starting those uploads over; never refuse to start.
        this.warn(`ignoring unreadable ${this.file}: ${String(error)}`)
      }
    }
    this.data = data
    return data
  }

  /** Runs changes one after another, each saved before the next starts. */
  private change<T>(fn: (data: Record<string, StoredUpload>) => T): Promise<T> {
    const run = this.chain.then(async () => {
      const data = await this.load()
      const result = fn(data)
      await mkdir(dirname(this.file), { recursive: true })
      await writeJsonAtomic(this.file, { version: 1, uploads: data } satisfies UrlFile)
      return result
    })
    this.chain = run.catch(() => undefined)
    return run
  }

  private async read(prefix: string): Promise<PreviousUpload[]> {
    await this.chain
    const data = await this.load()
    return Object.entries(data)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => ({ ...value, urlStorageKey: key }))
  }

  findAllUploads(): Promise<PreviousUpload[]> {
    return this.read('tus::')
  }

  /** Oldest first (the order they were added). */
  findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]> {
    return this.read(`tus::${fingerprint}::`)
  }

  removeUpload(urlStorageKey: string): Promise<void> {
    return this.change((data) => {
      delete data[urlStorageKey]
    })
  }

  addUpload(fingerprint: string, upload: PreviousUpload): Promise<string> {
    const key = `tus::${fingerprint}::${randomBytes(6).toString('hex')}`
    const { urlStorageKey: _ignored, ...stored } = upload as PreviousUpload & {
      urlStorageKey?: string
    }
    return this.change((data) => {
      data[key] = stored
      return key
    })
  }

  /** Forgets every URL stored for a fingerprint. */
  removeFingerprint(fingerprint: string): Promise<void> {
    const prefix = `tus::${fingerprint}::`
    return this.change((data) => {
      for (const key of Object.keys(data)) if (key.startsWith(prefix)) delete data[key]
    })
  }
}
