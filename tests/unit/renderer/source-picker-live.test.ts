/** The source picker's live refresh rules: when the list really changed, and what to say when the chosen source went away. */
import { describe, expect, it } from 'vitest'
import { sourcesChanged, vanishedNote } from '../../../src/renderer/src/recorder/source-changes'
import type { CaptureSource } from '../../../src/shared/ipc'

const screen: CaptureSource = {
  id: 'screen:1:0',
  name: 'Entire screen',
  kind: 'screen',
  thumbnailDataUrl: 'data:image/png;base64,a'
}
const notes: CaptureSource = {
  id: 'window:7:0',
  name: 'Notes',
  kind: 'window',
  thumbnailDataUrl: 'data:image/png;base64,b'
}

describe('sourcesChanged', () => {
  it('ignores new thumbnails, and sees windows come and go', () => {
    expect(sourcesChanged([screen, notes], [{ ...screen, thumbnailDataUrl: 'x' }, notes])).toBe(
      false
    )
    expect(sourcesChanged([screen, notes], [screen])).toBe(true)
    expect(sourcesChanged([screen], [screen, notes])).toBe(true)
    expect(sourcesChanged([screen, notes], [screen, { ...notes, id: 'window:8:0' }])).toBe(true)
  })
})

describe('vanishedNote', () => {
  it('names a closed window and says the screen is recorded instead', () => {
    expect(vanishedNote([screen, notes], [screen], notes.id)).toBe(
      'The window “Notes” was closed, so Sidecast will record the entire screen. Choose another source to record it instead.'
    )
  })

  it('says nothing while the chosen source is there, or when none was chosen', () => {
    expect(vanishedNote([screen, notes], [screen, notes], notes.id)).toBeNull()
    expect(vanishedNote([screen, notes], [screen], screen.id)).toBeNull()
    expect(vanishedNote([screen, notes], [screen], null)).toBeNull()
  })
})
