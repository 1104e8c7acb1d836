/**
 * `<project>/share.json`: the project's share link, i.e. where its video is in the team library,
 * written once an upload has finished. Only the three known fields are read and written.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SHARE_FILE } from '../../shared/project'
import { writeJsonAtomic } from '../../engine/atomic-file'

export interface ShareLink {
  /** The video's page in the library. */
  readonly url: string
  readonly videoId: string
  /** ISO time the upload finished. */
  readonly uploadedAt: string
}

/** The project's share link; null when there is none or the file is unusable. */
export async function readShareLink(projectDir: string): Promise<ShareLink | null> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(join(projectDir, SHARE_FILE), 'utf8'))
  } catch {
    return null
  }
  const { url, videoId, uploadedAt } = (parsed ?? {}) as Partial<Record<keyof ShareLink, unknown>>
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) return null
  return {
    url,
    videoId: typeof videoId === 'string' ? videoId : '',
    uploadedAt: typeof uploadedAt === 'string' ? uploadedAt : ''
  }
}

/** Writes share.json atomically. */
export function writeShareLink(projectDir: string, link: ShareLink): Promise<void> {
  return writeJsonAtomic(join(projectDir, SHARE_FILE), {
    url: link.url,
    videoId: link.videoId,
    uploadedAt: link.uploadedAt
  })
}
