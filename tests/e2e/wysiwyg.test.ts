/**
 * What you see is what you export: the editor's overlay (the real CalloutOverlay in headless
 * Chromium, over the source frame) against the frame the real export pipeline (resvg + ffmpeg)
 * writes at the same moment, per callout type. Then the overlay's editing in the same browser:
 * drawing, selecting, moving, resizing, nudging, text editing and the style inspector.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import { chromiumPath } from '../support/chromium'
import { testFfmpeg } from '../integration/helpers/media-fixtures'
import { runExport } from '../../src/main/export/run-export'
import { boundsOf } from '../../src/renderer/src/editor/overlay/geometry'
import type { Annotation, Edits } from '../../src/shared/edits'
import type { RecordingFacts } from '../../src/shared/project'
import { decodeRgb, detail, framePng, meanAbsDiff, type Region, type Rgb } from './wysiwyg/images'
import { startOverlayPage, type OverlayPage } from './wysiwyg/page'

const run = promisify(execFile)
const tools = testFfmpeg()
const FRAME = { width: 640, height: 360 }
const DURATION_MS = 3000
const AT_MS = 1500
const ALL_TIME = { startMs: 0, endMs: DURATION_MS }

/*
 * Thresholds, in levels of 0–255 per channel, chosen after measuring (the test prints what it
 * measured). Export goes through yuv420p and x264 at CRF 23, so part of any difference is the
 * encoder's own loss, which the test measures on its own: a reference export with no callout
 * showing, against the source. On the finely gridded areas of the source that alone is up to
 * about 5 levels on average. Text is rasterised by resvg in export and by Chromium in the editor
 * (the same DejaVu Sans files, slightly different anti-aliasing).
 */
/** Over the annotation's area (bounds plus halo): editor vs export, beyond the encoder's own loss. */
const AREA_LIMIT = 6
/** Over the whole frame: editor vs export. */
const FRAME_LIMIT = 3
/**
 * Over the drawn pixels alone. Higher, because yuv420p keeps colour at half resolution: a 2 px
 * saturated red line comes out of export visibly less saturated (about 20 levels on an arrow).
 */
const DRAWN_LIMIT = 30
/** The drawing shows: it changes its area by at least this much, in both pictures... */
const VISIBLE_MIN = 1.5
/** ...and at least this many pixels by more than 48 levels. */
const MIN_DRAWN_PIXELS = 200

let root: string
let browser: Browser
let page: Page
let server: OverlayPage
let sourceFile: string
let sourcePng: Buffer
let source: Rgb
/** The export with no callout showing at AT_MS: what the encoder alone does to the source. */
let reference: Rgb

