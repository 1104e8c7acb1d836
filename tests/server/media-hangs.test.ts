/**
 * An ffprobe or ffmpeg that hangs and ignores SIGTERM (stand-in scripts through SIDECAST_FFPROBE
 * and SIDECAST_FFMPEG): past the configured timeout it is killed with its children, the upload
 * ends failed with a reason, and the server still stops. Stopping the server while one runs kills
 * it too, and the next start finishes the upload.
 */
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  alive,
  pidsIn,
  recordSteps,
  systemTools,
  uploadWhole,
  within,
  writeHangingTool
} from './media-support'
import {
  createUpload,
  getJson,
  makeVideo,
  patch,
  tempDir,
  waitFor,
  serversPerTest
} from './support'

let video: Buffer
const servers = serversPerTest()

beforeAll(async () => {
  video = await makeVideo(path.join(tempDir('hang-vid'), 'clip.mp4'))
})

const start = servers.start

describe.skipIf(process.platform !== 'linux')('a tool that hangs', () => {
  const real = systemTools()

  for (const which of ['ffprobe', 'ffmpeg'] as const) {
    it(`a hanging ${which} is killed after the timeout; the upload fails with a reason; the server stops`, async () => {
      const dir = tempDir(`hang-${which}`)
      const pidFile = path.join(dir, 'pids')
      const stub = writeHangingTool(dir, `hanging-${which}`, pidFile)
      const env: NodeJS.ProcessEnv = {
        ...real,
        SIDECAST_LIBRARY_MEDIA_TIMEOUT: '2s',
        ...(which === 'ffprobe' ? { SIDECAST_FFPROBE: stub } : { SIDECAST_FFMPEG: stub })
      }
      const s = await start({ env })

      const r = await within(20_000, 'the final PATCH', uploadWhole(s, video, 'hang.mp4'))
      expect(r.res.status, r.res.text).toBe(422)
      expect(r.error).toMatch(/took longer than 2 s/)
      const status = await getJson<{ state: string; error: string }>(s, `${r.up}/status`)
      expect(status.json).toMatchObject({ state: 'failed', error: r.error })

      // The script and the sleep it started are gone, although both ignore SIGTERM.
      const pids = pidsIn(pidFile)
      expect(pids.length).toBeGreaterThanOrEqual(2)
      await waitFor(
        'the hanging processes to be gone',
        async () => pids.every((p) => !alive(p)),
        5000
      )

      await within(10_000, 'stopping the server', s.close())
      servers.forget(s)
    })
  }

  it('stopping the server while ffprobe hangs kills it at once; the next start finishes the upload', async () => {
    const dir = tempDir('hang-stop')
    const pidFile = path.join(dir, 'pids')
    const stub = writeHangingTool(dir, 'hanging-ffprobe', pidFile)
    const log = recordSteps()
    const s = await start({
      hooks: log.hooks,
      env: { ...real, SIDECAST_FFPROBE: stub, SIDECAST_LIBRARY_MEDIA_TIMEOUT: '10m' }
    })
    const { path: up, id } = await createUpload(s, video.length, { filename: 'stop.mp4' })
    const final = patch(s, up, 0, video).catch(() => null) // the server goes away under it
    await waitFor('ffprobe to hang', async () => pidsIn(pidFile).length >= 2)
    expect(log.of(id)).toEqual(['probe'])

    await within(10_000, 'stopping the server', s.close())
    servers.forget(s)
    await final
    const pids = pidsIn(pidFile)
    await waitFor(
      'the hanging processes to be gone',
      async () => pids.every((p) => !alive(p)),
      5000
    )

    // Not the upload's fault: it is not failed, and the next start (with a working ffprobe)
    // finishes it.
    const next = await start({ dataDir: s.dataDir, reuse: s, env: real })
    const done = await waitFor('the upload to be finished on start', async () => {
      const st = await getJson<{ state: string; id?: string }>(next, `${up}/video`)
      return st.status === 200 ? st.json : null
    })
    expect(done.state).toBe('done')
    expect(fs.existsSync(path.join(next.dataDir, 'videos', id))).toBe(true)
  })
})
