/**
 * The desktop app's updates: the operator's folder of release files (installers, their
 * `.blockmap`s and the `latest*.yml` files electron-updater reads) served read-only at
 * `/updates/<name>` when `--updates-dir` is set (docs/library-server.md, "Updates for the app").
 *
 * - Only plain files directly in the folder: no listing, no sub-folders, no dot files, no
 *   symbolic links (a link could point anywhere on the server), nothing that is not a regular file.
 * - Sign-in required, as for every other byte the library serves: the app sends its access token
 *   (docs/security.md, "Updates for the app").
 * - GET and HEAD; one byte range (206) for the updater's differential downloads, 416 outside the
 *   file; ETag and Last-Modified with If-None-Match, If-Modified-Since and If-Range.
 */
import { constants, type Stats } from 'node:fs'
import { lstat, open, stat, type FileHandle } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { parseRange } from '../../src/shared/http-range'
import type { Resolved } from './auth'
import { redirect, sendText, setSecurityHeaders } from './pages/http'
import { wantsHtml } from './pages/routes/base'

/** Where the folder is served; the app's feed URL is `<library>/updates/`. */
export const UPDATES_PATH = '/updates'

/**
 * A release file's name: what electron-builder writes (`Sidecast-Setup-0.2.0.exe`,
 * `Sidecast-0.2.0-x86_64.AppImage`, `latest-mac.yml`, `*.blockmap`), never a path, never hidden.
 */
const FILE_NAME = /^[A-Za-z0-9_+~-][A-Za-z0-9._+~ -]{0,254}$/

export interface UpdatesOptions {
  /** The folder (absolute), from `--updates-dir` / SIDECAST_LIBRARY_UPDATES_DIR. */
  readonly dir: string
  /** Who is asking: a session or a Bearer token. */
  resolveUser(req: IncomingMessage): Promise<Resolved | null>
  /** Where a missing folder is reported at start. */
  readonly log: (message: string) => void
}

export interface UpdatesHandler {
  /** Answers a request for `/updates` or anything below it. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>
}

function contentType(name: string): string {
  return /\.ya?ml$/i.test(name) ? 'text/yaml; charset=utf-8' : 'application/octet-stream'
}

/** Size, change time and inode: a file copied over (even with `cp -p`) gets a new tag. */
function entityTag(stats: Stats): string {
  return `"${stats.ino.toString(16)}-${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`
}

/** The file `name` in `dir` opened for reading, or null unless it is a regular file there. */
async function openPlainFile(
  dir: string,
  name: string
): Promise<{ handle: FileHandle; stats: Stats } | null> {
  const file = path.join(dir, name)
  // lstat, so a symbolic link is refused rather than followed; the open below refuses one too
  // (O_NOFOLLOW where the system has it), and the inode check catches a swap in between.
  const before = await lstat(file).catch(() => null)
  if (!before?.isFile()) return null
  let handle: FileHandle
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0))
  } catch {
    return null
  }
  const stats = await handle.stat().catch(() => null)
  if (!stats?.isFile() || stats.ino !== before.ino || stats.dev !== before.dev) {
    await handle.close().catch(() => undefined)
    return null
  }
  return { handle, stats }
}