function facts(): RecordingFacts {
  return {
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
async function makeSource(dir: string): Promise<string> {
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

/** Exports `annotations` with the real pipeline and returns the output frame at AT_MS. */
async function exportedFrame(name: string, annotations: Annotation[]): Promise<Rgb> {
  const edits: Edits = { version: 1, keep: [], annotations }
  const outFile = join(root, 'exports', `${name}.mp4`)
  await runExport({
    projectDir: root,
    facts: facts(),
    edits,
    preset: { size: 'source', quality: 'standard' },
    outFile,
    ffmpegPath: tools.ffmpegPath
  })
  return decodeRgb(
    tools.ffmpegPath,
    await framePng(tools.ffmpegPath, outFile, AT_MS),
    FRAME.width,
    FRAME.height
  )
}

interface MountConfig {
  readonly annotations: readonly Annotation[]
  readonly tool?: string
  readonly inspector?: boolean
  readonly size?: { width: number; height: number }
  readonly currentMs?: number
}

async function mount(config: MountConfig): Promise<void> {
  const background = server.addFile('source.png', sourcePng)
  await page.evaluate((c) => window.sidecastOverlayPage.mount(c), {
    annotations: config.annotations,
    tool: config.tool ?? 'select',
    inspector: config.inspector ?? false,
    size: config.size ?? FRAME,
    frame: FRAME,
    currentMs: config.currentMs ?? AT_MS,
    background
  })
}

/** The editor's picture: a screenshot of the stage (frame + overlay) at 1 CSS px per pixel. */
async function editorFrame(annotations: Annotation[]): Promise<Rgb> {
  await mount({ annotations })
  const png = await page.locator('#stage').screenshot({ timeout: 20_000 })
  return decodeRgb(tools.ffmpegPath, png, FRAME.width, FRAME.height)
}

// Browser-side names used inside page.evaluate callbacks (this project compiles without the DOM lib).
declare const window: OverlayWindow
declare const document: {
  readonly activeElement: unknown
  readonly fonts: Iterable<{ family: string; weight: string; status: string }>
}
declare function getComputedStyle(element: unknown): { fontSize: string; backdropFilter: string }

interface OverlayWindow {
  sidecastOverlayPage: {
    mount(config: unknown): Promise<boolean>
    state(): PageState | null
    calls(): PageCall[]
    setTool(tool: string): Promise<void>
  }
}

interface PageState {
  readonly annotations: Annotation[]
  readonly selectedIds: string[]
  readonly tool: string
  readonly defaults: Record<string, Record<string, unknown>>
}

type PageCall =
  | { call: 'select'; ids: string[] }
  | { call: 'create'; draft: Record<string, unknown> }
  | {
      call: 'change' | 'style'
      phase: 'preview' | 'commit'
      changes: { id: string; patch: Record<string, unknown> }[]
    }
  | { call: 'toolDone' }
  | { call: 'cancelGesture' }
  | { call: 'defaults'; defaults: Record<string, Record<string, unknown>> }

async function pageState(): Promise<PageState> {
  const state = await page.evaluate(() => window.sidecastOverlayPage.state())
  if (!state) throw new Error('The test page has not rendered')
  return state
}

async function pageCalls(): Promise<PageCall[]> {
  return page.evaluate(() => window.sidecastOverlayPage.calls())
}

/** Pixel region of an annotation's drawing: its bounds (with a callout's tip) plus the halo. */
function regionOf(a: Annotation): Region {
  if (a.type === 'highlight') return { x: 0, y: 0, w: FRAME.width, h: FRAME.height }
  const b = boundsOf(a, FRAME)
  let left = b.x
  let top = b.y
  let right = b.x + b.w
  let bottom = b.y + b.h
  if (a.type === 'callout' && a.pointX !== undefined && a.pointY !== undefined) {
    left = Math.min(left, a.pointX)
    top = Math.min(top, a.pointY)
    right = Math.max(right, a.pointX)
    bottom = Math.max(bottom, a.pointY)
  }
  const m = 4
  return {
    x: left * FRAME.width - m,
    y: top * FRAME.height - m,
    w: (right - left) * FRAME.width + 2 * m,
    h: (bottom - top) * FRAME.height + 2 * m
  }
}

interface Drawn {
  /** Mean difference between editor and export over the drawn pixels. */
  readonly mean: number
  /** Pixels the editor changed from the source. */
  readonly editorPixels: number
  /** Pixels export changed from the reference. */
  readonly exportPixels: number
}

/**
 * The drawn pixels: those the editor changed from the source, or export from the reference, by
 * more than 48 levels in a channel.
 */
function drawnPixels(editor: Rgb, exported: Rgb, region: Region): Drawn {
  let sum = 0
  let count = 0
  let editorPixels = 0
  let exportPixels = 0
  const x0 = Math.max(0, Math.floor(region.x))
  const y0 = Math.max(0, Math.floor(region.y))
  const x1 = Math.min(FRAME.width, Math.ceil(region.x + region.w))
  const y1 = Math.min(FRAME.height, Math.ceil(region.y + region.h))
  const at = (img: Rgb, i: number): number => img.data[i] as number
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * FRAME.width + x) * 3
      let inEditor = false
      let inExport = false
      for (let c = i; c < i + 3; c++) {
        if (Math.abs(at(editor, c) - at(source, c)) > 48) inEditor = true
        if (Math.abs(at(exported, c) - at(reference, c)) > 48) inExport = true
      }
      if (inEditor) editorPixels++
      if (inExport) exportPixels++
      if (!inEditor && !inExport) continue
      for (let c = i; c < i + 3; c++) sum += Math.abs(at(editor, c) - at(exported, c))
      count += 3
    }
  }
  return { mean: sum / Math.max(1, count), editorPixels, exportPixels }
}

