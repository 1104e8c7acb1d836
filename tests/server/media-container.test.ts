/** Which containers the library takes, told from the first bytes alone. */
import { describe, expect, it } from 'vitest'
import { containerOf } from '../../server/src/media/container'

const box = (type: string, size = 24): Buffer => {
  const b = Buffer.alloc(16)
  b.writeUInt32BE(size, 0)
  b.write(type, 4, 'latin1')
  return b
}

describe('containerOf', () => {
  it('takes MP4/MOV and Matroska/WebM', () => {
    expect(containerOf(box('ftyp'))?.demuxer).toBe('mov')
    expect(containerOf(box('moov'))?.demuxer).toBe('mov')
    expect(containerOf(box('wide', 8))?.demuxer).toBe('mov')
    expect(containerOf(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42]))?.demuxer).toBe('matroska')
  })

  it('refuses playlists, lists, other formats and nothing', () => {
    for (const text of [
      '#EXTM3U\n#EXTINF:2,\n/etc/passwd\n',
      'ffconcat version 1.0\nfile a.ts\n',
      "file '/etc/passwd'\n",
      'subfile,,start,0,end,0,,:/etc/passwd',
      'RIFF....AVI LIST'
    ]) {
      expect(containerOf(Buffer.from(text)), text).toBeNull()
    }
    expect(containerOf(Buffer.from([0x47, 0x40, 0x00, 0x10, 0, 0, 0, 0]))).toBeNull() // MPEG-TS
    expect(containerOf(box('ftyp', 3))).toBeNull()
    expect(containerOf(Buffer.alloc(0))).toBeNull()
  })
})
