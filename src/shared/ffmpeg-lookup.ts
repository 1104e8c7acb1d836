/**
 * Where ffmpeg and ffprobe are found, in one order for the app and the library server:
 *
 *   1. the explicit choice: the app's Settings › ffmpeg, the server's SIDECAST_FFMPEG and
 *      SIDECAST_FFPROBE (a chosen ffmpeg that cannot run is a problem, never a silent fallback);
 *   2. the binaries bundled with Sidecast (the @ffmpeg-installer / @ffprobe-installer packages):
 *      a known build, tested with Sidecast;
 *   3. `ffmpeg` and `ffprobe` on PATH.
 *
 * ffprobe comes from the same place as ffmpeg when it can (beside a chosen ffmpeg, the bundled
 * pair, the pair on PATH), else from the other places. Pure: each side passes what it sees of the
 * machine as an FfmpegSystem (its small Node adapter), so the order and the words of every
 * problem are written once, here.
 */

export type FfmpegBinary = 'ffmpeg' | 'ffprobe'

/** Who made the explicit choice: the user in the app's Settings, or the server's environment. */
export type FfmpegChoiceKind = 'setting' | 'env'

/** The library server's environment variables that choose the binaries. */
export const FFMPEG_ENV = 'SIDECAST_FFMPEG'
export const FFPROBE_ENV = 'SIDECAST_FFPROBE'

/** What the lookup may ask of the machine. */
export interface FfmpegSystem {
  /** True when `file` is a regular file this process may run. */
  isExecutable(file: string): boolean
  /** Where the bundled package puts the binary (its runnable copy), or null when not installed. */
  bundled(binary: FfmpegBinary): string | null
  /** PATH's folders, in order (empty entries are skipped). */
  readonly pathDirs: readonly string[]
  /** Endings tried on PATH: `['']` on Unix, PATHEXT's on Windows. */
  readonly pathExtensions: readonly string[]
  /** `.exe` on Windows, else empty. */
  readonly exeSuffix: string
  /** The platform's path functions (Node's `path` fits). */
  readonly path: {
    join(...parts: string[]): string
    dirname(file: string): string
    basename(file: string): string
  }
}

export interface FfmpegChoice<K extends FfmpegChoiceKind> {
  readonly kind: K
  /** The chosen ffmpeg; empty (or blank) for no choice. */
  readonly ffmpeg: string
  /** The chosen ffprobe; empty or absent: the one beside the chosen ffmpeg, else found as above. */
  readonly ffprobe?: string
}

/** The outcome; the app shows `ok`, `path`, `source` and `problem` in Settings. */
export interface FfmpegLookup<K extends FfmpegChoiceKind> {
  readonly ok: boolean
  readonly path: string | null
  /** Where ffmpeg was found: the explicit choice, the bundled package, or PATH. */
  readonly source: K | 'bundled' | 'path' | null
  /** What is wrong and what to do, when `ok` is false. */
  readonly problem: string | null
  readonly ffprobePath: string | null
}

/** How each kind of choice is named in a problem, and how to make one. */
function chosen(kind: FfmpegChoiceKind, binary: FfmpegBinary, file: string): string {
  return kind === 'setting'
    ? `The ${binary} set in Settings (${file}) was not found or cannot be run. Choose another file in Settings, or clear the setting to use the bundled ffmpeg.`
    : `The ${binary} named by ${binary === 'ffmpeg' ? FFMPEG_ENV : FFPROBE_ENV} (${file}) was not found or cannot be run. Correct it, or unset it to use the bundled ${binary}.`
}

function nothingFound(kind: FfmpegChoiceKind): string {
  const choose =
    kind === 'setting' ? 'choose its file in Settings' : `set ${FFMPEG_ENV} to its path`
  return `ffmpeg was not found: the bundled copy is missing and there is none on PATH. Install ffmpeg, or ${choose}.`
}

/** Looks `name` up on PATH the way a shell would. */
export function findOnPath(name: string, system: FfmpegSystem): string | null {
  for (const dir of system.pathDirs) {
    if (!dir) continue
    for (const ext of system.pathExtensions) {
      const candidate = system.path.join(dir, name + ext)
      if (system.isExecutable(candidate)) return candidate
    }
  }
  return null
}

/** The ffprobe beside a chosen ffmpeg: `my-ffmpeg-7` pairs with `my-ffprobe-7`. */
function siblingFfprobe(ffmpeg: string, system: FfmpegSystem): string {
  const name = system.path.basename(ffmpeg)
  return system.path.join(
    system.path.dirname(ffmpeg),
    /ffmpeg/i.test(name) ? name.replace(/ffmpeg/i, 'ffprobe') : `ffprobe${system.exeSuffix}`
  )
}

export function lookupFfmpeg<K extends FfmpegChoiceKind>(
  choice: FfmpegChoice<K>,
  system: FfmpegSystem
): FfmpegLookup<K> {
  type Source = FfmpegLookup<K>['source']
  const usable = (file: string | null): string | null =>
    file && system.isExecutable(file) ? file : null
  const bundled = (binary: FfmpegBinary): string | null => usable(system.bundled(binary))
  const onPath = (binary: FfmpegBinary): string | null => findOnPath(binary, system)
  const problem = (message: string, path: string | null, source: Source): FfmpegLookup<K> => ({
    ok: false,
    path,
    source,
    problem: message,
    ffprobePath: null
  })

  const chosenFfprobe = choice.ffprobe?.trim() ?? ''
  if (chosenFfprobe && !system.isExecutable(chosenFfprobe)) {
    return problem(chosen(choice.kind, 'ffprobe', chosenFfprobe), null, choice.kind)
  }
  const found = (path: string, source: Source, ffprobe: () => string | null): FfmpegLookup<K> => {
    const ffprobePath = chosenFfprobe || ffprobe()
    return ffprobePath
      ? { ok: true, path, source, problem: null, ffprobePath }
      : problem(
          `ffmpeg was found (${path}) but ffprobe was not. Put ffprobe next to it or on PATH.`,
          path,
          source
        )
  }

  const chosenFfmpeg = choice.ffmpeg.trim()
  if (chosenFfmpeg) {
    if (!system.isExecutable(chosenFfmpeg)) {
      return problem(chosen(choice.kind, 'ffmpeg', chosenFfmpeg), null, choice.kind)
    }
    // A chosen ffmpeg usually has its own ffprobe beside it; prefer that matching pair.
    return found(
      chosenFfmpeg,
      choice.kind,
      () => usable(siblingFfprobe(chosenFfmpeg, system)) ?? bundled('ffprobe') ?? onPath('ffprobe')
    )
  }
  const bundledFfmpeg = bundled('ffmpeg')
  if (bundledFfmpeg) {
    return found(bundledFfmpeg, 'bundled', () => bundled('ffprobe') ?? onPath('ffprobe'))
  }
  const pathFfmpeg = onPath('ffmpeg')
  if (pathFfmpeg) {
    return found(pathFfmpeg, 'path', () => onPath('ffprobe') ?? bundled('ffprobe'))
  }
  return problem(nothingFound(choice.kind), null, null)
}