/** With SIDECAST_WYSIWYG_DUMP=<folder>, the pictures compared are kept there to look at. */
async function dump(name: string, pictures: Record<string, Rgb>): Promise<void> {
  const folder = process.env.SIDECAST_WYSIWYG_DUMP
  if (!folder) return
  mkdirSync(folder, { recursive: true })
  for (const [kind, img] of Object.entries(pictures)) {
    const raw = join(root, `${name}-${kind}.rgb`)
    writeFileSync(raw, img.data)
    // prettier-ignore
    await run(tools.ffmpegPath, [
      '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${img.width}x${img.height}`,
      '-i', raw, join(folder, `${name}-${kind}.png`)
    ], { timeout: 30_000 })
  }
}

const CASES: { name: string; annotation: Annotation }[] = [
  {
    name: 'rect',
    annotation: { id: 'r', type: 'rect', ...ALL_TIME, x: 0.06, y: 0.08, w: 0.3, h: 0.3 }
  },
  {
    name: 'thick yellow rect',
    annotation: {
      id: 'r2',
      type: 'rect',
      ...ALL_TIME,
      x: 0.5,
      y: 0.45,
      w: 0.3,
      h: 0.35,
      color: '#ffc53d',
      strokeWidth: 0.012
    }
  },
  {
    name: 'arrow',
    annotation: { id: 'a', type: 'arrow', ...ALL_TIME, x1: 0.15, y1: 0.85, x2: 0.45, y2: 0.45 }
  },
  {
    name: 'callout',
    annotation: {
      id: 'c',
      type: 'callout',
      ...ALL_TIME,
      x: 0.52,
      y: 0.06,
      w: 0.42,
      h: 0.2,
      text: 'Open the Share menu, then Copy link',
      pointX: 0.45,
      pointY: 0.5
    }
  },
  {
    name: 'large light callout',
    annotation: {
      id: 'c2',
      type: 'callout',
      ...ALL_TIME,
      x: 0.05,
      y: 0.55,
      w: 0.5,
      h: 0.25,
      text: 'Größe & "Quotes" <ok>',
      color: '#ffffff',
      fontSize: 0.05
    }
  },
  {
    name: 'step',
    annotation: { id: 's', type: 'step', ...ALL_TIME, x: 0.8, y: 0.7, n: 3, fontSize: 0.05 }
  },
  {
    name: 'highlight',
    annotation: { id: 'h', type: 'highlight', ...ALL_TIME, x: 0.3, y: 0.3, w: 0.35, h: 0.4 }
  }
]

const BLUR_CASES: { name: string; annotation: Annotation }[] = [
  {
    name: 'blur',
    annotation: { id: 'b', type: 'blur', ...ALL_TIME, x: 0.1, y: 0.1, w: 0.4, h: 0.5 }
  },
  {
    name: 'pixelate',
    annotation: {
      id: 'p',
      type: 'blur',
      ...ALL_TIME,
      x: 0.55,
      y: 0.5,
      w: 0.4,
      h: 0.4,
      mode: 'pixelate',
      strength: 0.8
    }
  }
]

