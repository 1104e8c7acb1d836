/**
 * The `sidecast-media:` protocol: the renderer plays recordings and shows thumbnails from project
 * folders through it, with Range support so <video> can seek. Registered with the app scheme in
 * app-protocol.ts (Electron takes one registration call).
 */
import { protocol, type CustomScheme } from 'electron'
import { createMediaResponder, type MediaResponderOptions } from '../projects/media-response'
import { MEDIA_SCHEME, parseMediaUrl } from './media-url'

/**
 * stream: <video> plays while the file streams in. corsEnabled: the editor fetches the recording
 * to draw its waveform, and the page (app://sidecast, or the dev server) is another origin.
 */
export const MEDIA_SCHEME_REGISTRATION: CustomScheme = {
  scheme: MEDIA_SCHEME,
  privileges: {
    standard: true,
    secure: true,
    supportFetchAPI: true,
    stream: true,
    corsEnabled: true
  }
}

/** Serves project files to the renderer at `rendererOrigin`; call once the app is ready. */
export function handleMediaProtocol(
  options: Pick<MediaResponderOptions, 'projectDir'> & {
    /** The page's origin (app://sidecast, or the dev server's), allowed to read the bytes. */
    readonly rendererOrigin: string
  }
): void {
  protocol.handle(
    MEDIA_SCHEME,
    createMediaResponder({
      projectDir: options.projectDir,
      parseUrl: parseMediaUrl,
      allowOrigin: options.rendererOrigin
    })
  )
}
