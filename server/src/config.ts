/**
 * Server configuration: command-line options win over environment variables, which win over
 * the embedded defaults (127.0.0.1:8080, data in ./library-data, file storage).
 */
import os from 'node:os'
import path from 'node:path'
import { FFMPEG_ENV, FFPROBE_ENV } from '../../src/shared/ffmpeg-lookup'
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

/**
 * How uploads are checked with ffprobe and ffmpeg, and what they may cost (docs/security.md,
 * "Media processing" and "Limits").
 */
export interface MediaConfig {
  /** Widest frame accepted, with `maxFrameHeight`; a frame may fit either way round. */
  maxFrameWidth: number
  /** Tallest frame accepted, with `maxFrameWidth`. */
  maxFrameHeight: number
  /** Longest video accepted. */
  maxDurationMs: number
  /** How many uploads are checked at once; the others wait in a queue, in order. */
  concurrency: number
  /** Longest one ffprobe or ffmpeg run may take; then it is stopped and the upload refused. */
  timeoutMs: number
  /** After a stop is asked (SIGTERM), how long before the run is killed (SIGKILL). */
  killGraceMs: number
  /** Address-space limit for each run in bytes (Linux, through `prlimit` when installed); 0: none. */
  memoryLimit: number
  /** The chosen ffmpeg (SIDECAST_FFMPEG), or null to look for it. */
  ffmpeg: string | null
  /** The chosen ffprobe (SIDECAST_FFPROBE), or null to look for it. */
  ffprobe: string | null
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
  /** The whole request head must arrive within this (nginx's client_header_timeout). */
  headersTimeoutMs: number
  /**
   * A connection on which nothing moves this long while the client should be sending (the
   * body) or receiving (the answer) is closed — nginx's client_body_timeout and send_timeout; a
   * keep-alive connection waits this long plus five seconds for its next request.
   */
  idleTimeoutMs: number
  /**
   * Slowest request body accepted, in bytes per second, averaged over each idle-timeout window;
   * 0: only the idle timeout applies. A cut upload resumes where it stopped.
   */
  minBodyRate: number
  /** Open connections one client address may hold (an IPv6 client: its /64); 0: no cap. */
  maxConnectionsPerAddress: number
  /** Wrong sign-ins one client address may make in 15 minutes, whatever the names. */
  signInFailuresPerAddress: number
  /** Unfinished uploads one user may hold at once. */
  maxUnfinishedUploads: number
  /**
   * Live uploads (sent while recording) stream-copied into their seekable file as their bytes
   * arrive, at most this many at once (file storage); the others are copied after their last
   * byte. 0: none followed.
   */
  liveFollowers: number
  /**
   * Bytes the unfinished uploads of one user may declare together (an upload of deferred
   * length counts as the largest upload).
   */
  maxUnfinishedBytes: number
  /**
   * A folder of desktop-app releases (installers, `*.blockmap`, `latest*.yml`) served read-only
   * under `/updates/` to signed-in clients (updates.ts); null: `/updates/` does not exist.
   */
  updatesDir: string | null
  /**
   * Where the library's records live: null for the embedded SQLite file in the data directory
   * (the default), or a `postgres://` URL (`--database-url`, SIDECAST_LIBRARY_DATABASE_URL).
   */
  databaseUrl: string | null
  /**
   * Redis shared by several instances (`--redis-url`, SIDECAST_LIBRARY_REDIS_URL): the tus upload
   * lock, the sign-in throttle and rate limits, the upload-state cache. Null: one process keeps
   * them in memory.
   */
  redisUrl: string | null
  /**
   * This instance's name in logs and in the locks it holds (`--instance-name`,
   * SIDECAST_LIBRARY_INSTANCE); default `<hostname>:<pid>`.
   */
  instanceName: string
  s3: S3Config | null
  media: MediaConfig
}

