import type { LearnDb } from './learn-types'

export type * from './learn-types'

export interface User {
  id: number
  name: string
  admin: boolean
  createdAt: string
}

export interface TokenRecord {
  id: number
  userId: number
  /** First 8 characters of the token, shown to users. */
  prefix: string
  label: string
  createdAt: string
  lastUsedAt: string | null
}

export interface Callout {
  text: string
  startMs: number
  endMs: number
}

export interface Video {
  /** URL-safe random id (16 characters; see VIDEO_ID in library.ts). */
  id: string
  title: string
  description: string
  ownerId: number
  authorName: string
  durationMs: number | null
  sizeBytes: number
  filename: string
  mimeType: string
  projectId: string | null
  callouts: Callout[]
  createdAt: string
  hasThumbnail: boolean
  /** Frame size of the original, when probed. */
  width: number | null
  height: number | null
  /** The newest version of its edits (video_edits); 0 when none were sent. */
  editsVersion: number
  /** Who may watch: signed-in members, or also anyone with the link (`linkToken`). */
  access: VideoAccess
  /** The unguessable token of its "anyone with the link" link; null when there is none. */
  linkToken: string | null
  /**
   * Sent as it is with its edits to follow (Upload-Metadata `editsFollow`) and they have not come
   * yet: viewers other than the owner get nothing of it meanwhile.
   */
  awaitingEdits: boolean
  /** Its camera recording (Upload-Metadata `cameraFor`), or null when it has none. */
  camera: VideoCamera | null
  /**
   * Sent with its camera to follow (Upload-Metadata `cameraFollows`) and the camera has not come
   * yet: viewers other than the owner get nothing of it meanwhile.
   */
  awaitingCamera: boolean
}

/** A video's camera recording: the upload holding its bytes, and what the render needs of it. */
export interface VideoCamera {
  /** The upload id (storage key) of the camera's bytes. */
  readonly id: string
  readonly facts: CameraUploadFacts
}

/**
 * The camera facts the app sends (CameraFacts of recording.json, in part): where its first frame
 * falls on the recording's clock, its length, the stretches it was switched off.
 */
export interface CameraUploadFacts {
  readonly offsetMs: number
  readonly durationMs: number
  readonly offRanges?: readonly (readonly [number, number])[]
  /** Probed from the stored camera file. */
  readonly width?: number
  readonly height?: number
  readonly videoCodec?: string
  readonly container?: 'webm' | 'mp4' | 'mkv'
  readonly mimeType?: string
}

export type VideoAccess = 'team' | 'link'

/** One version of a video's edits.json, as checked by the shared loader and stored. */
export interface EditsVersion {
  videoId: string
  version: number
  /** The edits' JSON (serializeEdits). */
  edits: string
  userId: number
  createdAt: string
}

/** `viewer`: the redactions burnt in, callouts drawn live; `download`: everything burnt in. */
export type RenderKind = 'viewer' | 'download'
export type RenderState = 'queued' | 'running' | 'done' | 'failed'

/** A render of a video's edits (renders/): queued, made by the server's ffmpeg, served. */
export interface RenderRecord {
  videoId: string
  kind: RenderKind
  /** The edits version it was asked for. */
  editsVersion: number
  /** live-edits.ts redactionKey of those edits: viewer renders with the same key are the same. */
  redactionKey: string
  state: RenderState
  /** 0–1 while running. */
  progress: number
  /** Its file, relative to the data folder, when done. */
  file: string | null
  durationMs: number | null
  sizeBytes: number | null
  /** Why it failed, in words for the video's owner. */
  error: string | null
  createdAt: string
  updatedAt: string
}

/** Which storage holds a video's bytes (storage/index.ts). */
export type StorageKind = 'file' | 's3'

/** A video as the upload processor adds it (the author's name is its owner's). */
/** An upload as createUploadWithin records it (createUpload's arguments, as one object). */
export interface NewUpload {
  id: string
  userId: number
  videoId: string
  metadata: string
  /** The Upload-Length given at creation; null for a deferred length. */
  declaredBytes: number | null
  /** Sent while recording (UploadRecord.live). */
  live: boolean
}

export interface NewVideo extends Omit<
  Video,
  | 'authorName'
  | 'createdAt'
  | 'width'
  | 'height'
  | 'editsVersion'
  | 'access'
  | 'linkToken'
  | 'awaitingEdits'
  | 'camera'
  | 'awaitingCamera'
