/**
 * Editing in the overlay, in the same kind of page as wysiwyg-export.test.ts (the real
 * CalloutOverlay in headless Chromium over a frame of the recording): drawing, selecting, moving,
 * resizing, nudging, text editing and the style inspector.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { bubbleBox, cornerSpot, defaultBubble } from '../../src/shared/bubble'
import type { Annotation, Bubble } from '../../src/shared/edits'
import type { CameraSummary } from '../../src/shared/project'
import {
  ALL_TIME,
  FRAME,
  GRID_BLUR,
  cameraSummary,
  find,
  makeCamera,
  openOverlaySession,
  type MountConfig,
  type OverlaySession,
  type OverlayWindow,
  type PageCall,
  type PageState
} from './wysiwyg/overlay-session'

// Browser-side names used inside page.evaluate callbacks (this project compiles without the DOM lib).
declare const window: OverlayWindow
declare const document: {
  readonly activeElement: unknown
  readonly fonts: Iterable<{ family: string; weight: string; status: string }>
}
declare function getComputedStyle(element: unknown): { fontSize: string; backdropFilter: string }

let session: OverlaySession
let page: Page

beforeAll(async () => {
  session = await openOverlaySession()
  page = session.page
})

afterAll(async () => {
  await session?.close()
})

const mount = (config: MountConfig): Promise<void> => session.mount(config)
const pageState = (): Promise<PageState> => session.state()
const pageCalls = (): Promise<PageCall[]> => session.calls()

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

  it('edits callout text in place: Enter saves, Shift+Enter breaks, Escape keeps the typing, empty is refused', async () => {
    await mount({ annotations: [BUBBLE] })
    const field = page.getByRole('textbox', { name: 'Callout text' })

    await page.mouse.dblclick(448, 72)
    await expectFocused(field)
    // A visible hint, not only one for screen readers, says how to finish.
    const hint = page.getByText('Enter or Escape saves. Shift+Enter starts a new line.')
    await expectVisible(hint)
    expect(await field.getAttribute('aria-describedby')).toBe(await hint.getAttribute('id'))
    // The field's text is as large as the drawing's: 0.03 of 360 px.
    expect(await field.evaluate((el) => getComputedStyle(el).fontSize)).toBe('10.8px')
    await page.keyboard.type('Line one')
    await page.keyboard.press('Shift+Enter')
    await page.keyboard.type('Line two')
    await page.keyboard.press('Enter')
    await expectCount(field, 0)
    expect(find(await pageState(), 'bub').text).toBe('Line one\nLine two')

    // Escape leaves the field and keeps what was typed (as in Figma and Excalidraw).
    await page.mouse.dblclick(448, 72)
    await expectFocused(field)
    await page.keyboard.type('Kept by Escape')
    await page.keyboard.press('Escape')
    await expectCount(field, 0)
    expect(find(await pageState(), 'bub').text).toBe('Kept by Escape')

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
    // Escape with the text emptied keeps the old text.
    await page.keyboard.press('Escape')
    await expectCount(field, 0)
    expect(find(await pageState(), 'bub').text).toBe('Kept by Escape')
    const textChanges = (await pageCalls()).filter((c) => c.call === 'change')
    expect(textChanges).toHaveLength(2)
  })

  it('a click elsewhere keeps the typing too', async () => {
    await mount({ annotations: [BUBBLE] })
    const field = page.getByRole('textbox', { name: 'Callout text' })
    await page.mouse.dblclick(448, 72)
    await expectFocused(field)
    await page.keyboard.type('Kept by a click')
    await page.mouse.click(100, 300)
    await expectCount(field, 0)
    expect(find(await pageState(), 'bub').text).toBe('Kept by a click')
  })

  it('a new callout left empty goes, by Escape or by a click elsewhere', async () => {
    await mount({ annotations: [], tool: 'callout' })
    await drag([100, 100], [400, 180])
    const field = page.getByRole('textbox', { name: 'Callout text' })
    await expectFocused(field)
    await expectVisible(page.getByText(/Left empty, the callout goes\./))
    await page.keyboard.press('Backspace')
    await page.keyboard.press('Escape')
    await expectCount(field, 0)
    expect((await pageState()).annotations).toEqual([])
    // The focus stays in the callout editor, not lost to the page.
    await expectFocused(page.getByRole('application', { name: 'Callouts' }))

    await page.evaluate(() => window.sidecastOverlayPage.setTool('callout'))
    await drag([100, 100], [400, 180])
    await expectFocused(field)
    await page.keyboard.press('Backspace')
    await page.mouse.click(500, 300)
    await expectCount(field, 0)
    expect((await pageState()).annotations).toEqual([])
    const discarded = (await pageCalls()).filter((c) => c.call === 'discard')
    expect(discarded).toHaveLength(2)
  })

  it('gives the focus back to the callout as the text field closes, not a frame later', async () => {
    // A busy machine draws late. With the page's frames held back, nothing the user sees next
    // may wait for one; when the late frames come, they must not take the focus from the field
    // that is open by then (they once did: a second edit lost its typing to the callout).
    await mount({ annotations: [BUBBLE] })
    const field = page.getByRole('textbox', { name: 'Callout text' })
    const callout = page.getByRole('button', { name: /^Text callout/ })
    await page.evaluate(() => window.sidecastOverlayPage.holdFrames())

    await page.mouse.dblclick(448, 72)
    await expectFocused(field)
    await page.keyboard.type('First')
    await page.keyboard.press('Enter')
    await expectFocused(callout)

    await page.mouse.dblclick(448, 72)
    await expectFocused(field)
    await page.keyboard.type('Second')
    await page.keyboard.press('Escape')
    await expectFocused(callout)

    await page.keyboard.press('Enter')
    await expectFocused(field)
    await page.keyboard.type('Third')
    await page.evaluate(() => window.sidecastOverlayPage.releaseFrames())
    await expectFocused(field)
    expect(await field.inputValue()).toBe('Third')
    await page.keyboard.press('Enter')
    await expectFocused(callout)
    expect(find(await pageState(), 'bub').text).toBe('Third')
    const texts = (await pageCalls()).flatMap((c) =>
      c.call === 'change' ? c.changes.map((change) => change.patch.text) : []
    )
    // Escape keeps the typing, like Enter.
    expect(texts).toEqual(['First', 'Second', 'Third'])
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
    await mount({ annotations: [GRID_BLUR] })
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

describe('the camera bubble in the overlay', () => {
  let camera: CameraSummary
  const bubbleButton = (): Locator =>
    page.getByRole('button', { name: 'Camera bubble', exact: true })
  const bubbleCalls = async (): Promise<Extract<PageCall, { call: 'bubble' }>[]> =>
    (await pageCalls()).filter(
      (c): c is Extract<PageCall, { call: 'bubble' }> => c.call === 'bubble'
    )
  /** The bubble as the page's editor holds it (null: never changed, the default shows). */
  const placed = async (): Promise<Bubble | null> => (await pageState()).bubble
  /** Where it starts: bottom-left, box 10, 270, side 80; its middle at 50, 310. */
  const START = defaultBubble(FRAME)

  beforeAll(async () => {
    const facts = await makeCamera(session.root)
    const url = session.server.addFile('camera.webm', readFileSync(join(session.root, facts.file)))
    camera = cameraSummary(facts, url)
  })

  it('is selected by a click; a drag previews, then commits once, snapped to the corner it nears', async () => {
    await mount({ annotations: [], bubble: { camera } })
    expect(bubbleBox(START, FRAME)).toEqual({ x: 10, y: 270, size: 80 })
    await page.mouse.click(50, 310)
    await expectPressed(bubbleButton(), true)
    expect((await pageState()).bubbleSelected).toBe(true)
    expect(await placed()).toBeNull()

    // Towards the top-right corner's spot (box 550, 10, side 80: its middle at 590, 50),
    // stopping 8 px left of and 6 px below it (0.028 of the height: within the 0.04 snap).
    await drag([50, 310], [582, 56])
    const calls = await bubbleCalls()
    expect(calls.length).toBeGreaterThan(1)
    expect(calls.slice(0, -1).every((c) => c.phase === 'preview')).toBe(true)
    expect(calls.at(-1)?.phase).toBe('commit')
    const spot = cornerSpot('top-right', START.size, FRAME)
    expect(await placed()).toEqual({ ...START, ...spot })
    // Drawn there: the button's box is bubbleBox's, in page pixels.
    const box = bubbleBox({ ...START, ...spot }, FRAME)
    await expect
      .poll(async () => {
        const b = await bubbleButton().boundingBox()
        return b && [Math.round(b.x), Math.round(b.y), Math.round(b.width)]
      }, POLL)
      .toEqual([box.x, box.y, box.size])
  })

  it('stays where it is dropped away from the corners, inside the frame', async () => {
    await mount({ annotations: [], bubble: { camera } })
    await drag([50, 310], [250, 150])
    const moved = await placed()
    expect(moved?.x).toBeCloseTo(START.x + 200 / 640, 2)
    expect(moved?.y).toBeCloseTo(START.y - 160 / 360, 2)
    await drag([250, 150], [2000, 2000])
    // Flush with the bottom-right edges (no margin: that would be the corner's snap spot).
    const box = bubbleBox((await placed()) as Bubble, FRAME)
    expect([box.x + box.size, box.y + box.size]).toEqual([640, 360])
  })

  it('resizes from its corner handle, nudges with the arrow keys, and Escape cancels a drag', async () => {
    await mount({ annotations: [], bubble: { camera } })
    await page.mouse.click(50, 310)
    // The handle sits on the box's bottom-right corner (90, 350); up and left shrinks it.
    await drag([90, 350], [70, 330])
    let b = (await placed()) as Bubble
    expect(b.size).toBeCloseTo(START.size - 20 / 360, 2)
    expect(b.x).toBeCloseTo(START.x, 5)
    expect((await bubbleCalls()).at(-1)?.phase).toBe('commit')

    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Shift+ArrowUp')
    const before = bubbleBox(b, FRAME)
    b = (await placed()) as Bubble
    const after = bubbleBox(b, FRAME)
    expect([after.x - before.x, after.y - before.y]).toEqual([2, -10])

    const kept = b
    const centre = [after.x + after.size / 2, after.y + after.size / 2] as const
    await page.mouse.move(centre[0], centre[1])
    await page.mouse.down()
    await page.mouse.move(centre[0] + 150, centre[1] - 100, { steps: 6 })
    expect(await placed()).not.toEqual(kept)
    await page.keyboard.press('Escape')
    await page.mouse.up()
    expect(await placed()).toEqual(kept)
    expect((await pageCalls()).some((c) => c.call === 'cancelGesture')).toBe(true)
  })

  it('leaves a press to a callout drawn over it, and to a drawing tool', async () => {
    // A box whose outline crosses the bubble (the outline's left edge at x 32).
    const over: Annotation = {
      id: 'over',
      type: 'rect',
      ...ALL_TIME,
      x: 0.05,
      y: 0.8,
      w: 0.3,
      h: 0.1
    }
    await mount({ annotations: [over], bubble: { camera } })
    await page.mouse.click(32, 310)
    expect((await pageState()).selectedIds).toEqual(['over'])
    expect((await pageState()).bubbleSelected).toBe(false)
    // Elsewhere on the bubble: the bubble.
    await page.mouse.click(70, 280)
    expect((await pageState()).bubbleSelected).toBe(true)
    expect((await pageState()).selectedIds).toEqual([])

    await page.evaluate(() => window.sidecastOverlayPage.setTool('arrow'))
    await drag([50, 300], [200, 200])
    const state = await pageState()
    expect(state.annotations.map((a) => a.type)).toEqual(['rect', 'arrow'])
    expect(await placed()).toBeNull()
  })
})
