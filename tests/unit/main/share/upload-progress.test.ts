/** How far an upload is: fraction, speed over a sliding window, time left. */
import { describe, expect, it } from 'vitest'
import { addSample, speedOf, uploadInfo } from '../../../../src/main/share/upload-progress'
import type { Upload } from '../../../../src/main/share/upload-state'

const base: Upload = {
  id: 'u1',
  projectId: 'p1',
  title: 'Walkthrough',
  description: '',
  createdAt: '2026-11-29T12:00:00.000Z',
  state: 'uploading',
  source: 'recording',
  bytesTotal: 10_000,
  bytesSent: 2000,
  metadata: {}
}

describe('speed', () => {
  it('drops samples older than the window but always keeps two', () => {
    let samples = addSample([], { t: 0, bytes: 0 }, 5000)
    samples = addSample(samples, { t: 6000, bytes: 600 }, 5000)
    expect(samples).toHaveLength(2)
    samples = addSample(samples, { t: 7000, bytes: 700 }, 5000)
    expect(samples.map((s) => s.t)).toEqual([6000, 7000])
  })

  it.each([
    { samples: [], speed: null },
    { samples: [{ t: 0, bytes: 0 }], speed: null },
    {
      samples: [
        { t: 0, bytes: 0 },
        { t: 999, bytes: 999 }
      ],
      speed: null
    },
    {
      samples: [
        { t: 0, bytes: 0 },
        { t: 2000, bytes: 3000 }
      ],
      speed: 1500
    }
  ])('$samples.length samples: $speed B/s', ({ samples, speed }) => {
    expect(speedOf(samples)).toBe(speed)
  })
})

describe('uploadInfo', () => {
  const live = {
    exportFraction: 0.4,
    samples: [
      { t: 0, bytes: 0 },
      { t: 1000, bytes: 1000 }
    ]
  }
  it.each([
    { name: 'uploading', upload: base, fraction: 0.2, speedBps: 1000, etaMs: 8000 },
    {
      name: 'exporting',
      upload: { ...base, state: 'exporting' as const },
      fraction: 0.4,
      speedBps: null,
      etaMs: null
    },
    {
      name: 'paused',
      upload: { ...base, state: 'paused' as const },
      fraction: 0.2,
      speedBps: null,
      etaMs: null
    },
    {
      name: 'done',
      upload: { ...base, state: 'done' as const, url: 'https://lib.test/v/1' },
      fraction: 1,
      speedBps: null,
      etaMs: null
    },
    {
      name: 'size unknown',
      upload: { ...base, bytesTotal: null },
      fraction: 0,
      speedBps: 1000,
      etaMs: null
    }
  ])('$name', ({ upload, fraction, speedBps, etaMs }) => {
    expect(uploadInfo(upload, live)).toMatchObject({ fraction, speedBps, etaMs })
  })

  it("gives an exporting upload the export's own time left", () => {
    const exporting = { ...base, state: 'exporting' as const }
    expect(uploadInfo(exporting, { ...live, exportEtaMs: 4000 })).toMatchObject({
      fraction: 0.4,
      etaMs: 4000
    })
    expect(uploadInfo(exporting, { ...live, exportEtaMs: null }).etaMs).toBeNull()
  })

  it('tells only what the renderer needs', () => {
    const info = uploadInfo(
      { ...base, state: 'failed', error: 'e', needsToken: true, refusedToken: 't' },
      undefined
    )
    expect(info).toEqual({
      id: 'u1',
      projectId: 'p1',
      title: 'Walkthrough',
      state: 'failed',
      fraction: 0.2,
      bytesSent: 2000,
      bytesTotal: 10_000,
      speedBps: null,
      etaMs: null,
      createdAt: '2026-11-29T12:00:00.000Z',
      error: 'e',
      needsToken: true
    })
  })
})