> {
  /** The tus upload id the video came from (storage key). */
  uploadId: string
  /** Where its bytes live: a file under the data dir, or an S3 object key. */
  storage: StorageKind
  /** ISO time; defaults to now. */
  createdAt?: string
  width?: number | null
  height?: number | null
  /** Its edits follow the upload (Video.awaitingEdits); default false. */
  awaitingEdits?: boolean
  /** Its camera follows the upload (Video.awaitingCamera); default false. */
  awaitingCamera?: boolean
}

export type UploadState = 'uploading' | 'processing' | 'done' | 'failed'

export interface UploadRecord {
  id: string
  userId: number
  state: UploadState
  /** Chosen when the upload is created, so finishing it twice makes one video. */
  videoId: string
  error: string | null
  /** JSON of the validated metadata, used to reconcile after a failure. */
  metadata: string
  createdAt: string
  updatedAt: string
  /**
   * Sent while recording (Upload-Metadata `live`): raw MediaRecorder bytes, stream-copied into a
   * seekable file when they are all there. Its video id is handed out at creation (a reservation).
   */
  live: boolean
}

export interface FindVideosOptions {
  /** At most this many videos (default 50, at most 1,000). */
  limit?: number
  /** Skip this many first (default 0). */
  offset?: number
  /** Count at most this many (default: all; 0: do not count). */
  countUpTo?: number
}

export interface VideoPage {
  videos: Video[]
  /** How many videos the listing or search finds; see `totalIsAtLeast`. */
  total: number
  /** True when the count stopped at `countUpTo`: at least `total` videos are found, maybe more. */
  totalIsAtLeast: boolean
}

export interface LibraryDb extends LearnDb {
  createUser(name: string, password: string, admin: boolean): Promise<User>
  /**
   * The user when the password is theirs, else null. The hash runs off the event loop; throws
   * PasswordCheckBusy (passwords.ts) when too many checks are waiting.
   */
  verifyPassword(name: string, password: string): Promise<User | null>
  getUser(id: number): Promise<User | null>
  getUserByName(name: string): Promise<User | null>
  listUsers(): Promise<User[]>
  /**
   * What removing a user must decide about: the videos they own, and their uploads whose bytes
   * are complete but which are not videos yet (`processing`).
   */
  userHoldings(userId: number): Promise<{ videos: string[]; pending: string[] }>
  /**
   * Removes a user; their tokens and sessions go with them. Their videos and pending uploads go
   * to `transferTo` (the author name shown stays theirs); without it they must hold none, else
   * this throws. Their other uploads are forgotten: their ids are returned so the caller can
   * delete the bytes. Null when there is no such user.
   */
  removeUser(
    name: string,
    opts?: { transferTo?: number }
  ): Promise<{ user: User; transferred: number; uploads: string[] } | null>

  createToken(userId: number, label: string): Promise<{ token: string; record: TokenRecord }>
  /**
   * The token's user, or null. Never writes: the use is noted ("last used", at most once a
   * minute per token) and written by flushTokenUses.
   */
  userForToken(token: string): Promise<User | null>
  /** Writes the noted token uses; keeps them for the next call when the database is busy or full. */
  flushTokenUses(): Promise<void>
  listTokens(userId: number): Promise<TokenRecord[]>
  /** userId null = any user (admin CLI). */
  revokeToken(userId: number | null, prefixOrId: string | number): Promise<boolean>

  createSession(userId: number): Promise<{ id: string; csrf: string }>
  getSession(id: string): Promise<{ user: User; csrf: string } | null>
  deleteSession(id: string): Promise<void>

  getVideo(id: string): Promise<Video | null>
  /**
   * One page of the library (`q` empty) or of a search, newest first, and how many videos it
   * finds. A search matches words (as prefixes) in title, description, author, file name, callout
   * text and comments' text. The count stops at `countUpTo` (default: no limit; 0 = do not count):
   * past it, `total` is `countUpTo` and `totalIsAtLeast` is true. A page's cost grows with
   * `offset + limit`, not with how many videos match.
   */
  findVideos(q: string, opts?: FindVideosOptions): Promise<VideoPage>
  /** findVideos' videos alone. */
  searchVideos(q: string, opts?: { limit?: number; offset?: number }): Promise<Video[]>
  /** findVideos' exact count alone. */
  countVideos(q?: string): Promise<number>
  updateVideo(id: string, patch: { title?: string; description?: string }): Promise<Video | null>
  deleteVideo(id: string): Promise<boolean>

