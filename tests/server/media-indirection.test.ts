/**
 * Uploads that point ffmpeg at other files: HLS playlists, concat lists, `file:` and `subfile:`
 * URLs, uploaded under a video's name. ffmpeg would open the path they name and a frame of that
 * file would become the thumbnail; whether the path exists would change the answer. Each is
 * refused with 422 and a reason, the same reason whether or not its target exists, and nothing
 * of the target reaches a thumbnail or the library.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordSteps, systemTools, uploadWhole, type StepLog } from './media-support'
import { ffmpeg, makeVideo, startServer, tempDir, type TestServer } from './support'

let s: TestServer
let log: StepLog
let outside: string
let beside: string

/** A 2 s solid red MPEG-TS: the "secret" a playlist would leak into a thumbnail. */
async function redClip(file: string): Promise<void> {
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'color=c=red:s=320x240:d=2',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'mpegts',
    file
  ])
}

beforeAll(async () => {
  log = recordSteps()
  s = await startServer({ hooks: log.hooks, env: systemTools() })
  outside = path.join(tempDir('secret'), 'red.ts')
  await redClip(outside)
  // Beside the uploads themselves, where a relative name in a list would reach (another
  // user's unfinished upload lives there).
  beside = path.join(s.dataDir, 'uploads', 'planted-red.ts')
  fs.copyFileSync(outside, beside)
})

afterAll(async () => {
  await s?.close()
})

const hls = (entry: string): string =>
  `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${entry}\n#EXT-X-ENDLIST\n`

/** Each attack, given the path of the file it names (absolute, or a name beside the upload). */
const attacks: [string, (target: { abs: string; rel: string }) => string][] = [
  ['an HLS playlist naming a local file', ({ abs }) => hls(abs)],
  ['an HLS playlist with a file: URL', ({ abs }) => hls(`file:${abs}`)],
  ['an HLS playlist with a subfile: URL', ({ abs }) => hls(`subfile,,start,0,end,0,,:${abs}`)],
  [
    'an ffconcat list naming a file beside the upload',
    ({ rel }) => `ffconcat version 1.0\nfile '${rel}'\n`
  ],
  [
    'an ffconcat list with a subfile: URL',
    ({ abs }) => `ffconcat version 1.0\nfile 'subfile,,start,0,end,0,,:${abs}'\n`
  ],
  ['a concat list without its header', ({ rel }) => `file '${rel}'\n`]
]

function thumbnails(): string[] {
  return fs.readdirSync(path.join(s.dataDir, 'thumbs'))
}

describe('uploads that name other files', () => {
  for (const [label, make] of attacks) {
    it(`${label} is refused with 422 and a reason, alike whether its target exists`, async () => {
      const thumbsBefore = thumbnails()
      const present = await uploadWhole(
        s,
        Buffer.from(make({ abs: outside, rel: path.basename(beside) })),
        'present.mp4'
      )
      const missing = await uploadWhole(
        s,
        Buffer.from(make({ abs: `${outside}.missing`, rel: 'missing-red.ts' })),
        'missing.mp4'
      )
      expect(present.res.status, present.res.text).toBe(422)
      expect(present.error).toMatch(/MP4|WebM|Matroska/)
      // No oracle: the answer does not depend on whether the named file exists.
      expect(missing.res.status).toBe(present.res.status)
      expect(missing.error).toBe(present.error)
      // Nothing was decoded from it, no thumbnail was made, nothing is listed.
      for (const up of [present, missing]) {
        expect(log.of(up.id)).not.toContain('decode-tail')
        expect(log.of(up.id)).not.toContain('thumbnail')
        expect((await s.app.library.db.getUpload(up.id))?.state).toBe('failed')
      }
      expect(thumbnails()).toEqual(thumbsBefore)
      expect(await s.app.library.db.searchVideos('', { limit: 1000 })).toEqual([])
    })
  }
})

describe('real containers still pass', () => {
  it('an MP4, a WebM and a Matroska file are accepted with thumbnails', async () => {
    const dir = tempDir('containers')
    const mp4 = await makeVideo(path.join(dir, 'a.mp4'))
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=25:duration=2',
      '-c:v',
      'libvpx',
      '-b:v',
      '200k',
      path.join(dir, 'b.webm')
    ])
    await ffmpeg(['-i', path.join(dir, 'a.mp4'), '-c', 'copy', path.join(dir, 'c.mkv')])
    for (const [file, bytes] of [
      ['a.mp4', mp4],
      ['b.webm', fs.readFileSync(path.join(dir, 'b.webm'))],
      ['c.mkv', fs.readFileSync(path.join(dir, 'c.mkv'))]
    ] as const) {
      const r = await uploadWhole(s, bytes, file)
      expect(r.res.status, `${file}: ${r.res.text}`).toBe(204)
      const video = await s.app.library.db.getVideo(r.res.headers['sidecast-video-id'] as string)
      expect(video?.hasThumbnail).toBe(true)
      expect(video?.durationMs).toBeGreaterThan(1500)
    }
  })
})
