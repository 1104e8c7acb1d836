/**
 * How a finished export was made, in the quiet words the export dialog shows under its result:
 * "Fast export: 96% copied" when smart rendering copied the untouched stretches, "Full export:
 * <why>" when it re-encoded every frame. It is information, not a warning: a full export is a
 * correct file, only slower to make. Pure, so it is tested without React.
 */
import type { RenderSummary } from '../../../shared/ipc'
import { formatPercent } from '../format'

/** The line for `render`, or null when main did not say how it rendered (nothing to show). */
export function renderWords(render: RenderSummary | undefined): string | null {
  if (!render) return null
  if (render.mode === 'smart') {
    const fraction = render.copiedFraction
    if (!Number.isFinite(fraction)) return 'Fast export'
    // Rounded down, so a file with anything re-encoded never claims 100%; a sliver is not 0%.
    if (fraction > 0 && fraction < 0.01) return 'Fast export: under 1% copied'
    return `Fast export: ${formatPercent(fraction)} copied`
  }
  const reason = reasonPhrase(render.reason)
  return reason ? `Full export: ${reason}` : 'Full export: every frame re-encoded'
}

/**
 * The engine's reason as the tail of "Full export: …": trimmed, without a closing full stop (the
 * line has none), and starting in lower case unless its first word is a name or an acronym
 * ("VP9 …", "H.264 …").
 */
function reasonPhrase(reason: string | null): string {
  const text = (reason ?? '').trim().replace(/\.+$/, '')
  if (!text) return ''
  const firstWord = text.split(/\s/, 1)[0] ?? ''
  // A capital or digit after the first letter marks a name: VP9, H.264, MP4, SIDECAST_SMART_RENDER.
  const keepsCapital = /[A-Z0-9]/.test(firstWord.slice(1))
  return keepsCapital ? text : text[0]!.toLowerCase() + text.slice(1)
}
