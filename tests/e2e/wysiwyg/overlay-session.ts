/**
 * The page both WYSIWYG test files drive: the real CalloutOverlay in headless Chromium over a
 * frame of a generated, desktop-like recording, with helpers to mount annotations and read what
 * the overlay reported.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { Annotation, Bubble } from '../../../src/shared/edits'
import type { CameraFacts, CameraSummary, RecordingFacts } from '../../../src/shared/project'
import { chromiumPath } from '../../support/chromium'
import { testFfmpeg } from '../../integration/helpers/media-fixtures'
import { framePng } from './images'
import { startOverlayPage, type OverlayPage } from './page'
import { throttleCpuForStress } from '../cpu-throttle'
import { waitUntil } from '../wait-until'

export const run = promisify(execFile)
export const tools = testFfmpeg()
export const FRAME = { width: 640, height: 360 }
export const DURATION_MS = 3000
export const AT_MS = 1500
export const ALL_TIME = { startMs: 0, endMs: DURATION_MS }

export function facts(camera?: CameraFacts): RecordingFacts {
  return {
    ...(camera ? { camera } : {}),
    version: 1,
    id: 'wysiwyg',
    status: 'complete',
    title: 'WYSIWYG',
    createdAt: '2026-11-29T10:00:00.000Z',
    sourceName: 'Generated',
    file: 'recording.mkv',
    container: 'mkv',
    mimeType: 'video/x-matroska',
    videoCodec: 'h264',
    audioCodec: null,
    width: FRAME.width,
    height: FRAME.height,
    durationMs: DURATION_MS
  }
}

/**
 * A still, desktop-like picture: flat areas (a background, a light window with text-like bars,
 * a dark panel) and two finely gridded areas where the blur cases need detail to hide.
 */
export async function makeSource(dir: string): Promise<string> {
  const file = join(dir, 'recording.mkv')
  const still = `r=30:d=${DURATION_MS / 1000}`
  const graph = [
    `color=c=0x4a6fa5:s=${FRAME.width}x${FRAME.height}:${still}[bg]`,
    `color=c=0xf4f1ea:s=300x120:${still},` +
      [30, 50, 70, 90]
        .map((y) => `drawbox=x=16:y=${y}:w=${200 - y}:h=6:c=0x3a3f47:t=fill`)
        .join(',') +
      '[window]',
    `color=c=0x20262e:s=200x90:${still}[panel]`,
    `color=c=0xe9edf2:s=256x180:${still},drawgrid=w=8:h=8:t=1:c=0x30343a@0.9[grid1]`,
    `color=c=0x20262e:s=256x144:${still},drawgrid=w=6:h=6:t=1:c=0x9ab0c8@0.8[grid2]`,
    '[bg][window]overlay=320:20[s1]',
    '[s1][panel]overlay=40:240[s2]',
    '[s2][grid1]overlay=64:36[s3]',
    '[s3][grid2]overlay=352:180[out]'
  ].join(';')
  // prettier-ignore
  await run(tools.ffmpegPath, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-filter_complex', graph, '-map', '[out]',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '30',
    file
  ], { timeout: 60_000 })
  return file
}

/** The camera recording's two colours: its left half and its right half. */
export const CAMERA_LEFT = { r: 0xe0, g: 0x5a, b: 0x3c }
export const CAMERA_RIGHT = { r: 0x3c, g: 0xb4, b: 0xe0 }
/** Where the camera's first frame falls on the recording's clock. */
export const CAMERA_OFFSET_MS = 400
const CAMERA_SECONDS = 2.4

/**
 * A flat-coloured 4:3 camera recording (VP8 WebM, as the app records it): the left half one
 * colour, the right half another, so a mirrored or badly cropped bubble shows. Returns its facts
 * (the length as ffprobe reads it).
 */
export async function makeCamera(dir: string): Promise<CameraFacts> {
  const file = join(dir, 'camera.webm')
  const hex = (c: { r: number; g: number; b: number }): string =>
    `0x${[c.r, c.g, c.b].map((v) => v.toString(16).padStart(2, '0')).join('')}`
  // prettier-ignore
  await run(tools.ffmpegPath, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i',
    `color=c=${hex(CAMERA_LEFT)}:s=320x240:r=30:d=${CAMERA_SECONDS},` +
      `drawbox=x=160:y=0:w=160:h=240:c=${hex(CAMERA_RIGHT)}:t=fill`,
    '-c:v', 'libvpx', '-deadline', 'good', '-b:v', '1M', '-pix_fmt', 'yuv420p',
    file
  ], { timeout: 60_000 })
  // prettier-ignore
  const probe = await run(tools.ffprobePath, [
    '-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file
  ], { timeout: 30_000 })
  const durationMs = Math.round(Number(probe.stdout.trim()) * 1000)
  if (!(durationMs > 0)) throw new Error(`ffprobe gave no length for the camera: ${probe.stdout}`)
  return {
    file: 'camera.webm',
    container: 'webm',
    mimeType: 'video/webm;codecs=vp8',
    deviceName: 'Generated camera',
    offsetMs: CAMERA_OFFSET_MS,
    videoCodec: 'vp8',
    width: 320,
    height: 240,
    durationMs
  }
}