const measured: string[] = []

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sidecast-wysiwyg-'))
  mkdirSync(join(root, 'exports'))
  sourceFile = await makeSource(root)
  writeFileSync(join(root, 'recording.json'), JSON.stringify(facts(), null, 2))
  sourcePng = await framePng(tools.ffmpegPath, sourceFile, AT_MS)
  source = await decodeRgb(tools.ffmpegPath, sourcePng, FRAME.width, FRAME.height)
  // A callout outside AT_MS makes export re-encode, as it does for every case below.
  reference = await exportedFrame('reference', [
    { id: 'later', type: 'rect', startMs: 2900, endMs: 3000, x: 0.1, y: 0.1, w: 0.1, h: 0.1 }
  ])
  server = await startOverlayPage(join(root, 'page'))
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--force-color-profile=srgb'],
    timeout: 60_000
  })
  const context = await browser.newContext({
    viewport: { width: 1000, height: 600 },
    deviceScaleFactor: 1
  })
  page = await context.newPage()
  page.setDefaultTimeout(20_000)
  await page.goto(server.url)
  await page.waitForFunction(() => 'sidecastOverlayPage' in window)
})

afterAll(async () => {
  if (measured.length > 0) console.log(`WYSIWYG (levels of 255):\n${measured.join('\n')}`)
  await browser?.close()
  await server?.close()
  if (root) rmSync(root, { recursive: true, force: true })
})

describe('the editor shows what export writes', () => {
  it.each(CASES)('$name', async ({ name, annotation }) => {
    const exported = await exportedFrame(name.replace(/\W+/g, '-'), [annotation])
    const editor = await editorFrame([annotation])
    const region = regionOf(annotation)

    await dump(name.replace(/\W+/g, '-'), { editor, export: exported })

    const area = meanAbsDiff(editor, exported, region)
    const whole = meanAbsDiff(editor, exported)
    const drawn = drawnPixels(editor, exported, region)
    const encoder = meanAbsDiff(reference, source, region)
    const exportChange = meanAbsDiff(exported, reference, region)
    const editorChange = meanAbsDiff(editor, source, region)
    measured.push(
      `  ${name.padEnd(20)} area ${area.toFixed(2)}  frame ${whole.toFixed(2)}  drawn pixels ${drawn.mean.toFixed(2)}` +
        `  (encoder alone: ${encoder.toFixed(2)} over the area; the drawing changes the area by ${exportChange.toFixed(1)} in export, ${editorChange.toFixed(1)} in the editor; ${drawn.editorPixels} px drawn in the editor, ${drawn.exportPixels} in export)`
    )

    // The drawing is really there in both, about as large, or the comparison would prove nothing.
    expect(exportChange).toBeGreaterThan(VISIBLE_MIN)
    expect(editorChange).toBeGreaterThan(VISIBLE_MIN)
    expect(drawn.editorPixels).toBeGreaterThan(MIN_DRAWN_PIXELS)
    expect(drawn.exportPixels / drawn.editorPixels).toBeGreaterThan(0.7)
    expect(drawn.exportPixels / drawn.editorPixels).toBeLessThan(1 / 0.7)
    expect(area - encoder).toBeLessThan(AREA_LIMIT)
    expect(whole).toBeLessThan(FRAME_LIMIT)
    expect(drawn.mean).toBeLessThan(DRAWN_LIMIT)
  })

  /*
   * Blur is the exception the design names: export blurs the pixels with ffmpeg (boxblur, or
   * scale down/up for pixelate) and the editor previews it with a CSS backdrop-filter blur, so
   * the two are not pixel-identical. What must hold: both hide the detail inside the box.
   */
  it.each(BLUR_CASES)('$name: both the preview and the export hide the detail', async (c) => {
    const exported = await exportedFrame(c.name, [c.annotation])
    const editor = await editorFrame([c.annotation])
    const box = regionOf(c.annotation)
    // Inside the box, clear of its edges (and of the dashed outline the editor draws there).
    const inner = { x: box.x + 12, y: box.y + 12, w: box.w - 24, h: box.h - 24 }
    const before = detail(source, inner)
    const afterExport = detail(exported, inner)
    const afterEditor = detail(editor, inner)
    measured.push(
      `  ${c.name.padEnd(20)} detail: source ${before.toFixed(2)}, export ${afterExport.toFixed(2)}, editor ${afterEditor.toFixed(2)}` +
        `  (mean diff inside ${meanAbsDiff(editor, exported, inner).toFixed(2)})`
    )
    expect(before).toBeGreaterThan(4)
    expect(afterExport).toBeLessThan(before * 0.5)
    expect(afterEditor).toBeLessThan(before * 0.5)
    // Outside the box both leave the picture alone.
    const leftStrip = c.annotation.type === 'blur' && c.annotation.x > 0.3
    const away: Region = leftStrip
      ? { x: 0, y: 0, w: 0.25 * FRAME.width, h: FRAME.height }
      : { x: 0.75 * FRAME.width, y: 0, w: 0.25 * FRAME.width, h: FRAME.height }
    expect(meanAbsDiff(editor, exported, away)).toBeLessThan(AREA_LIMIT)
  })
})

