/**
 * The SQLite schema, one step per `PRAGMA user_version`. A released step is never edited: a change
 * is a new step here and the same step in migrations-postgres.ts, so both engines hold the same
 * schema at the same version.
 */
import { sqliteOrderKey } from './search'

export const MIGRATIONS: readonly string[] = [
  // 1: the first schema
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    admin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT
  );
  CREATE INDEX tokens_user ON tokens(user_id);
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE TABLE videos (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    author_name TEXT NOT NULL,
    duration_ms INTEGER,
    size_bytes INTEGER NOT NULL,
    filename TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    project_id TEXT,
    callouts TEXT NOT NULL,
    has_thumbnail INTEGER NOT NULL,
    upload_id TEXT NOT NULL,
    storage TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    created_at TEXT NOT NULL
  );
  CREATE INDEX videos_created ON videos(created_at DESC);
  CREATE VIRTUAL TABLE video_search USING fts5(
    video_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    video_id TEXT NOT NULL,
    state TEXT NOT NULL,
    error TEXT,
    metadata TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX uploads_state ON uploads(state);
  `,
  // 2: user ids are never reused. Without AUTOINCREMENT SQLite gives a new user max(id) + 1, so
  // removing the newest user handed their id — their videos, their unfinished uploads — to the
  // next one added. The sequence starts above every id still named anywhere, also those of users
  // removed before this migration.
  `
  CREATE TABLE users_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    admin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  INSERT INTO users_new (id, name, password_hash, admin, created_at)
    SELECT id, name, password_hash, admin, created_at FROM users;
  DROP TABLE users;
  ALTER TABLE users_new RENAME TO users;
  DELETE FROM sqlite_sequence WHERE name = 'users';
  INSERT INTO sqlite_sequence (name, seq) SELECT 'users', max(
    (SELECT coalesce(max(id), 0) FROM users),
    (SELECT coalesce(max(owner_id), 0) FROM videos),
    (SELECT coalesce(max(user_id), 0) FROM uploads),
    (SELECT coalesce(max(user_id), 0) FROM tokens),
    (SELECT coalesce(max(user_id), 0) FROM sessions)
  );
  CREATE INDEX videos_owner ON videos(owner_id);
  CREATE INDEX uploads_user ON uploads(user_id);
  `,
  // 3: what an upload declared at creation (NULL: a deferred length), for the per-user cap on
  // unfinished uploads.
  `
  ALTER TABLE uploads ADD COLUMN declared_bytes INTEGER;
  `,
  // 4: instant share. An upload sent while recording (`live`) reserves its video id at creation;
  // the link is handed out at once, so a reservation is looked up by video id, and a discarded
  // one leaves a tombstone, so its link can say so rather than "not found".
  `
  ALTER TABLE uploads ADD COLUMN live INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX uploads_video ON uploads(video_id);
  CREATE TABLE discarded_videos (
    video_id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    discarded_at TEXT NOT NULL
  );
  `,
  // 5: edits travel with the video. Each version of a video's edits.json is kept; who may watch
  // it (the team, or anyone with its link); the renders made from the edits (the viewers'
  // version with the redactions burnt in, the download with everything), queued here so a
  // restart picks them up again.
  `
  ALTER TABLE videos ADD COLUMN edits_version INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE videos ADD COLUMN access TEXT NOT NULL DEFAULT 'team';
  ALTER TABLE videos ADD COLUMN link_token TEXT;
  ALTER TABLE videos ADD COLUMN awaiting_edits INTEGER NOT NULL DEFAULT 0;
  CREATE UNIQUE INDEX videos_link_token ON videos(link_token) WHERE link_token IS NOT NULL;
  CREATE TABLE video_edits (
    video_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    edits TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (video_id, version)
  );
  CREATE TABLE renders (
    video_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    edits_version INTEGER NOT NULL,
    redaction_key TEXT NOT NULL,
    state TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    file TEXT,
    duration_ms INTEGER,
    size_bytes INTEGER,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (video_id, kind, edits_version)
  );
  CREATE INDEX renders_state ON renders(state, created_at);
  `,
  // 6: the camera bubble. A recording's camera is a second upload linked to its video
  // (Upload-Metadata cameraFor): the upload that holds its bytes and the facts the render needs
  // (offset on the recording's clock, length, off ranges). A recording sent with its camera to
  // follow (cameraFollows) is shown to viewers only once the camera is there.
  `
  ALTER TABLE videos ADD COLUMN camera_upload_id TEXT;
  ALTER TABLE videos ADD COLUMN camera_facts TEXT;
  ALTER TABLE videos ADD COLUMN awaiting_camera INTEGER NOT NULL DEFAULT 0;
  `,
  // 7: learning together (learn-types.ts). Walkthrough requests (who wants each, the videos that
  // answer it), comments and questions at a moment of a video, reactions, what each person
  // watched, notifications, collections, and the team's settings. Requests and comments are
  // searched like videos (unicode61, diacritics removed); a search row's rowid is its request's or
  // comment's `seq` (a rowid alias, so VACUUM keeps it), so a row is found and removed by key.
  `
  CREATE TABLE requests (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    details TEXT NOT NULL,
    tags TEXT NOT NULL,
    asker_id INTEGER NOT NULL,
    asker_name TEXT NOT NULL,
    solved_video_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX requests_created ON requests(created_at DESC, seq DESC);
  CREATE INDEX requests_open ON requests(created_at DESC, seq DESC) WHERE solved_video_id IS NULL;
  CREATE TABLE request_tags (
    request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (tag, request_id)
  );
  CREATE INDEX request_tags_request ON request_tags(request_id);
  CREATE TABLE request_wants (
    request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (request_id, user_id)
  );
  CREATE INDEX request_wants_user ON request_wants(user_id);
  CREATE TABLE request_answers (
    request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    video_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (request_id, video_id)
  );
  CREATE INDEX request_answers_video ON request_answers(video_id);
  CREATE VIRTUAL TABLE request_search USING fts5(
    request_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TABLE comments (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    video_id TEXT NOT NULL,
    parent_id TEXT,
    author_id INTEGER NOT NULL,
    author_name TEXT NOT NULL,
    at_ms INTEGER,
    body TEXT NOT NULL,
    question INTEGER NOT NULL DEFAULT 0,
    answered INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    edited_at TEXT
  );
  CREATE INDEX comments_video ON comments(video_id, created_at);
  CREATE INDEX comments_parent ON comments(parent_id) WHERE parent_id IS NOT NULL;
  CREATE VIRTUAL TABLE comment_search USING fts5(
    comment_id UNINDEXED, video_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TABLE reactions (
    video_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (video_id, kind, at_ms, user_id)
  );
  CREATE INDEX reactions_user ON reactions(user_id);
  CREATE TABLE video_views (
    video_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    ranges TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    watched_ms INTEGER NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (video_id, user_id)
  );
  CREATE INDEX video_views_user ON video_views(user_id);
  CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor_id INTEGER,
    actor_name TEXT NOT NULL,
    video_id TEXT,
    request_id TEXT,
    comment_id TEXT,
    at_ms INTEGER,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
  );
  CREATE INDEX notifications_user ON notifications(user_id, id DESC);
  CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;
  CREATE INDEX notifications_video ON notifications(video_id) WHERE video_id IS NOT NULL;
  CREATE INDEX notifications_request ON notifications(request_id) WHERE request_id IS NOT NULL;
  CREATE INDEX notifications_comment ON notifications(comment_id) WHERE comment_id IS NOT NULL;
  CREATE TABLE collections (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    owner_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX collections_owner ON collections(owner_id, created_at DESC);
  CREATE TABLE collection_items (
    collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    video_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    added_by INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (collection_id, video_id)
  );
  CREATE INDEX collection_items_video ON collection_items(video_id);
  CREATE TABLE team_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 8: several instances on one database. The instance processing an upload holds a claim on it
  // (who, and until when: an ISO time, renewed while it works), so another instance's reconciler
  // leaves it alone; a claim not renewed (a crashed instance) lapses and the upload is taken over.
  `
  ALTER TABLE uploads ADD COLUMN claimed_by TEXT;
  ALTER TABLE uploads ADD COLUMN claimed_until TEXT;
  `,
  // 9: pages and searches that stop after a page. The library is ordered by (created_at DESC,
  // rowid DESC); an ascending index walked backwards gives exactly that order (the descending one
  // needed a sort of its rowid tie-break). A video's search row gets the video's order key as its
  // rowid (sqliteOrderKey in search.ts), so FTS5 hands out matches newest first and a search
  // reads only as many as it shows, however many match. Search rows of videos no longer there are
  // dropped, and of a video with several (a damaged file) only the newest is kept.
  `
  DROP INDEX videos_created;
  CREATE INDEX videos_created ON videos(created_at);
  CREATE VIRTUAL TABLE video_search_ordered USING fts5(
    video_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2'
  );
  INSERT INTO video_search_ordered (rowid, video_id, body)
    SELECT ${sqliteOrderKey('videos')}, video_search.video_id, video_search.body
    FROM video_search JOIN videos ON videos.id = video_search.video_id
    WHERE video_search.rowid IN (SELECT max(rowid) FROM video_search GROUP BY video_id);
  DROP TABLE video_search;
  ALTER TABLE video_search_ordered RENAME TO video_search;
  `
]
