/**
 * What a packaged Sidecast must hold and must not hold, checked on the real thing: the app.asar
 * electron-builder wrote (its header, read with @electron/asar) and the files in
 * app.asar.unpacked. The afterPack hook (after-pack.mjs) runs it on every build, on every OS, so an
 * installer with a missing ffmpeg, font or native addon, or with the library server, tests or
 * sources in it, is never made; tests/e2e/package-listing.test.ts runs it on a real Linux build.
 *
 * Plain JavaScript (no TypeScript) because electron-builder imports the hook as it is.
 */
import { readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
import asar from '@electron/asar'

/** The only top-level entries of app.asar: the build, the runtime resources, the manifest, packages. */
export const TOP_LEVEL = Object.freeze(['node_modules', 'out', 'package.json', 'resources'])

/** Files the app cannot start or work without, inside app.asar (not unpacked). */
export const REQUIRED_PACKED = Object.freeze([
  'package.json',
  'out/main/index.js',
  'out/preload/index.cjs',
  'out/renderer/index.html'
])

/** The callout font files (src/engine/callout-raster.ts CALLOUT_FONT_FILES), read by resvg. */
export const FONT_FILES = Object.freeze(['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'])

/** Packages main loads by name at runtime (createRequire in src/main/ffmpeg/locate-ffmpeg.ts). */
export const RUNTIME_REQUIRES = Object.freeze([
  '@ffmpeg-installer/ffmpeg',
  '@ffprobe-installer/ffprobe'
])

/**
 * Packages that must never be in the app, whatever the dependency tree says: the library server
 * (an npm workspace) and its dependencies, Electron itself, and the build and test tools.
 */
export const NEVER_PACKAGED = Object.freeze([
  '@sidecast/server',
  '@tus/server',
  '@tus/file-store',
  '@tus/s3-store',
  '@aws-sdk/client-s3',
  'better-sqlite3',
  'electron',
  'electron-builder',
  'app-builder-lib',
  'electron-vite',
  'vite',
  'vitest',
  'playwright-core',
  '@doyensec/electronegativity',
  'typescript',
  'esbuild',
  'tsx',
  'eslint',
  'prettier'
])

/**
 * app.asar's size limit. Today it is about 7 MB (the build and some 80 small packages); a stray
 * node_modules folder, the server's packages or a video would be tens or hundreds of MB.
 */
export const MAX_ASAR_BYTES = 20 * 1024 * 1024

/** Node's name for an electron-builder arch (its Arch enum's names). */
export function nodeArch(builderArch) {
  return builderArch === 'armv7l' ? 'arm' : builderArch
}

/** The npm platform for an electron-builder platform name (`mas` is macOS too). */
export function nodePlatform(electronPlatformName) {
  return electronPlatformName === 'mas' ? 'darwin' : electronPlatformName
}

/**
 * Where the bundled binaries and resvg's addon sit for one platform and arch, relative to the app
 * (inside app.asar.unpacked): the installer packages name theirs `<platform>-<arch>`, resvg's
 * addon packages `resvg-js-<platform>-<arch>[-<libc or abi>]`.
 */
export function nativeFiles(platform, arch) {
  const exe = platform === 'win32' ? '.exe' : ''
  return {
    ffmpeg: `node_modules/@ffmpeg-installer/${platform}-${arch}/ffmpeg${exe}`,
    ffprobe: `node_modules/@ffprobe-installer/${platform}-${arch}/ffprobe${exe}`,
    resvgPackagePrefix: `node_modules/@resvg/resvg-js-${platform}-${arch}`
  }
}

/**
 * Every entry in an asar archive's header, depth first: `path` relative to the archive with `/`,
 * `dir`, `size` (files), `unpacked` (the file is in app.asar.unpacked, not in the archive).
 */
export function asarEntries(asarPath) {
  asar.uncache(asarPath)
  const { header } = asar.getRawHeader(asarPath)
  asar.uncache(asarPath)
  const entries = []
  const walk = (node, prefix) => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      const path = prefix ? `${prefix}/${name}` : name
      if (child.files) {
        entries.push({ path, dir: true, size: 0, unpacked: false })
        walk(child, path)
      } else {
        entries.push({
          path,
          dir: false,
          size: child.link ? 0 : Number(child.size ?? 0),
          unpacked: child.unpacked === true
        })
      }
    }
  }
  walk(header, '')
  return entries
}