/** The camera as the editor gets it (ProjectSummary.camera), played from `url`. */
export function cameraSummary(camera: CameraFacts, url: string): CameraSummary {
  return {
    url,
    offsetMs: camera.offsetMs,
    durationMs: camera.durationMs ?? null,
    width: camera.width ?? null,
    height: camera.height ?? null,
    offRanges: camera.offRanges ?? [],
    endedBecause: null
  }
}

export interface MountConfig {
  readonly annotations: readonly Annotation[]
  /** Shows the camera bubble: the camera, and the placed bubble (absent: the default). */
  readonly bubble?: { readonly camera: CameraSummary; readonly bubble?: Bubble }
  readonly tool?: string
  readonly inspector?: boolean
  readonly size?: { width: number; height: number }
  readonly currentMs?: number
}

// Browser-side names used inside page.evaluate callbacks (this project compiles without the DOM lib).
declare const window: OverlayWindow

export interface OverlayWindow {
  sidecastOverlayPage: {
    mount(config: unknown): Promise<boolean>
    state(): PageState | null
    calls(): PageCall[]
    setTool(tool: string): Promise<void>
    /** Holds requestAnimationFrame callbacks back, as a busy machine's late frames. */
    holdFrames(): void
    /** Lets the held callbacks run; resolves once they have. */
    releaseFrames(): Promise<void>
  }
}

export interface PageState {
  readonly annotations: Annotation[]
  readonly selectedIds: string[]
  readonly tool: string
  readonly defaults: Record<string, Record<string, unknown>>
  /** The bubble as placed (null: never changed, the default shows). */
  readonly bubble: Bubble | null
  readonly bubbleSelected: boolean
}

export type PageCall =
  | { call: 'select'; ids: string[] }
  | { call: 'create'; draft: Record<string, unknown> }
  | {
      call: 'change' | 'style'
      phase: 'preview' | 'commit'
      changes: { id: string; patch: Record<string, unknown> }[]
    }
  | { call: 'toolDone' }
  | { call: 'cancelGesture' }
  | { call: 'discard'; id: string }
  | { call: 'defaults'; defaults: Record<string, Record<string, unknown>> }
  | { call: 'selectBubble' }
  | { call: 'bubble'; phase: 'preview' | 'commit'; bubble: Bubble }

export interface OverlaySession {
  /** A project folder holding the recording (and exports, for the tests that export). */
  readonly root: string
  readonly sourceFile: string
  /** The recording's frame at AT_MS, shown under the overlay. */
  readonly sourcePng: Buffer
  readonly browser: Browser
  readonly page: Page
  readonly server: OverlayPage
  /** Shows `config` on the page and waits until it has rendered. */
  mount(config: MountConfig): Promise<void>
  /** What the page's editor holds now. */
  state(): Promise<PageState>
  /** Every call the overlay made to the editor since the last mount. */
  calls(): Promise<PageCall[]>
  close(): Promise<void>
}

/** Makes the recording, serves the overlay page and opens it in Chromium at 1 CSS px per pixel. */
export async function openOverlaySession(): Promise<OverlaySession> {
  const root = mkdtempSync(join(tmpdir(), 'sidecast-wysiwyg-'))
  mkdirSync(join(root, 'exports'))
  const sourceFile = await makeSource(root)
  writeFileSync(join(root, 'recording.json'), JSON.stringify(facts(), null, 2))
  const sourcePng = await framePng(tools.ffmpegPath, sourceFile, AT_MS)
  const server = await startOverlayPage(join(root, 'page'))
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--force-color-profile=srgb'],
    timeout: 60_000
  })
  const context = await browser.newContext({
    viewport: { width: 1000, height: 600 },
    deviceScaleFactor: 1
  })
  const page = await context.newPage()
  await throttleCpuForStress(page)
  page.setDefaultTimeout(20_000)
  await page.goto(server.url)
  await waitUntil('the overlay page', async () =>
    Boolean(await page.evaluate("'sidecastOverlayPage' in window"))
  )

  return {
    root,
    sourceFile,
    sourcePng,
    browser,
    page,
    server,
    async mount(config) {
      const background = server.addFile('source.png', sourcePng)
      const ready = await page.evaluate((c) => window.sidecastOverlayPage.mount(c), {
        annotations: config.annotations,
        bubble: config.bubble,
        tool: config.tool ?? 'select',
        inspector: config.inspector ?? false,
        size: config.size ?? FRAME,
        frame: FRAME,
        currentMs: config.currentMs ?? AT_MS,
        background
      })
      if (!ready)
        throw new Error('The camera bubble’s video did not show its frame on the test page')
    },
    async state() {
      const state = await page.evaluate(() => window.sidecastOverlayPage.state())
      if (!state) throw new Error('The test page has not rendered')
      return state
    },
    calls: () => page.evaluate(() => window.sidecastOverlayPage.calls()),
    async close() {
      await browser.close()
      await server.close()
      rmSync(root, { recursive: true, force: true })
    }
  }
}

/** An annotation of the page's state by id, as a plain record. */
export function find(state: PageState, id: string): Record<string, unknown> {
  const a = state.annotations.find((x) => x.id === id)
  if (!a) throw new Error(`No annotation ${id}`)
  return a as unknown as Record<string, unknown>
}

/** A blur over the source's first finely gridded area. */
export const GRID_BLUR: Annotation = {
  id: 'b',
  type: 'blur',
  ...ALL_TIME,
  x: 0.1,
  y: 0.1,
  w: 0.4,
  h: 0.5
}