// ---- editing in the overlay (same page, same browser) ----

const POLL = { timeout: 10_000, interval: 50 }

async function expectFocused(locator: Locator): Promise<void> {
  await expect.poll(() => locator.evaluate((el) => el === document.activeElement), POLL).toBe(true)
}

async function expectCount(locator: Locator, count: number): Promise<void> {
  await expect.poll(() => locator.count(), POLL).toBe(count)
}

async function expectPressed(locator: Locator, pressed: boolean): Promise<void> {
  await expect.poll(() => locator.getAttribute('aria-pressed'), POLL).toBe(String(pressed))
}

async function expectVisible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: POLL.timeout })
}

/** Drags with the mouse in small steps, in page pixels. */
async function drag(from: [number, number], to: [number, number]): Promise<void> {
  await page.mouse.move(from[0], from[1])
  await page.mouse.down()
  await page.mouse.move(to[0], to[1], { steps: 6 })
  await page.mouse.up()
}

async function shiftClick(x: number, y: number): Promise<void> {
  await page.keyboard.down('Shift')
  await page.mouse.click(x, y)
  await page.keyboard.up('Shift')
}

function find(state: PageState, id: string): Record<string, unknown> {
  const a = state.annotations.find((x) => x.id === id)
  if (!a) throw new Error(`No annotation ${id}`)
  return a as unknown as Record<string, unknown>
}

const BOX: Annotation = { id: 'box', type: 'rect', ...ALL_TIME, x: 0.1, y: 0.1, w: 0.2, h: 0.2 }
const ARROW: Annotation = {
  id: 'arr',
  type: 'arrow',
  ...ALL_TIME,
  x1: 0.5,
  y1: 0.5,
  x2: 0.7,
  y2: 0.7
}
const BUBBLE: Annotation = {
  id: 'bub',
  type: 'callout',
  ...ALL_TIME,
  x: 0.5,
  y: 0.1,
  w: 0.4,
  h: 0.2,
  text: 'Hello'
}

