/**
 * Naming and choosing capture sources. Pure: capture.ts feeds it desktopCapturer's answer.
 */
import type { CaptureSource } from '../../shared/ipc'

/** What capture.ts extracts from a DesktopCapturerSource. */
export interface RawCaptureSource {
  readonly id: string
  readonly name: string
  /** Matches screen.getAllDisplays()[n].id for screens; empty when unknown. */
  readonly displayId: string
  readonly thumbnailDataUrl: string | null
  /** The window's app icon as a data URL, or null (screens, or none given). */
  readonly appIconDataUrl?: string | null
}

export function sourceKind(id: string): 'screen' | 'window' {
  return id.startsWith('screen:') ? 'screen' : 'window'
}

/**
 * Screens first, named so the user can tell them apart: "Entire screen" when there is one, else
 * "Entire screen 1 — <display label>", … ("Entire screen" stays in every screen's name, which is
 * also how the e2e tests and screen readers find it). Windows keep their titles and app icons;
 * untitled windows and `excludeIds` (Sidecast's own window: recording it would record the
 * recorder) are left out.
 */
export function toCaptureSources(
  raw: readonly RawCaptureSource[],
  displayLabels: ReadonlyMap<string, string> = new Map(),
  excludeIds: readonly string[] = []
): CaptureSource[] {
  const screens = raw.filter((s) => sourceKind(s.id) === 'screen')
  const windows = raw.filter(
    (s) => sourceKind(s.id) === 'window' && s.name.trim() !== '' && !excludeIds.includes(s.id)
  )
  const named = screens.map((s, index): CaptureSource => {
    let name = 'Entire screen'
    if (screens.length > 1) {
      const label = displayLabels.get(s.displayId)?.trim()
      name = `Entire screen ${index + 1}${label ? ` — ${label}` : ''}`
    }
    return { id: s.id, name, kind: 'screen', thumbnailDataUrl: s.thumbnailDataUrl }
  })
  return [
    ...named,
    ...windows.map((s): CaptureSource => ({
      id: s.id,
      name: s.name,
      kind: 'window',
      thumbnailDataUrl: s.thumbnailDataUrl,
      appIconDataUrl: s.appIconDataUrl ?? null
    }))
  ]
}

/**
 * The source to answer getDisplayMedia with: the one chosen in settings, or the first screen when
 * none was chosen or the chosen one has gone (window closed, display unplugged).
 */
export function chooseSource<S extends { readonly id: string }>(
  sources: readonly S[],
  selectedId: string
): S | null {
  if (selectedId) {
    const chosen = sources.find((s) => s.id === selectedId)
    if (chosen) return chosen
  }
  return sources.find((s) => sourceKind(s.id) === 'screen') ?? null
}
