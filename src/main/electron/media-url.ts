/**
 * Addresses of project files in Electron: `sidecast-media://project/<id>/<file>`. Parsing is
 * strict so that a URL can only ever name a plain file directly inside a project folder.
 */
import { mediaAddress, type MediaAddress } from '../projects/media-response'

export const MEDIA_SCHEME = 'sidecast-media'

/** The URL the renderer loads a project file from (thumbnails, recordings). */
export function mediaUrl(projectId: string, fileName: string): string {
  return `${MEDIA_SCHEME}://project/${encodeURIComponent(projectId)}/${encodeURIComponent(fileName)}`
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
  return mediaAddress(parsed.pathname.split('/').slice(1))
}
