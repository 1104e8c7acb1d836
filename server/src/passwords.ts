/**
 * Password hashes: scrypt with a per-user salt. Checking one costs ~35 ms of CPU, so it never
 * runs on the event loop (a flood of sign-ins would stall every other request): the check runs
 * in libuv's thread pool, a few at a time — the pool's other threads stay free for file reads —
 * with a bounded queue behind them. Hashing for a new user (the command line) may block.
 */
import crypto from 'node:crypto'
import os from 'node:os'

/** The longest name and password a sign-in takes; longer ones are refused before hashing. */
export const MAX_NAME_LENGTH = 64
export const MAX_PASSWORD_LENGTH = 1024

const KEY_LENGTH = 32

/**
 * Checks at a time: at most two, and one core left for the event loop (libuv's pool has four
 * threads, shared with file reads).
 */
const CONCURRENCY = Math.max(1, Math.min(2, os.availableParallelism() - 1))
/** Checks waiting for a thread; beyond them a sign-in is turned away (PasswordCheckBusy). */
const MAX_WAITING = 64

/** Too many password checks are waiting: try again shortly. */
export class PasswordCheckBusy extends Error {}

let running = 0
const waiting: (() => void)[] = []

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (running < CONCURRENCY) running++
  else {
    if (waiting.length >= MAX_WAITING) throw new PasswordCheckBusy('too many sign-ins at once')
    // The slot is handed over by the check that finishes (running stays the same).
    await new Promise<void>((resolve) => waiting.push(resolve))
  }
  try {
    return await work()
  } finally {
    const next = waiting.shift()
    if (next) next()
    else running--
  }
}

function scrypt(password: string, salt: Buffer, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(password, salt, length, (error, key) => (error ? reject(error) : resolve(key)))
  })
}

/** A new hash (`scrypt$<salt hex>$<hash hex>`); synchronous, for adding users. */
export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16)
  const hash = crypto.scryptSync(password, salt, KEY_LENGTH)
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`
}

/** Checked instead when there is no such user, so a wrong name costs what a wrong password does. */
const DUMMY_HASH = hashPassword(crypto.randomBytes(12).toString('hex'))

/**
 * Whether `password` matches `stored` (null: no such user — the same work is done, and the
 * answer is false). Off the event loop; throws PasswordCheckBusy when too many are waiting.
 */
export function checkPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, saltHex, hashHex] = (stored ?? DUMMY_HASH).split('$')
  if (scheme !== 'scrypt' || !saltHex || !hashHex) return Promise.resolve(false)
  const expected = Buffer.from(hashHex, 'hex')
  return inTurn(async () => {
    const actual = await scrypt(password, Buffer.from(saltHex, 'hex'), expected.length)
    return stored !== null && crypto.timingSafeEqual(actual, expected)
  })
}