/** The package a bare import specifier names (`a/b` → `a`, `@s/a/b` → `@s/a`); null for others. */
export function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':')) return null
  const parts = specifier.split('/')
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
  if (!name || builtinModules.includes(name) || name === 'electron') return null
  return name
}

/** The packages a built bundle imports or requires by name (static imports, import(), require()). */
export function importedPackages(source) {
  const found = new Set()
  const patterns = [
    /\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g
  ]
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) {
      const name = packageOf(match[1])
      if (name) found.add(name)
    }
  }
  return [...found].sort()
}

/** `node_modules/a/node_modules/@s/b/x.js` → the innermost package folder, `node_modules/a/node_modules/@s/b`. */
function packageDirOf(path) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)(?:\/|$)/.exec(path)
  return match ? match[1] : null
}

function packageNameOfDir(dir) {
  return dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length)
}

/** Where Node would find `name` from a package folder: its own node_modules, then each parent's. */
function resolvePackageDir(fromDir, name, dirs) {
  let base = fromDir
  for (;;) {
    const candidate = `${base}/node_modules/${name}`
    if (dirs.has(candidate)) return candidate
    const up = base.lastIndexOf('/node_modules/')
    if (up < 0) break
    base = base.slice(0, up)
  }
  return dirs.has(`node_modules/${name}`) ? `node_modules/${name}` : null
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'))
}

function isFile(path) {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * Checks a packaged app's resources folder. Returns the problems found (empty when the package is
 * right) and what it saw. `platform` and `arch` are Node's names (`linux`, `x64`); `arch` null
 * skips the per-arch files (a universal macOS build merges two that were each checked).
 * `projectDir` is where package.json and server/package.json are, for the packages never to ship.
 */
