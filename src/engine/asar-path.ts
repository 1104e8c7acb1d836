/**
 * Files a packaged app must reach outside `app.asar`: executables (ffmpeg) cannot run from inside
 * the archive, and resvg reads fonts with its own file code. electron-builder's `asarUnpack`
 * copies them to `app.asar.unpacked`, but paths computed from modules still point into the archive.
 */

/** `file` with its `app.asar` folder swapped for `app.asar.unpacked`; other paths unchanged. */
export function unpackedAsarPath(file: string): string {
  return file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2')
}
