import { describe, expect, it } from 'vitest'
import {
  isTrustedSender,
  rendererLocation,
  type RendererLocation
} from '../../../src/main/electron/trusted-sender'

const prod: RendererLocation = {
  kind: 'file',
  indexUrl: 'file:///opt/Sidecast/resources/app.asar/out/renderer/index.html'
}
const dev: RendererLocation = { kind: 'dev', origin: 'http://localhost:5173' }

describe('isTrustedSender', () => {
  it.each([
    // url, isMainFrame, allowed, trusted
    ['file:///opt/Sidecast/resources/app.asar/out/renderer/index.html', true, prod, true],
    ['file:///opt/Sidecast/resources/app.asar/out/renderer/index.html#/settings', true, prod, true],
    ['file:///opt/Sidecast/resources/app.asar/out/renderer/index.html?x=1', true, prod, true],
    ['file:///opt/Sidecast/resources/app.asar/out/renderer/index.html', false, prod, false],
    ['file:///opt/Sidecast/resources/app.asar/out/renderer/other.html', true, prod, false],
    ['file:///tmp/index.html', true, prod, false],
    [
      'file:///opt/Sidecast/resources/app.asar/out/renderer/../renderer/index.html',
      true,
      prod,
      true
    ],
    ['https://example.com/', true, prod, false],
    ['http://localhost:5173/', true, prod, false],
    ['http://localhost:5173/', true, dev, true],
    ['http://localhost:5173/src/main.tsx', true, dev, true],
    ['http://localhost:5173/', false, dev, false],
    ['http://localhost:5174/', true, dev, false],
    ['http://127.0.0.1:5173/', true, dev, false],
    ['https://localhost:5173/', true, dev, false],
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
  const indexFileUrl = 'file:///app/out/renderer/index.html'
  it.each([
    [
      { devServerUrl: 'http://localhost:5173/', isPackaged: false },
      { kind: 'dev', origin: 'http://localhost:5173' }
    ],
    // A packaged app never trusts a dev server, whatever the environment says.
    [
      { devServerUrl: 'http://localhost:5173/', isPackaged: true },
      { kind: 'file', indexUrl: indexFileUrl }
    ],
    [
      { devServerUrl: undefined, isPackaged: false },
      { kind: 'file', indexUrl: indexFileUrl }
    ],
    [
      { devServerUrl: 'garbage', isPackaged: false },
      { kind: 'file', indexUrl: indexFileUrl }
    ]
  ])('%j → %j', (options, expected) => {
    expect(rendererLocation({ ...options, indexFileUrl })).toEqual(expected)
  })
})