describe('editing in the overlay', () => {
  it('loads the callout font from the app’s own files', async () => {
    await mount({ annotations: [BUBBLE] })
    const faces = await page.evaluate(() =>
      [...document.fonts].map((f) => ({ family: f.family, weight: f.weight, status: f.status }))
    )
    expect(faces).toContainEqual({ family: 'DejaVu Sans', weight: 'bold', status: 'loaded' })
    const fontUrls = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .filter((name) => name.endsWith('.ttf'))
    )
    expect(fontUrls.some((u) => /DejaVuSans-Bold-[\w-]+\.ttf$/.test(u))).toBe(true)
  })

  it('draws each shape with its tool, selects it and returns to the select tool', async () => {
    // Shown at half size: the drawing still lands at the same fractions of the frame.
    await mount({ annotations: [], tool: 'rect', size: { width: 320, height: 180 } })
    await drag([50, 25], [150, 75])
    let state = await pageState()
    expect(state.tool).toBe('select')
    expect(state.annotations).toHaveLength(1)
    const box = state.annotations[0] as Extract<Annotation, { type: 'rect' }>
    expect(box.type).toBe('rect')
    expect(box.x).toBeCloseTo(50 / 320, 2)
    expect(box.y).toBeCloseTo(25 / 180, 2)
    expect(box.w).toBeCloseTo(100 / 320, 2)
    expect(box.h).toBeCloseTo(50 / 180, 2)
    expect(state.selectedIds).toEqual([box.id])
    expect((await pageCalls()).map((c) => c.call)).toEqual(['create', 'select', 'toolDone'])
    await expectCount(page.locator('.callout-overlay__handle'), 8)

    await page.evaluate(() => window.sidecastOverlayPage.setTool('arrow'))
    await drag([20, 160], [120, 100])
    await page.evaluate(() => window.sidecastOverlayPage.setTool('step'))
    await page.mouse.click(250, 40)
    state = await pageState()
    const [, arrow, step] = state.annotations as [Annotation, Annotation, Annotation]
    expect(arrow).toMatchObject({ type: 'arrow' })
    expect(arrow.type === 'arrow' && [arrow.x1, arrow.y1, arrow.x2, arrow.y2]).toEqual([
      expect.closeTo(20 / 320, 2),
      expect.closeTo(160 / 180, 2),
      expect.closeTo(120 / 320, 2),
      expect.closeTo(100 / 180, 2)
    ])
    expect(step).toMatchObject({ type: 'step', n: 1 })
    expect(step.type === 'step' && [step.x, step.y]).toEqual([
      expect.closeTo(250 / 320, 2),
      expect.closeTo(40 / 180, 2)
    ])
    expect(state.selectedIds).toEqual([step.id])
    expect(state.tool).toBe('select')
  })

  it('selects by clicking, moves several together as one commit, resizes and nudges', async () => {
    await mount({ annotations: [BOX, ARROW] })
    // Inside the box (64..192 × 36..108).
    await page.mouse.click(100, 60)
    expect((await pageState()).selectedIds).toEqual(['box'])
    await expectPressed(page.getByRole('button', { name: 'Box 1' }), true)
    // On the arrow's shaft, with Shift: both.
    await shiftClick(384, 216)
    expect((await pageState()).selectedIds).toEqual(['box', 'arr'])

    await drag([100, 60], [132, 78])
    let state = await pageState()
    expect(find(state, 'box')).toMatchObject({
      x: expect.closeTo(0.15, 3),
      y: expect.closeTo(0.15, 3)
    })
    expect(find(state, 'arr')).toMatchObject({
      x1: expect.closeTo(0.55, 3),
      y2: expect.closeTo(0.75, 3)
    })
    const changes = (await pageCalls()).filter((c) => c.call === 'change')
    expect(changes.at(-1)).toMatchObject({ phase: 'commit' })
    expect(changes.filter((c) => c.call === 'change' && c.phase === 'commit')).toHaveLength(1)
    expect(changes.slice(0, -1).every((c) => c.call === 'change' && c.phase === 'preview')).toBe(
      true
    )

    // A click on empty video clears the selection.
    await page.mouse.click(620, 20)
    expect((await pageState()).selectedIds).toEqual([])

    // The box's south-east handle is at (0.35, 0.35) of the frame: 224, 126.
    await page.mouse.click(120, 80)
    await drag([224, 126], [288, 162])
    state = await pageState()
    expect(find(state, 'box')).toMatchObject({
      x: expect.closeTo(0.15, 3),
      w: expect.closeTo(0.3, 3),
      h: expect.closeTo(0.3, 3)
    })

    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Shift+ArrowDown')
    state = await pageState()
    expect(find(state, 'box')).toMatchObject({
      x: expect.closeTo(0.15 + 1 / 640, 5),
      y: expect.closeTo(0.15 + 10 / 360, 5)
    })
    const last = (await pageCalls()).filter((c) => c.call === 'change').slice(-2)
    expect(last.map((c) => c.call === 'change' && c.phase)).toEqual(['commit', 'commit'])
  })

  it('Escape during a drag puts the annotation back and commits nothing', async () => {
    await mount({ annotations: [BOX] })
    const before = find(await pageState(), 'box')
    await page.mouse.move(100, 60)
    await page.mouse.down()
    await page.mouse.move(200, 150, { steps: 6 })
    // The preview moved it...
    expect(find(await pageState(), 'box')).not.toMatchObject({ x: before.x })
    await page.keyboard.press('Escape')
    await page.mouse.up()
    expect(find(await pageState(), 'box')).toEqual(before)
    const calls = await pageCalls()
    expect(calls.some((c) => c.call === 'cancelGesture')).toBe(true)
    expect(calls.some((c) => c.call === 'change' && c.phase === 'commit')).toBe(false)
  })

  it('keeps a dragged annotation inside the frame', async () => {
    await mount({ annotations: [BOX] })
    await drag([100, 60], [-200, -200])
    const box = find(await pageState(), 'box')
    expect(box).toMatchObject({ x: 0, y: 0, w: 0.2, h: 0.2 })
  })

  it('Tab reaches each visible annotation and selects it; Escape clears', async () => {
    const later: Annotation = { ...ARROW, startMs: 2000 }
    await mount({ annotations: [BOX, BUBBLE, later] })
    await expectVisible(page.getByRole('application', { name: 'Callouts' }))
    await expectCount(page.getByRole('button', { name: 'Arrow 1' }), 0)
    await page.keyboard.press('Tab')
    await expectFocused(page.getByRole('button', { name: 'Box 1' }))
    expect((await pageState()).selectedIds).toEqual(['box'])
    await page.keyboard.press('Tab')
    await expectFocused(page.getByRole('button', { name: 'Text callout: Hello' }))
    expect((await pageState()).selectedIds).toEqual(['bub'])
    await page.keyboard.press('Escape')
    expect((await pageState()).selectedIds).toEqual([])
  })

  it('edits callout text in place: Enter saves, Shift+Enter breaks, Escape cancels, empty is refused', async () => {
    await mount({ annotations: [BUBBLE] })
    const field = page.getByRole('textbox', { name: 'Callout text' })

    await page.mouse.dblclick(448, 72)
    await expectFocused(field)
    // The field's text is as large as the drawing's: 0.03 of 360 px.
    expect(await field.evaluate((el) => getComputedStyle(el).fontSize)).toBe('10.8px')
    await page.keyboard.type('Line one')
    await page.keyboard.press('Shift+Enter')
    await page.keyboard.type('Line two')
    await page.keyboard.press('Enter')
    await expectCount(field, 0)
    expect(find(await pageState(), 'bub').text).toBe('Line one\nLine two')

    await page.mouse.dblclick(448, 72)
    await page.keyboard.type('Thrown away')
    await page.keyboard.press('Escape')
    await expectCount(field, 0)
    expect(find(await pageState(), 'bub').text).toBe('Line one\nLine two')

    // Enter on a selected callout edits it too.
    await expectFocused(page.getByRole('button', { name: /^Text callout/ }))
    await page.keyboard.press('Enter')
    await expectFocused(field)
    await page.keyboard.press('Backspace')
    await page.keyboard.press('Enter')
    await expect
      .poll(() => page.getByRole('alert').textContent(), POLL)
      .toContain('A callout needs some text')
    await expectVisible(field)
    await page.keyboard.press('Escape')
    expect(find(await pageState(), 'bub').text).toBe('Line one\nLine two')
    const textChanges = (await pageCalls()).filter((c) => c.call === 'change')
    expect(textChanges).toHaveLength(1)
  })

  it('a new callout opens for typing at once', async () => {
    await mount({ annotations: [], tool: 'callout' })
    await drag([100, 100], [400, 180])
    const field = page.getByRole('textbox', { name: 'Callout text' })
    await expectFocused(field)
    await page.keyboard.type('Click Share')
    await page.keyboard.press('Enter')
    const state = await pageState()
    expect(state.annotations).toMatchObject([{ type: 'callout', text: 'Click Share' }])
    expect(state.tool).toBe('select')
  })

  it('previews blur live with a CSS backdrop blur over its box', async () => {
    await mount({ annotations: [BLUR_CASES[0]!.annotation] })
    const preview = page.locator('.callout-overlay__blur')
    await expectCount(preview, 1)
    // strength 0.5 at 360 px: export's boxblur radius 5, σ = √30.
    expect(await preview.evaluate((el) => getComputedStyle(el).backdropFilter)).toBe('blur(5.48px)')
    const box = await preview.boundingBox()
    expect(box).toMatchObject({ x: 64, y: 36, width: 256, height: 180 })
  })
})

