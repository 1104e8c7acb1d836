/**
 * Words of Share while recording that main (the OS notification at Stop) and the renderer (the
 * notice at Stop) both say, written once so the two never drift apart.
 */

/**
 * Said once, at Stop, when the recording's upload followed it and the library already reserved
 * its link (which is on the clipboard): nothing more is said when the upload later finishes.
 */
export const LINK_COPIED_AT_STOP = 'Link copied — the video will be ready in a moment.'

/** As LINK_COPIED_AT_STOP when "Copy the link after uploading" is off: the link is not copied. */
export const LINK_READY_AT_STOP = 'The link is ready — the video will be ready in a moment.'

/** The OS notification's title at Stop (a title has no full stop; its body is the recording's title). */
export function notificationTitle(words: string): string {
  return words.replace(/\.$/, '')
}
