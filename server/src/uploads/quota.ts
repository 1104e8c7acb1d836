/**
 * How much one user may have uploading at once: unfinished uploads count against a cap on their
 * number and on the bytes they declare together (an upload of deferred length counts as the
 * largest upload), so nobody can reserve the disk with uploads they never finish. Uploads past
 * their expiry no longer count, even before the cleanup removes them.
 */
import type { ServerConfig } from '../config'
import type { LibraryDb } from '../db/types'

/** A size in the units the options take (`50GB` is 50 × 1024³ bytes). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${Number(value.toFixed(1))} ${units[unit]}`
}

type QuotaConfig = Pick<
  ServerConfig,
  'uploadExpiryMs' | 'maxUploadSize' | 'maxUnfinishedUploads' | 'maxUnfinishedBytes'
>

/**
 * Why a person holding `held` unfinished uploads may not start one of `declared` bytes
 * (undefined: deferred), or null when they may. Pure: LibraryDb.createUploadWithin runs it inside
 * the transaction that counts and records, so two creations never both take the last place.
 */
export function quotaRefusal(
  held: { count: number; bytes: number },
  config: QuotaConfig,
  declared: number | undefined
): string | null {
  const finishFirst =
    'Finish or delete one of them (DELETE its upload URL), or wait until they expire.'
  if (held.count >= config.maxUnfinishedUploads) {
    return `You have ${held.count} unfinished uploads, the most the library keeps for one person. ${finishFirst}`
  }
  const total = held.bytes + (declared ?? config.maxUploadSize)
  if (total > config.maxUnfinishedBytes) {
    const deferred =
      declared === undefined ? ' (an upload of unknown length counts as the largest)' : ''
    return (
      `With this one your unfinished uploads would come to ${formatSize(total)}${deferred}; ` +
      `the library keeps ${formatSize(config.maxUnfinishedBytes)} for one person. ${finishFirst}`
    )
  }
  return null
}

/**
 * Records the upload when `userId` has room for it (see quotaRefusal), in one transaction;
 * returns the refusal, or null when it was recorded.
 */
export function createUploadWithinQuota(
  db: LibraryDb,
  config: QuotaConfig,
  upload: Parameters<LibraryDb['createUploadWithin']>[0],
  declared: number | undefined,
  now = Date.now()
): Promise<string | null> {
  return db.createUploadWithin(upload, {
    createdAfter: new Date(now - config.uploadExpiryMs).toISOString(),
    deferredBytes: config.maxUploadSize,
    admit: (held) => quotaRefusal(held, config, declared)
  })
}
