/**
 * Addresses of project files for the renderer: `sidecast-media://project/<id>/<file>`. Parsing
 * here is strict so that a URL can only ever name a plain file directly inside a project folder.
 */
import { isValidProjectId } from '../../shared/project'

export const MEDIA_SCHEME = 'sidecast-media'

/** The URL the renderer loads a project file from (thumbnails, recordings). */
export function mediaUrl(projectId: string, fileName: string): string {
  return `${MEDIA_SCHEME}://project/${encodeURIComponent(projectId)}/${encodeURIComponent(fileName)}`
}

const PLAIN_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/

/** A file name with no directory part, no `..`, nothing hidden. */
export function isPlainFileName(name: unknown): name is string {
  return typeof name === 'string' && PLAIN_FILE_NAME.test(name) && !name.includes('..')
}

export interface MediaAddress {
  readonly projectId: string
  readonly fileName: string
}

/** Parses a media URL back into project id and file name; null for anything else. */
export function parseMediaUrl(url: string): MediaAddress | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== `${MEDIA_SCHEME}:` || parsed.host !== 'project') return null
  const segments = parsed.pathname.split('/').slice(1)
  if (segments.length !== 2) return null
  let projectId: string
  let fileName: string
  try {
    projectId = decodeURIComponent(segments[0] ?? '')
    fileName = decodeURIComponent(segments[1] ?? '')
  } catch {
    return null
  }
  if (!isValidProjectId(projectId) || !isPlainFileName(fileName)) return null
  return { projectId, fileName }
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  webm: 'video/webm',
  mp4: 'video/mp4',
  mkv: 'video/x-matroska',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  json: 'application/json'
}

/** MIME type by extension; octet-stream for anything unexpected. */
export function mediaContentType(fileName: string): string {
  const dot = fileName.lastIndexOf('.')
  const ext = dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase()
  return CONTENT_TYPES[ext] ?? 'application/octet-stream'
}
