/** A recording's library link, short, with Copy link and Open in library. */
import type { ReactNode } from 'react'
import { api } from '../api'
import { formatShortUrl } from '../format'
import type { Notices } from '../ui/notices'
import { copyShareLink } from './use-share-notices'
import './share.css'

export interface ShareLinkProps {
  readonly projectId: string
  readonly title: string
  readonly url: string
  readonly notices: Notices
}

export function ShareLink({ projectId, title, url, notices }: ShareLinkProps): ReactNode {
  const open = (): void => {
    api.invoke('share:open', projectId).catch((failure: unknown) => notices.error(failure))
  }
  return (
    <p className="share-link">
      <span className="share-link-label">In the library:</span>{' '}
      <span className="share-link-url" title={url}>
        {formatShortUrl(url)}
      </span>
      <button
        type="button"
        className="quiet-button"
        onClick={() => copyShareLink(projectId, notices)}
        aria-label={`Copy link to “${title}”`}
      >
        Copy link
      </button>
      <button
        type="button"
        className="quiet-button"
        onClick={open}
        aria-label={`Open in library: “${title}”`}
      >
        Open in library
      </button>
    </p>
  )
}
