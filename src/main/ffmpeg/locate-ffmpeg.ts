/**
 * The app's side of the ffmpeg lookup (src/shared/ffmpeg-lookup.ts owns the order and the words):
 * Node's view of the machine, and where a packaged app keeps the bundled binaries. Nothing here
 * runs ffmpeg.
 */
import { accessSync, constants, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import {
  findOnPath as findOnSystemPath,
  lookupFfmpeg,
  type FfmpegBinary,
  type FfmpegLookup,
  type FfmpegSystem
} from '../../shared/ffmpeg-lookup'
import { unpackedAsarPath } from '../../engine/asar-path'

export type FfmpegLocation = FfmpegLookup<'setting'>

export interface BundledBinaries {
  readonly ffmpeg: string | null
  readonly ffprobe: string | null
}

export interface LocateFfmpegOptions {
  /** The user's `ffmpegPath` setting; empty means "no preference". */
  readonly settingPath: string
  /** Electron's `process.resourcesPath` in a packaged app; used to find the unpacked binaries. */
  readonly resourcesPath?: string
  /** PATH to search; defaults to `process.env.PATH`. */
  readonly pathEnv?: string
  /** Where the bundled packages put their binaries; defaults to asking the packages. Tests inject it. */
  readonly bundled?: () => BundledBinaries
  /** Defaults to `process.platform`; decides `.exe` handling. */
  readonly platform?: NodeJS.Platform
}

/** True when `file` is a regular file this process may execute. */
export function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function exeSuffix(platform: NodeJS.Platform): string {
  return platform === 'win32' ? '.exe' : ''
}

/** Node's view of the machine for the shared lookup. */
function nodeSystem(
  pathEnv: string,
  platform: NodeJS.Platform,
  bundled: (binary: FfmpegBinary) => string | null
): FfmpegSystem {
  return {
    isExecutable: isExecutableFile,
    bundled,
    pathDirs: pathEnv.split(path.delimiter),
    pathExtensions:
      platform === 'win32'
        ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean)
        : [''],
    exeSuffix: exeSuffix(platform),
    path
  }
}

/** Looks `name` up on PATH the way a shell would (PATHEXT on Windows). */
export function findOnPath(
  name: string,
  pathEnv: string,
  platform: NodeJS.Platform
): string | null {
  return findOnSystemPath(
    name,
    nodeSystem(pathEnv, platform, () => null)
  )
}

function requireBinaryPath(moduleName: string): string | null {
  try {
    const require = createRequire(import.meta.url)
    const found = require(moduleName) as { path?: unknown }
    return typeof found.path === 'string' ? found.path : null
  } catch {
    // The packages throw when their platform binary is missing; that just means "not bundled".
    return null
  }
}

function defaultBundled(
  resourcesPath: string | undefined,
  platform: NodeJS.Platform
): BundledBinaries {
  const target = `${platform}-${process.arch}`
  const fromResources = (scope: string, name: string): string | null =>
    resourcesPath
      ? path.join(
          resourcesPath,
          'app.asar.unpacked',
          'node_modules',
          scope,
          target,
          name + exeSuffix(platform)
        )
      : null
  return {
    ffmpeg:
      requireBinaryPath('@ffmpeg-installer/ffmpeg') ?? fromResources('@ffmpeg-installer', 'ffmpeg'),
    ffprobe:
      requireBinaryPath('@ffprobe-installer/ffprobe') ??
      fromResources('@ffprobe-installer', 'ffprobe')
  }
}

export function locateFfmpeg(options: LocateFfmpegOptions): FfmpegLocation {
  const platform = options.platform ?? process.platform
  let bundledCache: BundledBinaries | undefined
  const bundled = (binary: FfmpegBinary): string | null => {
    bundledCache ??= (options.bundled ?? (() => defaultBundled(options.resourcesPath, platform)))()
    const file = bundledCache[binary]
    if (!file) return null
    // The packages report the path inside app.asar, where nothing can be executed.
    const unpacked = unpackedAsarPath(file)
    return isExecutableFile(unpacked) ? unpacked : file
  }
  return lookupFfmpeg(
    { kind: 'setting', ffmpeg: options.settingPath },
    nodeSystem(options.pathEnv ?? process.env.PATH ?? '', platform, bundled)
  )
}
