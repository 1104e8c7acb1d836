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
export default function afterPack(context: {
  readonly appOutDir: string
  readonly electronPlatformName: string
  readonly packager: { readonly appInfo: { readonly productFilename: string } }
}): Promise<void>
