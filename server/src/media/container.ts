/**
 * Which containers the library accepts, told from an upload's first bytes. ffmpeg guesses a
 * format from the content and some formats are lists of other files (HLS playlists, concat
 * lists): an upload named `.mp4` that is really a playlist makes ffmpeg open the local paths it
 * names. So the library never lets ffmpeg guess: it reads the first bytes itself, accepts only
 * MP4/MOV (ISO base media) and Matroska/WebM, and pins that demuxer (`-f`) on every run.
 */
import fsp from 'node:fs/promises'

/** An ffmpeg demuxer the library runs uploads through, with the names ffprobe reports for it. */
export interface Container {
  /** The demuxer pinned with `-f`. */
  demuxer: 'mov' | 'matroska'
  /** ffprobe's `format_name` for it. */
  formatName: string
  /** Demuxer options that keep it from opening anything but the upload. */
  options: string[]
}

const MOV: Container = {
  demuxer: 'mov',
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  // External data references ("drefs") name other files; ffmpeg ignores them by default, and
  // the library says so rather than rely on a default.
  options: ['-enable_drefs', '0']
}

const MATROSKA: Container = { demuxer: 'matroska', formatName: 'matroska,webm', options: [] }

/** The first box types an ISO base media file (MP4, MOV) can start with. */
const FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide'])

/** The container `head` (an upload's first bytes) begins, or null for anything else. */
export function containerOf(head: Buffer): Container | null {
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return MATROSKA // EBML
  if (head.length >= 8) {
    const size = head.readUInt32BE(0)
    const type = head.toString('latin1', 4, 8)
    if (FIRST_BOXES.has(type) && (size === 0 || size === 1 || size >= 8)) return MOV
  }
  return null
}

/** Reads the first bytes of `file` and tells its container (null: not one the library takes). */
export async function sniffContainer(file: string): Promise<Container | null> {
  const handle = await fsp.open(file, 'r')
  try {
    const head = Buffer.alloc(16)
    const { bytesRead } = await handle.read(head, 0, head.length, 0)
    return containerOf(head.subarray(0, bytesRead))
  } finally {
    await handle.close()
  }
}
