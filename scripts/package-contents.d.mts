/** Types of package-contents.mjs (what a packaged Sidecast must and must not hold), for its tests. */
export declare const TOP_LEVEL: readonly string[]
export declare const REQUIRED_PACKED: readonly string[]
export declare const FONT_FILES: readonly string[]
export declare const RUNTIME_REQUIRES: readonly string[]
export declare const NEVER_PACKAGED: readonly string[]
export declare const MAX_ASAR_BYTES: number
export declare function nodeArch(builderArch: string): string
export declare function nodePlatform(electronPlatformName: string): string
export declare function nativeFiles(
  platform: string,
  arch: string
): { readonly ffmpeg: string; readonly ffprobe: string; readonly resvgPackagePrefix: string }
export interface AsarEntry {
  /** Relative to the archive, with `/`. */
  readonly path: string
  readonly dir: boolean
  readonly size: number
  /** The file is in app.asar.unpacked, not in the archive. */
  readonly unpacked: boolean
}
export declare function asarEntries(asarPath: string): AsarEntry[]
export declare function packageOf(specifier: string): string | null
export declare function importedPackages(source: string): string[]
export declare function checkPackagedApp(options: {
  readonly resources: string
  readonly platform: string
  readonly arch: string | null
  readonly projectDir?: string
}): { problems: string[]; entries: AsarEntry[]; asarBytes: number }