export const DEFAULT_PORT = 8080
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_DATA_DIR = './library-data'
export const DEFAULT_MAX_UPLOAD_SIZE = 10 * 1024 ** 3
export const DEFAULT_UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000
export const DEFAULT_CLEANUP_INTERVAL_MS = 5 * 60 * 1000
export const MIN_S3_PART_SIZE = 5 * 1024 * 1024
export const DEFAULT_HEADERS_TIMEOUT_MS = 60_000
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000
export const DEFAULT_MIN_BODY_RATE = 1024
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64
export const DEFAULT_SIGNIN_FAILURES_PER_ADDRESS = 30
export const DEFAULT_MAX_UNFINISHED_UPLOADS = 20
export const DEFAULT_LIVE_FOLLOWERS = 8
export const DEFAULT_MAX_UNFINISHED_BYTES = 50 * 1024 ** 3
export const DEFAULT_MAX_FRAME_SIZE = '7680x4320'
export const DEFAULT_MAX_DURATION = '4h'
export const DEFAULT_PROCESSING_CONCURRENCY = 1
export const DEFAULT_MEDIA_TIMEOUT = '2m'
export const DEFAULT_MEDIA_MEMORY_LIMIT = '2GiB'
export const MEDIA_KILL_GRACE_MS = 2000

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

/** Parses times like `90` (seconds), `30s`, `15m`, `4h`, `1h30m`, `500ms` into milliseconds. */
export function parseDuration(text: string): number {
  const compact = text.replace(/\s+/g, '').toLowerCase()
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 }
  let total = 0
  let rest = compact
  if (/^\d+(?:\.\d+)?$/.test(rest)) rest = `${rest}s`
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)(ms|min|h|m|s)/.exec(rest)
    if (!match) throw new ConfigError(`not a time: ${JSON.stringify(text)} (try 90s, 15m or 4h)`)
    total += Number(match[1]) * (unit[match[2] as string] as number)
    rest = rest.slice(match[0].length)
  }
  const ms = Math.round(total)
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new ConfigError(`time out of range: ${text}`)
  return ms
}

