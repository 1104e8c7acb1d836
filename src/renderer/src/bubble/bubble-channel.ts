/**
 * The camera bubble window and the main window share an origin, so they talk over a
 * BroadcastChannel: the recorder says whether the camera is on; the bubble, when it opens, asks.
 * Nothing goes through main, and a window that is not there simply hears nothing.
 */

export const BUBBLE_CHANNEL = 'sidecast-camera-bubble'

export type BubbleMessage =
  /** From the recorder: whether the camera shows (switched on in the bar, not lost). */
  | { readonly type: 'camera'; readonly on: boolean }
  /** From the bubble: it has just opened and wants to know. */
  | { readonly type: 'hello' }

export function isBubbleMessage(value: unknown): value is BubbleMessage {
  if (typeof value !== 'object' || value === null) return false
  const message = value as { type?: unknown; on?: unknown }
  return message.type === 'hello' || (message.type === 'camera' && typeof message.on === 'boolean')
}

/** Opens the channel (null where BroadcastChannel does not exist); `onMessage` hears the other side. */
export function openBubbleChannel(
  onMessage: (message: BubbleMessage) => void
): { post(message: BubbleMessage): void; close(): void } | null {
  if (typeof BroadcastChannel === 'undefined') return null
  const channel = new BroadcastChannel(BUBBLE_CHANNEL)
  channel.onmessage = (event: { readonly data: unknown }) => {
    if (isBubbleMessage(event.data)) onMessage(event.data)
  }
  return {
    post: (message) => channel.postMessage(message),
    close: () => channel.close()
  }
}

/** The bubble page's address part: `#bubble?camera=<id>`. */
export function bubbleHash(cameraId: string): string {
  return `#bubble?camera=${encodeURIComponent(cameraId)}`
}

/** The camera id when `hash` is the bubble page's, else null (the main window). */
export function bubbleCameraFromHash(hash: string): string | null {
  const match = /^#bubble(?:\?(.*))?$/.exec(hash)
  if (!match) return null
  return new URLSearchParams(match[1] ?? '').get('camera') || 'default'
}
