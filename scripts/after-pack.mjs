/**
 * electron-builder's afterPack hook: makes the bundled ffmpeg and ffprobe executable for everyone,
 * then checks what the package holds (package-contents.mjs) and fails the build on any problem.
 *
 * The npm packages ship their binaries with whatever mode the publisher had (ffprobe's is 0744:
 * only the owner may run it), and electron-builder keeps it. Installed by a .deb as root, that
 * ffprobe could not be run by the user at all, so finishing a recording failed. Runs after the app
 * is laid out in `appOutDir` and before it is signed and put into an installer.
 */
import { chmod, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { checkPackagedApp, nodeArch, nodePlatform } from './package-contents.mjs'

/** The packages whose binaries Sidecast runs (asarUnpack keeps them outside app.asar). */
export const BINARY_PACKAGES = Object.freeze([
  { scope: '@ffmpeg-installer', binary: 'ffmpeg' },
  { scope: '@ffprobe-installer', binary: 'ffprobe' }
])

export const EXECUTABLE_MODE = 0o755

/** The packaged app's resources folder: `<name>.app/Contents/Resources` on macOS, else `resources`. */
export function resourcesDir(appOutDir, platformName, productFilename) {
  return platformName === 'darwin' || platformName === 'mas'
    ? join(appOutDir, `${productFilename}.app`, 'Contents', 'Resources')
    : join(appOutDir, 'resources')
}

async function isFile(path) {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

/** Every bundled binary under `resources`: `app.asar.unpacked/node_modules/<scope>/<platform>/<binary>[.exe]`. */
export async function findBundledBinaries(resources) {
  const found = []
  for (const { scope, binary } of BINARY_PACKAGES) {
    const scopeDir = join(resources, 'app.asar.unpacked', 'node_modules', scope)
    const packages = await readdir(scopeDir).catch(() => [])
    for (const name of packages.sort()) {
      for (const file of [binary, `${binary}.exe`]) {
        const path = join(scopeDir, name, file)
        if (await isFile(path)) found.push(path)
      }
    }
  }
  return found
}

/**
 * Sets 0755 on every bundled binary under `resources`; returns their paths. Throws when there is
 * none: then asarUnpack or the files filters dropped them and the app would have no ffmpeg of
 * its own.
 */
export async function makeBundledBinariesExecutable(resources) {
  const binaries = await findBundledBinaries(resources)
  const names = new Set(
    binaries.map((path) =>
      path
        .replace(/\.exe$/, '')
        .split(/[\\/]/)
        .pop()
    )
  )
  const missing = BINARY_PACKAGES.filter(({ binary }) => !names.has(binary))
  if (missing.length > 0) {
    throw new Error(
      `No bundled ${missing.map((m) => m.binary).join(' or ')} under ${join(resources, 'app.asar.unpacked', 'node_modules')}: check asarUnpack and the files filters in electron-builder.yml.`
    )
  }
  for (const path of binaries) await chmod(path, EXECUTABLE_MODE)
  return binaries
}

/** electron-builder's Arch enum, by value (builder-util's `Arch`). */
const BUILDER_ARCHES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal']

/**
 * Throws with every problem package-contents.mjs finds in the packaged app. Only reads: the
 * archive's hash is already in the app, so app.asar must not change after this point.
 */
export function assertPackageContents(resources, context) {
  const builderArch = BUILDER_ARCHES[context.arch] ?? String(context.arch)
  const arch = builderArch === 'universal' ? null : nodeArch(builderArch)
  const { problems, asarBytes } = checkPackagedApp({
    resources,
    platform: nodePlatform(context.electronPlatformName),
    arch,
    projectDir: context.packager.projectDir
  })
  if (problems.length > 0) {
    throw new Error(
      `The packaged app is not right (electron-builder.yml files/asarUnpack, or the dependencies):\n  - ${problems.join('\n  - ')}`
    )
  }
  return asarBytes
}

/** The hook electron-builder calls (`afterPack` in electron-builder.yml). */
export default async function afterPack(context) {
  const resources = resourcesDir(
    context.appOutDir,
    context.electronPlatformName,
    context.packager.appInfo.productFilename
  )
  const binaries = await makeBundledBinariesExecutable(resources)
  console.log(`  • afterPack: made executable (0755): ${binaries.join(', ')}`)
  const asarBytes = assertPackageContents(resources, context)
  console.log(
    `  • afterPack: package contents checked, app.asar ${(asarBytes / 1e6).toFixed(1)} MB`
  )
}
