/**
 * Where the library's ffmpeg and ffprobe are, found as the app finds them
 * (src/shared/ffmpeg-lookup.ts): the chosen binaries (SIDECAST_FFMPEG / SIDECAST_FFPROBE, read
 * into the configuration), then the @ffmpeg-installer / @ffprobe-installer packages, then PATH.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import {
  findOnPath,
  lookupFfmpeg,
  type FfmpegBinary,
  type FfmpegSystem
} from '../../../src/shared/ffmpeg-lookup'

const PACKAGES: Record<FfmpegBinary, string> = {
  ffmpeg: '@ffmpeg-installer/ffmpeg',
  ffprobe: '@ffprobe-installer/ffprobe'
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

function fromPackage(binary: FfmpegBinary): string | null {
  try {
    const require = createRequire(import.meta.url)
    const found = require(PACKAGES[binary]) as { path?: unknown }
    return typeof found.path === 'string' ? found.path : null
  } catch {
    // The packages throw when their platform binary is missing: not bundled.
    return null
  }
}

/** Node's view of the machine for the shared lookup. */
function nodeSystem(env: NodeJS.ProcessEnv): FfmpegSystem {
  const windows = process.platform === 'win32'
  return {
    isExecutable,
    bundled: fromPackage,
    pathDirs: (env.PATH ?? '').split(path.delimiter),
    pathExtensions: windows ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean) : [''],
    exeSuffix: windows ? '.exe' : '',
    path
  }
}

const warned = new Set<string>()

export interface ChosenTools {
  ffmpeg: string | null
  ffprobe: string | null
}

/**
 * The binaries to run. When the lookup finds none, the chosen or bare name is still returned, so
 * the run fails and the upload is refused as "not a video ffprobe can read"; the reason is logged
 * once.
 */
export function locateTools(
  chosen: ChosenTools,
  env: NodeJS.ProcessEnv = process.env
): Record<FfmpegBinary, string> {
  const choice = { ffmpeg: chosen.ffmpeg ?? '', ffprobe: chosen.ffprobe ?? '' }
  const found = lookupFfmpeg({ kind: 'env', ...choice }, nodeSystem(env))
  if (found.problem && !warned.has(found.problem)) {
    warned.add(found.problem)
    console.error(`[sidecast] ${found.problem}`)
  }
  return {
    ffmpeg: found.path ?? (choice.ffmpeg.trim() || 'ffmpeg'),
    ffprobe: found.ffprobePath ?? (choice.ffprobe.trim() || 'ffprobe')
  }
}

/** util-linux's `prlimit` on PATH (Linux only), to cap a run's address space; else null. */
export function findPrlimit(env: NodeJS.ProcessEnv = process.env): string | null {
  if (process.platform !== 'linux') return null
  return findOnPath('prlimit', nodeSystem(env))
}
