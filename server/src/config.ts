/**
 * Server configuration: command-line options win over environment variables, which win over
 * the embedded defaults (127.0.0.1:8080, data in ./library-data, file storage).
 */
import path from 'node:path'
import { trustProxyEntryError } from './client-address'

export interface S3Config {
  bucket: string
  endpoint: string | null
  region: string
  accessKeyId: string | null
  secretAccessKey: string | null
  forcePathStyle: boolean
  /** Bytes per S3 part; at least 5 MiB (S3's minimum for all but the last part). */
  partSize: number
}

export interface ServerConfig {
  host: string
  port: number
  /** Absolute path of the data directory (database, uploads, videos, thumbnails). */
  dataDir: string
  /** Base URL used in share links; no trailing slash. Defaults to http://host:port. */
  publicUrl: string
  /** Largest upload accepted, in bytes (413 beyond it). */
  maxUploadSize: number
  /** Unfinished uploads expire this long after creation. */
  uploadExpiryMs: number
  /** How often expired uploads are removed and unfinished library writes are retried. */
  cleanupIntervalMs: number
  /**
   * Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses or CIDR
   * networks. Empty: the headers are ignored (client-address.ts).
   */
  trustProxy: string[]
  /** Wrong sign-ins one client address may make in 15 minutes, whatever the names. */
  signInFailuresPerAddress: number
  s3: S3Config | null
}

export const DEFAULT_PORT = 8080
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_DATA_DIR = './library-data'
export const DEFAULT_MAX_UPLOAD_SIZE = 10 * 1024 ** 3
export const DEFAULT_UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000
export const DEFAULT_CLEANUP_INTERVAL_MS = 5 * 60 * 1000
export const MIN_S3_PART_SIZE = 5 * 1024 * 1024
export const DEFAULT_SIGNIN_FAILURES_PER_ADDRESS = 30

export class ConfigError extends Error {}

/** Parses sizes like `500000`, `500MB`, `2GiB`, `1.5g`. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$/i.exec(text)
  if (!match) throw new ConfigError(`not a size: ${JSON.stringify(text)} (try 500MB or 2GB)`)
  const unit = (match[2] ?? '').toLowerCase()
  const power = unit === '' ? 0 : 'kmgt'.indexOf(unit) + 1
  const value = Math.floor(Number(match[1]) * 1024 ** power)
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new ConfigError(`size out of range: ${text}`)
  return value
}

/** A whole-number option from `min` to `max`; the message names the flag. */
function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const value = Number(text)
  if (!/^\d{1,15}$/.test(text.trim()) || value < min || value > max) {
    throw new ConfigError(
      `--${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`
    )
  }
  return value
}

/** Options that take a value, as `--name value` or `--name=value`. */
export interface ParsedArgs {
  positional: string[]
  options: Map<string, string | true>
}

const FLAGS = new Set(['admin', 'help', 'delete-videos'])

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = []
  const options = new Map<string, string | true>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--') {
      positional.push(...argv.slice(i + 1))
      break
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2)
      if (eq >= 0) options.set(name, arg.slice(eq + 1))
      else if (FLAGS.has(name)) options.set(name, true)
      else {
        const value = argv[i + 1]
        if (value === undefined) throw new ConfigError(`--${name} needs a value`)
        options.set(name, value)
        i++
      }
    } else if (arg === '-h') {
      options.set('help', true)
    } else {
      positional.push(arg)
    }
  }
  return { positional, options }
}

function option(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name)
  return typeof v === 'string' ? v : undefined
}

/** The directory relative paths are resolved against: where the user ran npm, else the cwd. */
export function baseDir(env: NodeJS.ProcessEnv): string {
  return env.INIT_CWD && env.INIT_CWD.length > 0 ? env.INIT_CWD : process.cwd()
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const args = parseArgs(argv)
  const host = option(args, 'host') ?? env.SIDECAST_LIBRARY_HOST ?? DEFAULT_HOST
  const portText = option(args, 'port') ?? env.SIDECAST_LIBRARY_PORT ?? String(DEFAULT_PORT)
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`--port must be 0–65535, got ${JSON.stringify(portText)}`)
  }
  const dataText = option(args, 'data') ?? env.SIDECAST_LIBRARY_DATA ?? DEFAULT_DATA_DIR
  const dataDir = path.resolve(baseDir(env), dataText)

  const publicText = option(args, 'public-url') ?? env.SIDECAST_LIBRARY_PUBLIC_URL
  let publicUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  if (publicText) {
    let parsed: URL
    try {
      parsed = new URL(publicText)
    } catch {
      throw new ConfigError(`--public-url is not a URL: ${publicText}`)
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new ConfigError('--public-url must be http: or https:')
    }
    publicUrl = `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '')
  }

  const sizeText = option(args, 'max-upload-size') ?? env.SIDECAST_LIBRARY_MAX_UPLOAD_SIZE
  const maxUploadSize = sizeText ? parseSize(sizeText) : DEFAULT_MAX_UPLOAD_SIZE

  const expiryText = env.SIDECAST_LIBRARY_UPLOAD_EXPIRY_MS
  const uploadExpiryMs = expiryText ? Number(expiryText) : DEFAULT_UPLOAD_EXPIRY_MS
  if (!Number.isFinite(uploadExpiryMs) || uploadExpiryMs <= 0) {
    throw new ConfigError('SIDECAST_LIBRARY_UPLOAD_EXPIRY_MS must be a positive number')
  }

  // Limits per client and per user (docs/security.md).
  const trustText = option(args, 'trust-proxy') ?? env.SIDECAST_LIBRARY_TRUST_PROXY ?? ''
  const trustProxy = trustText
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
  for (const entry of trustProxy) {
    const error = trustProxyEntryError(entry)
    if (error) throw new ConfigError(`--trust-proxy: ${error}`)
  }
  const count = (flag: string, envName: string, fallback: number, min: number): number => {
    const text = option(args, flag) ?? env[envName]
    return text ? wholeNumber(text, flag, min, 1_000_000_000) : fallback
  }
  const signInFailuresPerAddress = count(
    'sign-in-failures-per-address',
    'SIDECAST_LIBRARY_SIGNIN_FAILURES_PER_ADDRESS',
    DEFAULT_SIGNIN_FAILURES_PER_ADDRESS,
    1
  )

  let s3: S3Config | null = null
  if (env.SIDECAST_S3_BUCKET) {
    const partSize = env.SIDECAST_S3_PART_SIZE
      ? parseSize(env.SIDECAST_S3_PART_SIZE)
      : 8 * 1024 * 1024
    s3 = {
      bucket: env.SIDECAST_S3_BUCKET,
      endpoint: env.SIDECAST_S3_ENDPOINT || null,
      region: env.SIDECAST_S3_REGION || 'us-east-1',
      accessKeyId: env.SIDECAST_S3_ACCESS_KEY_ID || null,
      secretAccessKey: env.SIDECAST_S3_SECRET_ACCESS_KEY || null,
      forcePathStyle: /^(1|true|yes)$/i.test(env.SIDECAST_S3_FORCE_PATH_STYLE ?? ''),
      partSize: Math.max(partSize, MIN_S3_PART_SIZE)
    }
  }

  return {
    host,
    port,
    dataDir,
    publicUrl,
    maxUploadSize,
    uploadExpiryMs,
    cleanupIntervalMs: DEFAULT_CLEANUP_INTERVAL_MS,
    trustProxy,
    signInFailuresPerAddress,
    s3
  }
}