describe('the style inspector', () => {
  it('edits the defaults with nothing selected, and the selection otherwise', async () => {
    const blur: Annotation = {
      id: 'blr',
      type: 'blur',
      ...ALL_TIME,
      x: 0.5,
      y: 0.6,
      w: 0.3,
      h: 0.3
    }
    await mount({ annotations: [BOX, blur], inspector: true })
    await expectVisible(page.getByRole('heading', { name: 'Style for new callouts' }))
    await page.getByRole('button', { name: 'Colour green' }).click()
    let state = await pageState()
    expect(state.defaults.rect).toMatchObject({ color: '#30a46c' })
    expect(state.defaults.callout).toMatchObject({ color: '#30a46c' })
    expect(state.defaults.highlight).toMatchObject({ color: '#000000' })
    await expectPressed(page.getByRole('button', { name: 'Colour green' }), true)

    await page.mouse.click(100, 60)
    await expectVisible(page.getByRole('heading', { name: 'Box style' }))
    await expectPressed(page.getByRole('button', { name: 'Colour red' }), true)
    await expectPressed(page.getByRole('button', { name: 'Medium line' }), true)
    await expectCount(page.getByRole('button', { name: 'Small text' }), 0)
    await expectCount(page.getByRole('slider'), 0)
    await page.getByRole('button', { name: 'Thick line' }).click()
    await page.getByRole('button', { name: 'Colour blue' }).click()
    state = await pageState()
    expect(find(state, 'box')).toMatchObject({ strokeWidth: 0.009, color: '#0090ff' })
    const styleCalls = (await pageCalls()).filter((c) => c.call === 'style')
    expect(styleCalls.map((c) => c.call === 'style' && c.phase)).toEqual(['commit', 'commit'])

    // The blur: mode and strength only; a keyboard step on the slider is one commit.
    await page.mouse.click(420, 280)
    await expectVisible(page.getByRole('heading', { name: 'Blurred area style' }))
    await expectCount(page.getByRole('button', { name: /^Colour/ }), 0)
    await page.getByRole('button', { name: 'Pixelate', exact: true }).click()
    const slider = page.getByRole('slider', { name: 'Blur strength' })
    await slider.focus()
    await page.keyboard.press('ArrowRight')
    await expect
      .poll(async () => find(await pageState(), 'blr').strength, POLL)
      .toBeCloseTo(0.55, 5)
    expect(find(await pageState(), 'blr').mode).toBe('pixelate')
    const last = (await pageCalls()).filter((c) => c.call === 'style').at(-1)
    expect(last).toMatchObject({
      phase: 'commit',
      changes: [{ id: 'blr', patch: { strength: 0.55 } }]
    })
  })
})
