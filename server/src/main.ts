/**
 * `npm run server [-- args]`: with no command, starts the library server; otherwise one of the
 * admin commands. Every command takes `--data DIR`.
 *
 *   user add <name> [--admin] [--password <pw>]   (prints a generated password when omitted)
 *   user list
 *   user remove <name> [--transfer-to <user> | --delete-videos]
 *   token create <name> [--label <text>]          (prints the token alone on the last line)
 *   token revoke <token-prefix>
 *   settings show                                 (the team's settings)
 *   settings set watchers counts|names            (what authors see of who watched their videos)
 *   backup <file>                                 (an online copy of the SQLite database)
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import {
  ConfigError,
  baseDir,
  loadConfig,
  parseArgs,
  redactUrl,
  type ParsedArgs,
  type ServerConfig
} from './config'
import { createLibraryServer } from './app'
import { databaseTarget, openLibraryDb } from './db/open'
import type { LibraryDb, User } from './db/types'
import { createLibrary } from './library'
import { createSignalHandler } from './stop-signals'
import { createStorage } from './storage'

const HELP = `Sidecast team library server

Usage:
  npm run server [-- options]                       start the server
  npm run server -- user add <name> [--admin] [--password <pw>]
  npm run server -- user list
  npm run server -- user remove <name> [--transfer-to <user> | --delete-videos]
  npm run server -- token create <name> [--label <text>]
  npm run server -- token revoke <token-prefix>
  npm run server -- settings show
  npm run server -- settings set watchers counts|names
  npm run server -- backup <file>                   an online copy of the SQLite database
      (while the server runs; PostgreSQL: pg_dump -Fc; docs/deployment.md)

Options (each also an environment variable):
  --port <n>              SIDECAST_LIBRARY_PORT         default 8080
  --host <addr>           SIDECAST_LIBRARY_HOST         default 127.0.0.1
  --data <dir>            SIDECAST_LIBRARY_DATA         default ./library-data
  --public-url <url>      SIDECAST_LIBRARY_PUBLIC_URL   default http://<host>:<port>
  --max-upload-size <n>   SIDECAST_LIBRARY_MAX_UPLOAD_SIZE  default 10GB (e.g. 500MB, 2GB)
  --updates-dir <dir>     SIDECAST_LIBRARY_UPDATES_DIR  default none
      a folder of Sidecast releases (installers, *.blockmap, latest*.yml) served to signed-in
      apps at /updates/ (docs/library-server.md)
Limits on clients and users (docs/security.md):
  --trust-proxy <addr,...>            SIDECAST_LIBRARY_TRUST_PROXY  default none
      reverse proxies (addresses, CIDR networks) whose X-Forwarded-For/-Proto are believed
  --headers-timeout <time>            SIDECAST_LIBRARY_HEADERS_TIMEOUT  default 60s
  --idle-timeout <time>               SIDECAST_LIBRARY_IDLE_TIMEOUT  default 60s
  --min-body-rate <size>              SIDECAST_LIBRARY_MIN_BODY_RATE  default 1KB a second (0: off)
  --max-connections-per-address <n>   SIDECAST_LIBRARY_MAX_CONNECTIONS_PER_ADDRESS  default 64
  --sign-in-failures-per-address <n>  SIDECAST_LIBRARY_SIGNIN_FAILURES_PER_ADDRESS  default 30
  --max-unfinished-uploads <n>        SIDECAST_LIBRARY_MAX_UNFINISHED_UPLOADS  default 20 a user
  --max-unfinished-bytes <size>       SIDECAST_LIBRARY_MAX_UNFINISHED_BYTES  default 50GB a user
  --live-followers <n>                SIDECAST_LIBRARY_LIVE_FOLLOWERS  default 8 (0: none)
      recordings sent while recording, stream-copied as their bytes arrive (file storage)
Several instances (docs/deployment.md):
  --database-url <url>    SIDECAST_LIBRARY_DATABASE_URL  default none: SQLite in --data
  --redis-url <url>       SIDECAST_LIBRARY_REDIS_URL     default none: locks and counters in memory
  --instance-name <name>  SIDECAST_LIBRARY_INSTANCE      default <hostname>:<pid>
  GET /healthz (alive) and GET /readyz (database, Redis, storage answer) need no token.
Removing a user removes their tokens, sessions and unfinished uploads. While they own videos it
  refuses unless told what becomes of them: --transfer-to <user> gives them to another user (the
  author shown stays the same), --delete-videos deletes them with their files.
Team settings: watchers names (default) shows a video's author who watched it and how far;
  watchers counts shows only how many people watched and how far on average, no names.
S3 storage instead of files: SIDECAST_S3_BUCKET, SIDECAST_S3_ENDPOINT, SIDECAST_S3_REGION,
  SIDECAST_S3_ACCESS_KEY_ID, SIDECAST_S3_SECRET_ACCESS_KEY, SIDECAST_S3_FORCE_PATH_STYLE=1
`

const NAME = /^[\p{L}\p{N}._@-]{1,64}$/u

function fail(message: string): never {
  console.error(message)
  process.exit(1)
}

function generatedPassword(): string {
  return crypto.randomBytes(15).toString('base64url')
}

async function serve(argv: string[]): Promise<void> {
  const config = loadConfig(argv, process.env)
  const app = await createLibraryServer(config)
  console.log(`Sidecast library: ${app.url}`)
  if (config.publicUrl !== app.url) console.log(`Public URL: ${config.publicUrl}`)
  console.log(`Data: ${config.dataDir}${config.s3 ? ` (videos in s3://${config.s3.bucket})` : ''}`)
  if (config.updatesDir) console.log(`Updates: ${config.updatesDir} (at ${app.url}/updates/)`)
  // One stop however often the signal arrives (stop-signals.ts). Installed before the first
  // await after the URL is printed: a stop asked for as soon as it is there is a clean stop.
  const onSignal = createSignalHandler({
    stop: () => app.close(),
    exit: (code) => process.exit(code),
    log: (message) => console.log(message)
  })
  process.on('SIGINT', () => onSignal('SIGINT'))
  process.on('SIGTERM', () => onSignal('SIGTERM'))
  if ((await app.library.db.listUsers()).length === 0) {
    console.log('No users yet: npm run server -- user add <name> --admin')
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/**
 * `user remove`: ids are never reused (the database's AUTOINCREMENT), and what becomes of the
 * user's videos is said, never implied: given to another user, deleted, or the removal refused.
 */
