/** Upload-Metadata `answers`: sent for a new video (ordinary and live), never for a replacement. */
import { describe, expect, it } from 'vitest'
import { liveMetadata, metadataFor, uploadMetadata } from '../../../../src/main/share/upload-plan'
import { emptyEdits } from '../../../../src/shared/edits'

const SOURCE = {
  projectId: '2026-12-03_1000_abcd',
  title: 'How do I reconcile supplier invoices?',
  description: '',
  edits: emptyEdits(),
  durationMs: 5000,
  exported: false,
  extension: 'webm'
}

describe('answers metadata', () => {
  it('names the request for a new video', () => {
    expect(metadataFor({ ...SOURCE, answers: 'Req_1' }).answers).toBe('Req_1')
    expect(
      metadataFor({ ...SOURCE, exported: true, extension: 'mp4', answers: 'Req_1' }).answers
    ).toBe('Req_1')
  })

  it('is not sent for a new version of a video already in the library', () => {
    const meta = metadataFor({ ...SOURCE, replaces: 'vid123', answers: 'Req_1' })
    expect(meta.replaces).toBe('vid123')
    expect(meta).not.toHaveProperty('answers')
  })

  it('is carried by a live upload (Share while recording)', () => {
    const meta = liveMetadata({
      projectId: SOURCE.projectId,
      title: SOURCE.title,
      extension: 'webm',
      answers: 'Req_1'
    })
    expect(meta).toMatchObject({ live: '1', answers: 'Req_1' })
    expect(
      liveMetadata({ projectId: SOURCE.projectId, title: 'x', extension: 'webm' })
    ).not.toHaveProperty('answers')
  })

  it('is left out when absent or not a request id', () => {
    expect(metadataFor(SOURCE)).not.toHaveProperty('answers')
    for (const bad of ['a b', '../x', 'x'.repeat(65), 'é']) {
      expect(
        uploadMetadata({
          projectId: SOURCE.projectId,
          title: 't',
          description: '',
          extension: 'webm',
          durationMs: null,
          callouts: [],
          answers: bad
        })
      ).not.toHaveProperty('answers')
    }
  })
})
