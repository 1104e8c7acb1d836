import { describe, expect, it } from 'vitest'
import {
  APP_RENDERER,
  isTrustedSender,
  rendererLocation,
  type RendererLocation
} from '../../../src/main/electron/trusted-sender'

const prod = APP_RENDERER
const dev: RendererLocation = {
  kind: 'dev',
  origin: 'http://localhost:5173',
  url: 'http://localhost:5173/'
}

describe('isTrustedSender', () => {
  it.each([
    // url, isMainFrame, allowed, trusted
    ['app://sidecast/index.html', true, prod, true],
    ['app://sidecast/index.html#/settings', true, prod, true],
    ['app://sidecast/index.html?x=1', true, prod, true],
    ['app://sidecast/', true, prod, true],
    ['app://sidecast/index.html', false, prod, false],
    // Another host, a port or credentials is another origin.
    ['app://other/index.html', true, prod, false],
    ['app://sidecast.evil/index.html', true, prod, false],
    ['app://sidecast:8080/index.html', true, prod, false],
    ['app://user@sidecast/index.html', true, prod, false],
    ['sidecast-media://sidecast/index.html', true, prod, false],
    // The built renderer is never trusted as a file any more, wherever it is.
    ['file:///opt/Sidecast/resources/app.asar/out/renderer/index.html', true, prod, false],
    ['file:///tmp/index.html', true, prod, false],
    ['file://sidecast/index.html', true, prod, false],
    ['https://example.com/', true, prod, false],
    ['http://localhost:5173/', true, prod, false],
    ['http://localhost:5173/', true, dev, true],
    ['http://localhost:5173/src/main.tsx', true, dev, true],
    ['http://localhost:5173/', false, dev, false],
    ['http://localhost:5174/', true, dev, false],
    ['http://127.0.0.1:5173/', true, dev, false],
    ['https://localhost:5173/', true, dev, false],
    ['app://sidecast/index.html', true, dev, false],
    ['file:///opt/Sidecast/resources/app.asar/out/renderer/index.html', true, dev, false],
    ['about:blank', true, prod, false],
    ['not a url', true, prod, false],
    ['', true, prod, false],
    [null, true, prod, false],
    [undefined, true, dev, false]
  ] as const)('%j (main frame: %s) in %j → %s', (url, isMainFrame, allowed, trusted) => {
    expect(isTrustedSender(url, isMainFrame, allowed)).toBe(trusted)
  })
})

describe('rendererLocation', () => {
  it.each([
    [
      { devServerUrl: 'http://localhost:5173/', isPackaged: false },
      { kind: 'dev', origin: 'http://localhost:5173', url: 'http://localhost:5173/' }
    ],
    // A packaged app never trusts a dev server, whatever the environment says.
    [{ devServerUrl: 'http://localhost:5173/', isPackaged: true }, APP_RENDERER],
    [{ devServerUrl: undefined, isPackaged: false }, APP_RENDERER],
    [{ devServerUrl: 'garbage', isPackaged: false }, APP_RENDERER],
    // Only a web server can be the dev server.
    [{ devServerUrl: 'file:///tmp/index.html', isPackaged: false }, APP_RENDERER]
  ])('%j → %j', (options, expected) => {
    expect(rendererLocation(options)).toEqual(expected)
  })

  it('loads the built renderer from the app scheme', () => {
    expect(APP_RENDERER).toEqual({
      kind: 'app',
      origin: 'app://sidecast',
      url: 'app://sidecast/index.html'
    })
  })
})
