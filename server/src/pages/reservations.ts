/**
 * Videos whose link exists before the video does (instant share): an upload reserves its video id
 * at creation and the app hands the link out at once. Until the video is in the library, the
 * link's page says where it is on its way; only its owner sees it in the library.
 */
import type { UploadRecord } from '../db/types'
import type { Reservation, ReservationState } from './views'

function stateOf(upload: UploadRecord): ReservationState {
  switch (upload.state) {
    case 'uploading':
      return upload.live ? 'recording' : 'uploading'
    case 'failed':
      return 'failed'
    default:
      return 'finishing' // processing (done is never a reservation: the video is there)
  }
}

function titleOf(upload: UploadRecord): string {
  try {
    const meta = JSON.parse(upload.metadata) as { title?: unknown }
    return typeof meta.title === 'string' ? meta.title : ''
  } catch {
    return ''
  }
}

/** How a reserved video's upload shows on its page and its owner's card. */
export function toReservation(upload: UploadRecord): Reservation {
  return {
    videoId: upload.videoId,
    title: titleOf(upload),
    state: stateOf(upload),
    createdAt: upload.createdAt,
    error: upload.error
  }
}