async function removeUser(
  db: LibraryDb,
  config: ServerConfig,
  name: string,
  args: ParsedArgs
): Promise<void> {
  const user = await db.getUserByName(name)
  if (!user) fail(`No user named ${name}.`)
  const transferText = args.options.get('transfer-to')
  const deleteVideos = args.options.get('delete-videos') === true
  if (transferText !== undefined && deleteVideos) {
    fail('Give either --transfer-to <user> or --delete-videos, not both.')
  }
  let transferTo: User | undefined
  if (transferText !== undefined) {
    if (transferText === true) fail('--transfer-to needs a user name')
    transferTo = (await db.getUserByName(transferText)) ?? fail(`No user named ${transferText}.`)
    if (transferTo.id === user.id) fail('--transfer-to must name another user.')
  }
  const { videos, pending } = await db.userHoldings(user.id)
  const held = videos.length + pending.length
  if (held > 0 && !transferTo && !deleteVideos) {
    const still = pending.length > 0 ? ` (${pending.length} of them still being processed)` : ''
    fail(
      `${user.name} owns ${plural(held, 'video')}${still}. Say what becomes of them:\n` +
        `  --transfer-to <user>   give them to another user\n` +
        `  --delete-videos        delete them and their files`
    )
  }
  const storage = createStorage(config)
  if (deleteVideos) {
    const library = createLibrary(db, config, storage)
    for (const id of videos) await library.deleteVideo(id)
    for (const id of pending) {
      await storage.remove(id)
      await db.deleteUpload(id)
    }
  }
  const removed = await db.removeUser(user.name, transferTo ? { transferTo: transferTo.id } : {})
  if (!removed) fail(`No user named ${name}.`)
  let failed = 0
  for (const id of removed.uploads) {
    await storage.remove(id).catch(() => failed++)
  }
  const fate = transferTo
    ? `${plural(held, 'video')} now ${held === 1 ? 'belongs' : 'belong'} to ${transferTo.name}`
    : deleteVideos
      ? `${plural(held, 'video')} deleted`
      : 'no videos'
  console.log(
    `Removed user ${user.name}: ${fate}; ${plural(removed.uploads.length, 'unfinished upload')}, ` +
      `their tokens and sessions removed.`
  )
  if (failed > 0) console.error(`${plural(failed, 'upload')} could not be deleted from storage.`)
}

