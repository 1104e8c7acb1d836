/**
 * The renders of a video's edits (DESIGN.md, "Edits travel as data"), made by the app's render
 * engine (src/engine) with the server's ffmpeg, one at a time, queued in the database so a
 * restart picks them up again:
 *
 * - `viewer`: what every viewer but the owner watches when the edits hide something (cuts,
 *   trims, blur: live-edits.ts hasRedactions): the redactions burnt in, callouts left to the
 *   page. Renders with the same redaction key are the same video, so a callout's typo fixed
 *   renders nothing. Until a new one is done, viewers keep the previous one.
 * - `download`: everything burnt in, callouts too; made when asked, kept per edits version.
 */
import type { Edits } from '../../../src/shared/edits'
import type { RenderRecord, Video } from '../db/types'

/** What a viewer (anyone but the owner asking for the original) is served. */
export type ViewerMedia =
  /** The newest edits hide nothing: the original is what everyone sees. */
  | { readonly kind: 'original' }
  /**
   * A render with the redactions burnt in: `file` is absolute; `stale` when newer edits are
   * being rendered (it has the previous redactions).
   */
  | {
      readonly kind: 'render'
      readonly file: string
      readonly sizeBytes: number
      readonly durationMs: number
      readonly editsVersion: number
      readonly stale: boolean
    }
  /** The edits hide something and no render is done yet: nothing may be shown. */
  | { readonly kind: 'processing'; readonly failed: string | null }

/** The download of a video's current edits (everything burnt in). */
export type DownloadState =
  | { readonly state: 'ready'; readonly file: string; readonly sizeBytes: number }
  | { readonly state: 'queued' | 'running'; readonly progress: number }
  | { readonly state: 'failed'; readonly error: string }

export interface RenderService {
  /** Queues what the video's newest edits need (a viewer render when its redactions changed). */
  editsChanged(videoId: string): Promise<void>
  /**
   * The video's newest edits as the loader reads them (empty when none were sent), parsed once
   * per version; edits saved against a longer recording are read without its length.
   */
  edits(video: Video): Promise<Edits>
  /** What a viewer is served now (see ViewerMedia). */
  viewerMedia(video: Video): Promise<ViewerMedia>
  /**
   * The download of the video's newest edits: its file when rendered, else its progress; asks
   * for it (queued) when it was not asked for yet. A failed one stays failed unless `retry`.
   */
  download(video: Video, options?: { retry?: boolean }): Promise<DownloadState>
  /**
   * The thumbnail viewers may see: the original's while the edits hide nothing, else one made
   * from their render, else none (it would show what is hidden).
   */
  viewerThumbnail(
    video: Video
  ): Promise<
    | { readonly kind: 'original' }
    | { readonly kind: 'file'; readonly file: string }
    | { readonly kind: 'none' }
  >
  /** The renders of a video, for its owner (what is being rendered, what failed and why). */
  rendersOf(videoId: string): Promise<RenderRecord[]>
  /**
   * A new version of the video's recording was saved (`replaces`): renders of the old one are
   * removed (viewers wait for the new ones rather than see the old pictures) and queued again.
   */
  recordingReplaced(videoId: string): Promise<void>
  /** Removes a video's render files (the video is deleted). */
  forget(videoId: string): Promise<void>
  /** Resolves when no render runs or waits (tests). */
  idle(): Promise<void>
  /** Stops the running render (it is queued again at the next start) and takes no more. */
  close(): Promise<void>
}