/** If-None-Match: any listed tag equals ours (weak comparison, as RFC 9110 says for it). */
function noneMatch(header: string, tag: string): boolean {
  if (header.trim() === '*') return true
  return header.split(',').some((entry) => entry.trim().replace(/^W\//, '') === tag)
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000)
}

/** True when the client's copy is current: answer 304. */
function notModified(req: IncomingMessage, tag: string, stats: Stats): boolean {
  const ifNoneMatch = req.headers['if-none-match']
  if (ifNoneMatch !== undefined) return noneMatch(ifNoneMatch, tag)
  const since = Date.parse(req.headers['if-modified-since'] ?? '')
  return Number.isFinite(since) && seconds(stats.mtimeMs) <= seconds(since)
}

/** If-Range: the range holds only for the very same file (a strong tag or the exact date). */
function rangeStillValid(req: IncomingMessage, tag: string, stats: Stats): boolean {
  const ifRange = req.headers['if-range']
  if (ifRange === undefined) return true
  if (typeof ifRange !== 'string') return false
  const value = ifRange.trim()
  if (value.startsWith('"') || value.startsWith('W/')) return value === tag
  const date = Date.parse(value)
  return Number.isFinite(date) && seconds(date) === seconds(stats.mtimeMs)
}

function refuseUnsigned(req: IncomingMessage, res: ServerResponse, pathname: string): void {
  req.resume()
  if (wantsHtml(req)) {
    redirect(res, `/signin?next=${encodeURIComponent(pathname)}`)
    return
  }
  res.setHeader('WWW-Authenticate', 'Bearer realm="sidecast"')
  sendText(res, 401, 'Sign in or send an access token.')
}

export function createUpdatesHandler(options: UpdatesOptions): UpdatesHandler {
  const { dir } = options
  // Said once at start; the folder may still appear later (a mount), so the server runs on.
  void stat(dir).then(
    (info) => {
      if (!info.isDirectory())
        options.log(`--updates-dir ${dir} is not a folder; /updates/ answers 404`)
    },
    () => options.log(`--updates-dir ${dir} does not exist; /updates/ answers 404 until it does`)
  )

  async function handle(req: IncomingMessage, res: ServerResponse, pathname: string) {
    setSecurityHeaders(res)
    const method = req.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD') {
      req.resume()
      res.setHeader('Allow', 'GET, HEAD')
      sendText(res, 405, 'Update files can only be read.')
      return
    }
    if (!(await options.resolveUser(req))) {
      refuseUnsigned(req, res, pathname)
      return
    }
    let name = ''
    try {
      name = decodeURIComponent(pathname.slice(UPDATES_PATH.length + 1))
    } catch {
      name = ''
    }
    const opened = FILE_NAME.test(name) ? await openPlainFile(dir, name) : null
    if (!opened) {
      sendText(res, 404, 'There is no such update file.')
      return
    }
    const { handle: file, stats } = opened
    let streaming = false
    try {
      const tag = entityTag(stats)
      res.setHeader('ETag', tag)
      res.setHeader('Last-Modified', stats.mtime.toUTCString())
      // Revalidated every time (cheap with the tag): a newly published latest.yml is seen at once.
      res.setHeader('Cache-Control', 'private, no-cache')
      res.setHeader('Accept-Ranges', 'bytes')
      if (notModified(req, tag, stats)) {
        res.statusCode = 304
        res.end()
        return
      }
      res.setHeader('Content-Type', contentType(name))
      if (!/\.ya?ml$/i.test(name)) {
        res.setHeader('Content-Disposition', `attachment; filename="${name}"`)
      }
      const range = rangeStillValid(req, tag, stats)
        ? parseRange(req.headers.range, stats.size)
        : null
      if (range === 'unsatisfiable') {
        res.statusCode = 416
        res.setHeader('Content-Range', `bytes */${stats.size}`)
        res.end()
        return
      }
      if (range) {
        res.statusCode = 206
        res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${stats.size}`)
        res.setHeader('Content-Length', range.end - range.start + 1)
      } else {
        res.statusCode = 200
        res.setHeader('Content-Length', stats.size)
      }
      if (method === 'HEAD' || stats.size === 0) {
        res.end()
        return
      }
      streaming = true
      const stream = file.createReadStream(
        range ? { start: range.start, end: range.end } : { start: 0 }
      )
      try {
        await pipeline(stream, res)
      } catch {
        // The client went away or the disk failed mid-way: the headers are out, so close.
        if (!res.destroyed) res.destroy()
      }
    } finally {
      // The read stream closes the file itself once it has started.
      if (!streaming) await file.close().catch(() => undefined)
    }
  }

  return { handle }
}
