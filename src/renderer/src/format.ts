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

/** A transfer rate in the same units as formatBytes, e.g. 4_200_000 → "4.2 MB/s"; null when unknown. */
export function formatSpeed(bytesPerSecond: number | null): string | null {
  if (bytesPerSecond === null || !Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) {
    return null
  }
  if (bytesPerSecond < 1000 * 1000) return `${Math.max(1, Math.round(bytesPerSecond / 1000))} kB/s`
  if (bytesPerSecond < 1000 * 1000 * 1000) return `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`
  return `${(bytesPerSecond / 1e9).toFixed(2)} GB/s`
}

/**
 * Time left in words, rounded the way people say it: "12 s left", "1 min left",
 * "1 h 5 min left"; null when unknown (the caller says it is still estimating).
 */
export function formatTimeLeft(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return null
  const seconds = Math.ceil(ms / 1000)
  if (seconds < 60) return `${Math.max(1, seconds)} s left`
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min left`
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  return m === 0 ? `${h} h left` : `${h} h ${m} min left`
}

/** A 0–1 fraction as a whole percentage, never showing 100% before it is really complete. */
export function formatPercent(fraction: number): string {
  return `${percentOf(fraction)}%`
}

/** The whole percentage (0–100) of a 0–1 fraction, rounded down; out-of-range values clamp. */
export function percentOf(fraction: number): number {
  if (!Number.isFinite(fraction)) return 0
  return Math.floor(Math.min(1, Math.max(0, fraction)) * 100 + 1e-9)
}

/**
 * A link short enough for a card: no scheme, no trailing slash, and the middle elided when long,
 * e.g. "https://library.example.com/v/8f3a9c…" → "library.example.com/v/8f3a…c21d".
 */
export function formatShortUrl(url: string, maxLength = 42): string {
  const bare = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '')
  if (bare.length <= maxLength) return bare
  const tail = Math.max(4, Math.floor(maxLength / 4))
  return `${bare.slice(0, maxLength - tail - 1)}…${bare.slice(-tail)}`
}

/** The last part of a file path (either separator), e.g. "/a/b/clip.mp4" → "clip.mp4". */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/)
  return parts[parts.length - 1] || path
}
