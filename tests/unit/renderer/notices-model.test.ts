import { describe, expect, it } from 'vitest'
import {
  addNotice,
  clearNotices,
  dismissNotice,
  resolvedUploadNoticeKeys,
  shownNotices,
  uploadNoticeKey,
  type Notice
} from '../../../src/renderer/src/ui/notices-model'

const refused: Notice = {
  id: 1,
  kind: 'error',
  message: 'The library refused the access token. Enter a new token in Settings.',
  key: uploadNoticeKey('p1')
}
const other: Notice = { id: 2, kind: 'error', message: 'Something else failed.' }

describe('notices model', () => {
  it('takes down the notice about an upload once that upload succeeds', () => {
    let list = addNotice(addNotice([], refused), other)
    // The queue then reports p1's upload as done (and p2's as failed, which keeps nothing up here).
    for (const key of resolvedUploadNoticeKeys([
      { projectId: 'p1', state: 'done' },
      { projectId: 'p2', state: 'failed' }
    ])) {
      list = clearNotices(list, key)
    }
    expect(list).toEqual([other])
  })

  it('keeps the notice while the upload is still failed, and drops it when it is retried', () => {
    const list = addNotice([], refused)
    const stillFailed = resolvedUploadNoticeKeys([{ projectId: 'p1', state: 'failed' }])
    expect(stillFailed).toEqual([])
    const retried = resolvedUploadNoticeKeys([{ projectId: 'p1', state: 'uploading' }])
    expect(retried.reduce(clearNotices, list)).toEqual([])
  })

  it('replaces an older notice about the same condition, and the same message', () => {
    const newer: Notice = { ...refused, id: 3, message: 'The upload failed again.' }
    expect(addNotice([refused, other], newer)).toEqual([other, newer])
    expect(addNotice([other], { ...other, id: 4 })).toEqual([{ ...other, id: 4 }])
  })

  it('clearing or dismissing what is not there changes nothing (no re-render)', () => {
    const list = [other]
    expect(clearNotices(list, uploadNoticeKey('p9'))).toBe(list)
    expect(dismissNotice(list, 99)).toBe(list)
    expect(dismissNotice(list, 2)).toEqual([])
  })

  it('shows nothing while the window is the recording bar, and the same notices after', () => {
    const list = [refused, other]
    expect(shownNotices(list, true)).toEqual([])
    expect(shownNotices(list, false)).toBe(list)
  })
})
