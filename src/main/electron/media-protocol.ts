/**
 * The `sidecast-media:` protocol: the renderer plays recordings and shows thumbnails from project
 * folders through it, with Range support so <video> can seek.
 */
import { protocol } from 'electron'
import { createMediaResponder, type MediaResponderOptions } from '../projects/media-response'
import { MEDIA_SCHEME, parseMediaUrl } from './media-url'

/** Must run before the app is ready. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: MEDIA_SCHEME,
      // corsEnabled: the editor fetches the recording to draw its waveform, and the app page
      // (file://) is another origin than sidecast-media://.
      privileges: {
        standard: true,
        secure: true,
        supportFetchAPI: true,
        stream: true,
        corsEnabled: true
      }
    }
  ])
}

/** Serves project files; call once the app is ready. */
export function handleMediaProtocol(options: Pick<MediaResponderOptions, 'projectDir'>): void {
  protocol.handle(MEDIA_SCHEME, createMediaResponder({ ...options, parseUrl: parseMediaUrl }))
}
