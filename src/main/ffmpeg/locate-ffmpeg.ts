/**
 * Finds the ffmpeg and ffprobe binaries: the user's setting first, then the bundled
 * `@ffmpeg-installer` / `@ffprobe-installer` packages, then PATH. Nothing here runs ffmpeg.
 */
import { accessSync, constants, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, delimiter, dirname, join } from 'node:path'
import type { FfmpegStatus } from '../../shared/ipc'

export type FfmpegLocation = FfmpegStatus & { readonly ffprobePath: string | null }

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

/**
 * Binaries inside `app.asar` cannot be executed; electron-builder's `asarUnpack` puts them in
 * `app.asar.unpacked`, but the packages still report the asar path.
 */
export function unpackedAsarPath(file: string): string {
  return file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2')
}

function exeName(name: string, platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${name}.exe` : name
}

/** Looks `name` up on PATH the way a shell would (PATHEXT on Windows). */
export function findOnPath(
  name: string,
  pathEnv: string,
  platform: NodeJS.Platform
): string | null {
  const extensions =
    platform === 'win32'
      ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean)
      : ['']
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue
    for (const ext of extensions) {
      const candidate = join(dir, name + ext)
      if (isExecutableFile(candidate)) return candidate
    }
  }
  return null
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
      ? join(
          resourcesPath,
          'app.asar.unpacked',
          'node_modules',
          scope,
          target,
          exeName(name, platform)
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

function usable(file: string | null): string | null {
  if (!file) return null
  const unpacked = unpackedAsarPath(file)
  if (isExecutableFile(unpacked)) return unpacked
  return isExecutableFile(file) ? file : null
}

export function locateFfmpeg(options: LocateFfmpegOptions): FfmpegLocation {
  const platform = options.platform ?? process.platform
  const pathEnv = options.pathEnv ?? process.env.PATH ?? ''
  let bundledCache: BundledBinaries | undefined
  const bundled = (): BundledBinaries =>
    (bundledCache ??= (
      options.bundled ?? (() => defaultBundled(options.resourcesPath, platform))
    )())
  const bundledFfprobe = (): string | null => usable(bundled().ffprobe)
  const pathFfprobe = (): string | null => findOnPath('ffprobe', pathEnv, platform)

  const located = (
    path: string,
    source: 'setting' | 'bundled' | 'path',
    ffprobePath: string | null
  ): FfmpegLocation =>
    ffprobePath
      ? { ok: true, path, source, problem: null, ffprobePath }
      : {
          ok: false,
          path,
          source,
          problem: `ffmpeg was found (${path}) but ffprobe was not. Put ffprobe next to it or on PATH.`,
          ffprobePath: null
        }

  const setting = options.settingPath.trim()
  if (setting) {
    if (!isExecutableFile(setting)) {
      return {
        ok: false,
        path: null,
        source: 'setting',
        problem: `The ffmpeg set in Settings (${setting}) was not found or cannot be run. Choose another file in Settings, or clear the setting to use the bundled ffmpeg.`,
        ffprobePath: null
      }
    }
    // A user-chosen ffmpeg usually has its own ffprobe beside it; prefer that matching pair.
    const name = basename(setting)
    const sibling = join(
      dirname(setting),
      /ffmpeg/i.test(name) ? name.replace(/ffmpeg/i, 'ffprobe') : exeName('ffprobe', platform)
    )
    const siblingProbe = isExecutableFile(sibling) ? sibling : null
    return located(setting, 'setting', siblingProbe ?? bundledFfprobe() ?? pathFfprobe())
  }

  const bundledFfmpeg = usable(bundled().ffmpeg)
  if (bundledFfmpeg) return located(bundledFfmpeg, 'bundled', bundledFfprobe() ?? pathFfprobe())

  const onPath = findOnPath('ffmpeg', pathEnv, platform)
  if (onPath) return located(onPath, 'path', pathFfprobe() ?? bundledFfprobe())

  return {
    ok: false,
    path: null,
    source: null,
    problem:
      'ffmpeg was not found: the bundled copy is missing and there is none on PATH. Install ffmpeg, or choose its file in Settings.',
    ffprobePath: null
  }
}