  // Upload bookkeeping (tus side)
  insertVideo(video: NewVideo): Promise<Video>
  /**
   * One transaction: insert the video (if not there yet), mark the upload done and, with
   * `answers` (Upload-Metadata), link it as an answer to that request (idempotent; notifies on
   * the first link). `answered` is the request linked, or null (none asked, or the request is gone).
   */
  completeUpload(
    uploadId: string,
    video: NewVideo,
    opts?: { answers?: string | null }
  ): Promise<{ video: Video; answered: string | null }>
  /**
   * One transaction: a new version of the video `video.id` (a `replaces` upload) takes its place
   * under the same id — media facts, title, description, callouts, the storage key — and the
   * upload is marked done; the old version's upload record is forgotten. The caller removes the
   * old bytes (`previousUploadId`) after this commits. Null, with nothing changed, when the video
   * is gone. Idempotent: run again it finds the video already on this upload.
   */
  replaceVideo(
    uploadId: string,
    video: NewVideo
  ): Promise<{
    video: Video
    previousUploadId: string
    previousCameraUploadId: string | null
  } | null>
  /**
   * One transaction: the camera upload `uploadId` becomes video `videoId`'s camera (a camera it
   * had is replaced: its upload record is forgotten, the caller removes its bytes,
   * `previousUploadId`), viewers stop waiting for it, and the upload is marked done. Null when
   * the video is gone. Idempotent.
   */
  attachCamera(
    uploadId: string,
    videoId: string,
    facts: CameraUploadFacts
  ): Promise<{ video: Video; previousUploadId: string | null } | null>
  /** Removes a video's camera (the caller removes its bytes); null when the video is gone. */
  detachCamera(videoId: string): Promise<{ previousUploadId: string | null } | null>
  /** Storage facts of a video (not part of the public Video shape). */
  videoStorage(id: string): Promise<{ uploadId: string; storage: StorageKind } | null>
  /**
   * `declaredBytes`: the Upload-Length given at creation; null for a deferred length. `live`: sent
   * while recording (UploadRecord.live).
   */
  createUpload(
    id: string,
    userId: number,
    videoId: string,
    metadata: string,
    declaredBytes?: number | null,
    live?: boolean
  ): Promise<void>
  /**
   * The newest unfinished or failed upload of `videoId` while no video of that id is in the
   * library: what its link shows until the video is there. Null when there is none.
   */
  reservation(videoId: string): Promise<UploadRecord | null>
  /** A user's live uploads not (yet) in the library, newest first: their "Recording…" cards. */
  reservationsOf(userId: number, limit?: number): Promise<UploadRecord[]>
  /**
   * Forgets an upload (terminated, expired). A live upload whose video never came leaves a
   * tombstone, so its link says it was discarded. False when there was no such upload.
   */
  discardUpload(id: string): Promise<boolean>
  /**
   * Whether `videoId` is a reservation of `userId` whose live upload failed to finish (and no
   * video of that id exists): a new upload may then take its place under the same link.
   */
  failedReservation(videoId: string, userId: number): Promise<boolean>
  /** The tombstone of a discarded reservation, or null. */
  discardedVideo(videoId: string): Promise<{ userId: number; discardedAt: string } | null>
  /**
   * A user's unfinished uploads created after `createdAfter` (an ISO time: the older ones have
   * expired), and the bytes they declare together — a deferred length counts `deferredBytes`.
   * Live uploads count whatever their age: they expire from their last byte, not their creation,
   * and their record goes with their bytes.
   */
  unfinishedUploads(
    userId: number,
    createdAfter: string,
    deferredBytes: number
  ): Promise<{ count: number; bytes: number }>
  /**
   * One transaction: counts the user's unfinished uploads as `unfinishedUploads` does and, when
   * `quota.admit` finds room (returns null), records the upload as `createUpload` does. Returns
   * admit's refusal (nothing recorded) or null. Two creations — in one process or on two
   * instances — can never both take the last place. `admit` must be pure: it may run more than
   * once (a PostgreSQL transaction run again).
   */
  createUploadWithin(
    upload: NewUpload,
    quota: {
      createdAfter: string
      deferredBytes: number
      admit(held: { count: number; bytes: number }): string | null
    }
  ): Promise<string | null>
  getUpload(id: string): Promise<UploadRecord | null>
  setUploadState(id: string, state: UploadState, error?: string | null): Promise<void>
  listUploads(state: UploadState): Promise<UploadRecord[]>
  deleteUpload(id: string): Promise<void>
  /**
   * Several instances on one database: `owner` (an instance) claims the upload for `leaseMs`,
   * in one atomic statement — when no claim is on it, its claim has lapsed, or it is `owner`'s
   * already (then it is renewed). True when `owner` holds it now; false when another instance
   * does (or there is no such upload). The processor claims an upload before working on it and
   * renews the claim while it works, so no other instance's reconciler touches it meanwhile.
   */
  claimUpload(id: string, owner: string, leaseMs: number): Promise<boolean>
  /** Gives up `owner`'s claim on the upload (nothing when it is not `owner`'s). */
  releaseUpload(id: string, owner: string): Promise<void>

