/** Types of pack-check.mjs (a real electron-builder --linux dir with a stand-in Electron), for its tests. */
export declare const PROJECT_DIR: string
export declare const ELECTRON_DEFAULT_FUSES: string
export declare function writeFakeElectronDist(dir: string): Promise<string>
export declare function readFuses(executable: string): Promise<Record<string, boolean | null>>
export declare function packWithFakeElectron(options: {
  readonly workDir: string
  readonly projectDir?: string
  /** electron-builder is killed after this long (default 240 s). */
  readonly timeoutMs?: number
}): Promise<{ appOutDir: string; resources: string; executable: string; log: string }>
