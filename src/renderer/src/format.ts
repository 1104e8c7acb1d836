/** Formatting shared by the recorder and the recordings list. */

/** `m:ss`, or `h:mm:ss` from an hour on; e.g. 151000 → "2:31". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const ss = String(s).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** The recorder's timer: always `mm:ss` (or `h:mm:ss`), so the bar's width does not jump. */
export function formatTimer(ms: number): string {
  const text = formatDuration(ms)
  return /^\d:\d\d$/.test(text) ? `0${text}` : text
}

/** e.g. "1920×1080". */
export function formatResolution(width: number | null, height: number | null): string | null {
  return width && height ? `${width}×${height}` : null
}

/** e.g. "12.3 MB". */
export function formatBytes(bytes: number | null): string | null {
  if (bytes === null) return null
  if (bytes < 1000 * 1000) return `${Math.max(1, Math.round(bytes / 1000))} kB`
  if (bytes < 1000 * 1000 * 1000) return `${(bytes / 1e6).toFixed(1)} MB`
  return `${(bytes / 1e9).toFixed(2)} GB`
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** The user's locale's way of writing a date and time; the ISO text if it does not parse. */
export function formatDate(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date)
}

/**
 * An Electron accelerator as people write it on this platform, e.g.
 * "CommandOrControl+Shift+R" → "Ctrl+Shift+R" (or "Cmd+Shift+R" on macOS).
 */
export function formatAccelerator(accelerator: string, platform: string): string {
  const mac = platform === 'darwin'
  const names: Record<string, string> = {
    commandorcontrol: mac ? 'Cmd' : 'Ctrl',
    cmdorctrl: mac ? 'Cmd' : 'Ctrl',
    command: 'Cmd',
    cmd: 'Cmd',
    control: 'Ctrl',
    ctrl: 'Ctrl',
    alt: 'Alt',
    option: 'Option',
    altgr: 'AltGr',
    shift: 'Shift',
    super: mac ? 'Cmd' : 'Super',
    meta: mac ? 'Cmd' : 'Super'
  }
  return accelerator
    .split('+')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => names[part.toLowerCase()] ?? part)
    .join('+')
}