/** Parses a frame size like `7680x4320` into width and height. */
export function parseFrameSize(text: string): { width: number; height: number } {
  const match = /^\s*(\d{1,6})\s*[x×]\s*(\d{1,6})\s*$/i.exec(text)
  const width = Number(match?.[1])
  const height = Number(match?.[2])
  if (!match || width <= 0 || height <= 0) {
    throw new ConfigError(`not a frame size: ${JSON.stringify(text)} (try 7680x4320)`)
  }
  return { width, height }
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

  const frame = parseFrameSize(
    option(args, 'max-frame-size') ?? env.SIDECAST_LIBRARY_MAX_FRAME_SIZE ?? DEFAULT_MAX_FRAME_SIZE
  )
  const concurrencyText =
    option(args, 'processing-concurrency') ??
    env.SIDECAST_LIBRARY_PROCESSING_CONCURRENCY ??
    String(DEFAULT_PROCESSING_CONCURRENCY)
  const concurrency = Number(concurrencyText)
  if (!/^\d+$/.test(concurrencyText) || concurrency < 1 || concurrency > 64) {
    throw new ConfigError(
      `--processing-concurrency must be 1–64, got ${JSON.stringify(concurrencyText)}`
    )
  }
  const memoryText =
    option(args, 'media-memory-limit') ??
    env.SIDECAST_LIBRARY_MEDIA_MEMORY_LIMIT ??
    DEFAULT_MEDIA_MEMORY_LIMIT
  const media: MediaConfig = {
    maxFrameWidth: frame.width,
    maxFrameHeight: frame.height,
    maxDurationMs: parseDuration(
      option(args, 'max-duration') ?? env.SIDECAST_LIBRARY_MAX_DURATION ?? DEFAULT_MAX_DURATION
    ),
    concurrency,
    timeoutMs: parseDuration(
      option(args, 'media-timeout') ?? env.SIDECAST_LIBRARY_MEDIA_TIMEOUT ?? DEFAULT_MEDIA_TIMEOUT
    ),
    killGraceMs: MEDIA_KILL_GRACE_MS,
    memoryLimit: /^\s*(0|off|none)\s*$/i.test(memoryText) ? 0 : parseSize(memoryText),
    ffmpeg: env[FFMPEG_ENV]?.trim() || null,
    ffprobe: env[FFPROBE_ENV]?.trim() || null
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
  const time = (flag: string, envName: string, fallback: number): number => {
    const text = option(args, flag) ?? env[envName]
    return text ? parseDuration(text) : fallback
  }
  const count = (flag: string, envName: string, fallback: number, min: number): number => {
    const text = option(args, flag) ?? env[envName]
    return text ? wholeNumber(text, flag, min, 1_000_000_000) : fallback
  }
  const headersTimeoutMs = time(
    'headers-timeout',
    'SIDECAST_LIBRARY_HEADERS_TIMEOUT',
    DEFAULT_HEADERS_TIMEOUT_MS
  )
  const idleTimeoutMs = time(
    'idle-timeout',
    'SIDECAST_LIBRARY_IDLE_TIMEOUT',
    DEFAULT_IDLE_TIMEOUT_MS
  )
  const rateText = option(args, 'min-body-rate') ?? env.SIDECAST_LIBRARY_MIN_BODY_RATE
  const minBodyRate = !rateText
    ? DEFAULT_MIN_BODY_RATE
    : /^\s*(0|off|none)\s*$/i.test(rateText)
      ? 0
      : parseSize(rateText)
  const maxConnectionsPerAddress = count(
    'max-connections-per-address',
    'SIDECAST_LIBRARY_MAX_CONNECTIONS_PER_ADDRESS',
    DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    0
  )
  const signInFailuresPerAddress = count(
    'sign-in-failures-per-address',
    'SIDECAST_LIBRARY_SIGNIN_FAILURES_PER_ADDRESS',
    DEFAULT_SIGNIN_FAILURES_PER_ADDRESS,
    1
  )
  const maxUnfinishedUploads = count(
    'max-unfinished-uploads',
    'SIDECAST_LIBRARY_MAX_UNFINISHED_UPLOADS',
    DEFAULT_MAX_UNFINISHED_UPLOADS,
    1
  )
  const liveFollowers = count(
    'live-followers',
    'SIDECAST_LIBRARY_LIVE_FOLLOWERS',
    DEFAULT_LIVE_FOLLOWERS,
    0
  )
  const unfinishedText =
    option(args, 'max-unfinished-bytes') ?? env.SIDECAST_LIBRARY_MAX_UNFINISHED_BYTES
  const maxUnfinishedBytes = unfinishedText
    ? parseSize(unfinishedText)
    : DEFAULT_MAX_UNFINISHED_BYTES

  // The desktop app's updates (updates.ts); relative to where the operator ran npm, like --data.
  const updatesText = (option(args, 'updates-dir') ?? env.SIDECAST_LIBRARY_UPDATES_DIR)?.trim()
  const updatesDir = updatesText ? path.resolve(baseDir(env), updatesText) : null

  // Several instances (docs/deployment.md): PostgreSQL and Redis instead of the embedded defaults.
  const databaseUrl =
    (option(args, 'database-url') ?? env.SIDECAST_LIBRARY_DATABASE_URL)?.trim() || null
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new ConfigError(
      `--database-url must be a postgres:// URL (SQLite needs no setting), got ${JSON.stringify(redactUrl(databaseUrl))}`
    )
  }
  const redisUrl = (option(args, 'redis-url') ?? env.SIDECAST_LIBRARY_REDIS_URL)?.trim() || null
  if (redisUrl !== null && !/^rediss?:\/\//i.test(redisUrl)) {
    throw new ConfigError(
      `--redis-url must be a redis:// or rediss:// URL, got ${JSON.stringify(redactUrl(redisUrl))}`
    )
  }
  const instanceName =
    (option(args, 'instance-name') ?? env.SIDECAST_LIBRARY_INSTANCE)?.trim() ||
    `${os.hostname()}:${process.pid}`

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
    headersTimeoutMs,
    idleTimeoutMs,
    minBodyRate,
    maxConnectionsPerAddress,
    signInFailuresPerAddress,
    maxUnfinishedUploads,
    liveFollowers,
    maxUnfinishedBytes,
    updatesDir,
    databaseUrl,
    redisUrl,
    instanceName,
    s3,
    media
  }
}

/** A URL with its password replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return url.replace(/:\/\/([^:/@]*):[^@/]*@/, '://$1:***@')
  }
}