async function command(argv: string[]): Promise<void> {
  const args = parseArgs(argv)
  const [group, action, name] = args.positional
  const config = loadConfig(argv, process.env)
  const db = await openLibraryDb(databaseTarget(config))
  try {
    if (group === 'user' && action === 'add') {
      if (!name || !NAME.test(name)) {
        fail('user add <name>: a name of 1–64 letters, digits, ".", "_", "@" or "-"')
      }
      if (await db.getUserByName(name)) fail(`A user named ${name} already exists.`)
      const given = args.options.get('password')
      if (given === true) fail('--password needs a value')
      const password = given ?? generatedPassword()
      if (password.length < 8) fail('The password must have at least 8 characters.')
      const admin = args.options.get('admin') === true
      await db.createUser(name, password, admin)
      console.log(`Added ${admin ? 'admin ' : ''}user ${name}.`)
      if (given === undefined) console.log(`Password: ${password}`)
    } else if (group === 'user' && action === 'list') {
      const users = await db.listUsers()
      if (users.length === 0) console.log('No users.')
      for (const u of users) {
        console.log(`${u.name}${u.admin ? ' (admin)' : ''}  created ${u.createdAt}`)
      }
    } else if (group === 'user' && action === 'remove') {
      if (!name) fail('user remove <name> [--transfer-to <user> | --delete-videos]')
      await removeUser(db, config, name, args)
    } else if (group === 'token' && action === 'create') {
      if (!name) fail('token create <name>')
      const user = await db.getUserByName(name)
      if (!user) fail(`No user named ${name}.`)
      const label = args.options.get('label')
      const { token, record } = await db.createToken(
        user.id,
        typeof label === 'string' ? label.slice(0, 100) : 'created with the CLI'
      )
      console.log(`Access token for ${user.name} (prefix ${record.prefix}); shown only once:`)
      console.log(token)
    } else if (group === 'token' && action === 'revoke') {
      if (!name) fail('token revoke <token-prefix>')
      if (!(await db.revokeToken(null, name))) {
        fail(
          `No single token starts with ${name} (give at least 4 characters, or more if several match).`
        )
      }
      console.log(`Revoked token ${name.slice(0, 8)}.`)
    } else if (group === 'settings' && action === 'show') {
      const settings = await db.teamSettings()
      console.log(`watchers ${settings.watchers}`)
    } else if (group === 'settings' && action === 'set') {
      const value = args.positional[3]
      if (name !== 'watchers' || (value !== 'counts' && value !== 'names')) {
        fail('settings set watchers counts|names')
      }
      const settings = await db.setTeamSettings({ watchers: value })
      console.log(
        `watchers ${settings.watchers}: authors see ${
          settings.watchers === 'names'
            ? 'who watched their videos and how far'
            : 'how many people watched their videos, no names'
        }.`
      )
    } else {
      fail(`Unknown command: ${args.positional.join(' ')}\n\n${HELP}`)
    }
  } finally {
    await db.close()
  }
}

/**
 * `backup <file>`: an online copy of the SQLite library through SQLite's backup API, while the
 * server may be running (its requests go on; the copy is one consistent state of the database).
 * Written beside `file` and renamed into place once complete, so `file` is never half a copy.
 * PostgreSQL is backed up with its own tools (docs/deployment.md, "Backup and restore").
 */
async function backup(argv: string[]): Promise<void> {
  const target = parseArgs(argv).positional[1]
  if (!target) fail('backup <file>: where to write the copy of the library database')
  const config = loadConfig(argv, process.env)
  if (config.databaseUrl) {
    fail(
      `The library is in PostgreSQL (${redactUrl(config.databaseUrl)}): back it up with ` +
        'pg_dump -Fc (docs/deployment.md, "Backup and restore").'
    )
  }
  const source = path.join(config.dataDir, 'library.db')
  // Relative to where npm was started, like --data.
  const file = path.resolve(baseDir(process.env), target)
  if (file === source) {
    fail(`backup ${target}: the copy must be another file, not the library's own database`)
  }
  if (!fs.existsSync(source)) fail(`No library database at ${source}.`)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const partial = `${file}.partial-${process.pid}`
  // Its own connection, no migrations: the running server's connection is untouched.
  const db = new Database(source, { fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    await db.backup(partial)
    fs.renameSync(partial, file)
  } catch (error) {
    fs.rmSync(partial, { force: true })
    throw error
  } finally {
    db.close()
  }
  const mib = (fs.statSync(file).size / (1024 * 1024)).toFixed(1)
  console.log(`Backed up ${source} to ${file} (${mib} MiB).`)
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const args = parseArgs(argv)
  if (args.options.get('help') === true) {
    console.log(HELP)
    return
  }
  if (args.positional.length === 0) await serve(argv)
  else if (args.positional[0] === 'backup') await backup(argv)
  else await command(argv)
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) fail(error.message)
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error))
})