  // Edits (edits travel with the video)
  /** The video's edits at `version`, or its newest when omitted; null when there are none. */
  editsOf(videoId: string, version?: number): Promise<EditsVersion | null>
  /**
   * One transaction: stores `edits` as the next version when the video's newest is `baseVersion`
   * (else nothing changes and `conflict` is the newest), and makes `callouts` what search and
   * the markers use. Null when there is no such video.
   */
  saveEdits(
    videoId: string,
    baseVersion: number,
    edits: string,
    userId: number,
    callouts: Callout[]
  ): Promise<{ version: number } | { conflict: number } | null>
  /** Who may watch; `linkToken` null removes the link. Null when there is no such video. */
  setAccess(videoId: string, access: VideoAccess, linkToken: string | null): Promise<Video | null>
  /** The video whose "anyone with the link" link is `token` and is on; else null. */
  videoByLinkToken(token: string): Promise<Video | null>

  // Renders (renders/)
  /** The render of `kind` for `editsVersion`, queued when there was none; returns it either way. */
  queueRender(
    videoId: string,
    kind: RenderKind,
    editsVersion: number,
    redactionKey: string
  ): Promise<RenderRecord>
  getRender(videoId: string, kind: RenderKind, editsVersion: number): Promise<RenderRecord | null>
  /** The newest done render of `kind` (the highest edits version), or null. */
  latestDoneRender(videoId: string, kind: RenderKind): Promise<RenderRecord | null>
  /** Whether any render waits in the queue. */
  hasQueuedRender(): Promise<boolean>
  /** The oldest queued render, marked running; null when none waits. */
  takeQueuedRender(): Promise<RenderRecord | null>
  /** Returns whether the row was there (and matched `only`) and was changed. */
  updateRender(
    videoId: string,
    kind: RenderKind,
    editsVersion: number,
    patch: Partial<
      Pick<RenderRecord, 'state' | 'progress' | 'file' | 'durationMs' | 'sizeBytes' | 'error'>
    >,
    /**
     * Only if the row is still this run's: the render of these redactions (`redactionKey`), still
     * running (`running`). A run that outlived its row (replaced for a new recording or new
     * redactions, possibly through another instance) cannot mark the new one done or failed.
     */
    only?: { redactionKey?: string; running?: boolean }
  ): Promise<boolean>
  /**
   * Renders left running by a stopped server go back to the queue; returns how many. With
   * `staleBefore` (an ISO time) only those not updated since then: several instances share the
   * queue, and a running render's instance touches it (progress, a heartbeat) while it works, so
   * only a crashed instance's renders are that old.
   */
  requeueRunningRenders(staleBefore?: string): Promise<number>
  rendersOf(videoId: string): Promise<RenderRecord[]>
  /**
   * Removes the render's row. With `unlessRunning`, a row another instance has just started is
   * left alone (one statement: no read-then-delete race); returns whether a row was removed.
   */
  deleteRender(
    videoId: string,
    kind: RenderKind,
    editsVersion: number,
    opts?: { unlessRunning?: boolean }
  ): Promise<boolean>

  /**
   * Runs `fn` (calls on this database) without waiting for locks: a database another connection
   * holds answers SQLITE_BUSY at once. For retries that wait asynchronously (db/busy.ts). On
   * PostgreSQL, whose lock waits do not hold the event loop, it simply runs `fn`.
   */
  failFast<T>(fn: () => Promise<T>): Promise<T>

  /** Which engine holds the library: the embedded SQLite file, or PostgreSQL. */
  readonly dialect: DatabaseDialect
  /** Resolves when the database answers a trivial query (`/readyz`); rejects otherwise. */
  ping(): Promise<void>
  close(): Promise<void>
}

export type DatabaseDialect = 'sqlite' | 'postgres'