export function checkPackagedApp({ resources, platform, arch, projectDir }) {
  const problems = []
  const asarPath = join(resources, 'app.asar')
  const unpackedDir = join(resources, 'app.asar.unpacked')
  if (!isFile(asarPath)) {
    return { problems: [`no app.asar in ${resources}`], entries: [], asarBytes: 0 }
  }
  const entries = asarEntries(asarPath)
  const byPath = new Map(entries.map((e) => [e.path, e]))
  const asarBytes = statSync(asarPath).size

  // What the app needs, packed in the archive.
  for (const file of REQUIRED_PACKED) {
    const entry = byPath.get(file)
    if (!entry || entry.dir) problems.push(`missing from app.asar: ${file}`)
    else if (entry.unpacked) problems.push(`${file} is unpacked; it belongs inside app.asar`)
  }
  const manifest = byPath.has('package.json')
    ? JSON.parse(asar.extractFile(asarPath, 'package.json').toString('utf8'))
    : {}
  if (manifest.main && !byPath.has(manifest.main.replace(/^\.\//, ''))) {
    problems.push(`package.json's main (${manifest.main}) is not in app.asar`)
  }

  // Only the build, the runtime resources, the manifest and packages.
  for (const entry of entries) {
    const top = entry.path.split('/')[0]
    if (!TOP_LEVEL.includes(top)) problems.push(`not part of the app: ${entry.path}`)
    if (top === 'out' && !/^out(\/(main|preload|renderer)(\/.*)?)?$/.test(entry.path)) {
      problems.push(`not part of the build: ${entry.path}`)
    }
    if (top === 'resources' && !/^resources(\/[^/]+\.png|\/fonts(\/.*)?)?$/.test(entry.path)) {
      problems.push(`not a runtime resource: ${entry.path}`)
    }
    if (!entry.dir && /\.(ts|tsx|mts|cts|map)$/.test(entry.path)) {
      problems.push(`source or source map in app.asar: ${entry.path}`)
    }
  }

  // Unpacked, on disk: the fonts, ffmpeg and ffprobe, resvg's addon.
  const unpacked = (relative) => {
    const entry = byPath.get(relative)
    if (!entry?.unpacked) {
      problems.push(`not unpacked from app.asar: ${relative}`)
      return false
    }
    if (!isFile(join(unpackedDir, relative))) {
      problems.push(`missing in app.asar.unpacked: ${relative}`)
      return false
    }
    return true
  }
  for (const font of FONT_FILES) unpacked(`resources/fonts/${font}`)
  if (arch) {
    const files = nativeFiles(platform, arch)
    for (const binary of [files.ffmpeg, files.ffprobe]) {
      if (unpacked(binary) && platform !== 'win32') {
        const mode = statSync(join(unpackedDir, binary)).mode & 0o777
        if (mode !== 0o755) problems.push(`${binary} has mode ${mode.toString(8)}, not 755`)
      }
    }
    const addons = entries.filter(
      (e) => e.path.startsWith(`${files.resvgPackagePrefix}`) && e.path.endsWith('.node')
    )
    if (addons.length === 0) {
      problems.push(`no resvg addon for ${platform}-${arch} (${files.resvgPackagePrefix}*/*.node)`)
    }
    for (const addon of addons) unpacked(addon.path)
  }

  // The packages: each one the bundles import is there, each packaged one has its dependencies,
  // and nothing from the server, Electron or the tools.
  const packageDirs = new Set(
    entries
      .filter((e) => !e.dir && /(^|\/)node_modules\/(@[^/]+\/)?[^/]+\/package\.json$/.test(e.path))
      .map((e) => e.path.slice(0, -'/package.json'.length))
  )
  const halfPackages = new Set()
  for (const entry of entries) {
    const dir = packageDirOf(entry.path)
    if (!dir || entry.path === dir || packageDirs.has(dir) || halfPackages.has(dir)) continue
    if (dir.endsWith('/.bin') || dir.split('/').pop().startsWith('@')) continue
    problems.push(`package folder without package.json: ${dir}`)
    halfPackages.add(dir)
  }
  const packageJsonOf = (dir) =>
    JSON.parse(asar.extractFile(asarPath, `${dir}/package.json`).toString('utf8'))
  const bundles = ['out/main/index.js', 'out/preload/index.cjs'].filter((f) => byPath.has(f))
  const imported = new Set(RUNTIME_REQUIRES)
  for (const bundle of bundles) {
    for (const name of importedPackages(asar.extractFile(asarPath, bundle).toString('utf8'))) {
      imported.add(name)
    }
  }
  for (const name of [...imported].sort()) {
    if (!packageDirs.has(`node_modules/${name}`)) {
      problems.push(`imported by the app but not packaged: ${name}`)
    }
  }
  const needed = new Set()
  for (const dir of [...packageDirs].sort()) {
    const pkg = packageJsonOf(dir)
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      needed.add(dep)
      if (!resolvePackageDir(dir, dep, packageDirs)) {
        problems.push(`${packageNameOfDir(dir)} depends on ${dep}, which is not packaged`)
      }
    }
    for (const dep of Object.keys({ ...pkg.optionalDependencies, ...pkg.peerDependencies })) {
      needed.add(dep)
    }
  }
  const forbidden = new Set(NEVER_PACKAGED)
  if (projectDir) {
    // The server's dependencies and the app's devDependencies, unless a packaged package needs one
    // (electron-store needs conf, a devDependency too).
    const root = readJson(join(projectDir, 'package.json'))
    const server = isFile(join(projectDir, 'server', 'package.json'))
      ? readJson(join(projectDir, 'server', 'package.json'))
      : {}
    for (const name of [
      ...Object.keys(root.devDependencies ?? {}),
      ...Object.keys(server.dependencies ?? {}),
      ...(server.name ? [server.name] : [])
    ]) {
      if (!needed.has(name) && !(root.dependencies ?? {})[name]) forbidden.add(name)
    }
  }
  for (const dir of [...packageDirs].sort()) {
    const name = packageNameOfDir(dir)
    if (forbidden.has(name)) problems.push(`must not be packaged: ${dir}`)
  }

  if (asarBytes > MAX_ASAR_BYTES) {
    problems.push(
      `app.asar is ${(asarBytes / 1e6).toFixed(1)} MB, over the ${MAX_ASAR_BYTES / 1024 / 1024} MiB limit: something that is not the app went in`
    )
  }
  return { problems, entries, asarBytes }
}
