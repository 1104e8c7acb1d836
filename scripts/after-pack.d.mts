/** Types of after-pack.mjs (electron-builder's afterPack hook), for its tests. */
export declare const BINARY_PACKAGES: readonly { readonly scope: string; readonly binary: string }[]
export declare const EXECUTABLE_MODE: number
export declare function resourcesDir(
  appOutDir: string,
  platformName: string,
  productFilename: string
): string
export declare function findBundledBinaries(resources: string): Promise<string[]>
export declare function makeBundledBinariesExecutable(resources: string): Promise<string[]>
export interface AfterPackContext {
  readonly appOutDir: string
  readonly electronPlatformName: string
  /** electron-builder's Arch enum: 0 ia32, 1 x64, 2 armv7l, 3 arm64, 4 universal. */
  readonly arch: number
  readonly packager: {
    readonly projectDir: string
    readonly appInfo: { readonly productFilename: string }
  }
}
export declare function assertPackageContents(resources: string, context: AfterPackContext): number
export default function afterPack(context: AfterPackContext): Promise<void>
