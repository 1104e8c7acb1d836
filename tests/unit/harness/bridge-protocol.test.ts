import { describe, expect, it } from 'vitest'
import { decodeRequest, encodeRequest } from '../../e2e/harness/client/bridge-protocol'

describe('harness bridge protocol', () => {
  it.each([
    ['no arguments', 'app:info', []],
    ['plain JSON', 'projects:rename', ['20261129-101010-ab12', 'Onboarding: deploys']],
    ['a chunk', 'recording:chunk', ['p1', 7, new Uint8Array([0, 1, 2, 255])]],
    ['an empty chunk', 'recording:chunk', ['p1', 0, new Uint8Array(0)]],
    ['nested bytes', 'settings:set', [{ a: [new Uint8Array([9]), { b: new Uint8Array([8, 7]) }] }]]
  ])('round-trips %s', (_name, channel, args) => {
    const frame = encodeRequest(42, channel, args)
    const decoded = decodeRequest(frame)
    expect(decoded.id).toBe(42)
    expect(decoded.channel).toBe(channel)
    expect(decoded.args).toEqual(args)
  })

  it('carries binary payloads as bytes, not as JSON', () => {
    const chunk = new Uint8Array(64 * 1024).fill(7)
    const frame = encodeRequest(1, 'recording:chunk', ['p', 0, chunk])
    expect(frame.byteLength).toBeLessThan(chunk.byteLength + 200)
    const decoded = decodeRequest(frame)
    expect(decoded.args[2]).toBeInstanceOf(Uint8Array)
    expect((decoded.args[2] as Uint8Array).byteLength).toBe(chunk.byteLength)
  })

  it.each([
    ['too short', new Uint8Array([0, 0])],
    ['header overruns', new Uint8Array([0, 0, 0, 99, 123])]
  ])('rejects a malformed frame: %s', (_name, frame) => {
    expect(() => decodeRequest(frame)).toThrow(/Bridge frame/)
  })

  it('rejects a frame whose binary overruns it', () => {
    const frame = encodeRequest(1, 'recording:chunk', ['p', 0, new Uint8Array([1, 2, 3])])
    expect(() => decodeRequest(frame.subarray(0, frame.byteLength - 1))).toThrow(/overruns/)
  })
})
