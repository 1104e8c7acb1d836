/**
 * Wire format of the harness bridge: the renderer's `window.api` calls travel over one WebSocket.
 * A request is one binary frame so recording chunks cross without base64 or copies:
 *   [u32 header length][header JSON, UTF-8][binary payload 0][binary payload 1]…
 * Byte arrays anywhere in the arguments are replaced in the header by `{ "__bin": index }`.
 * Replies and events are JSON text frames.
 */
import type { EventChannel, IpcResponse } from '../../../../src/shared/ipc'

export interface BridgeRequestHeader {
  readonly id: number
  readonly channel: string
  readonly args: unknown
  /** Byte length of each binary payload, in order. */
  readonly bins: number[]
}

export type BridgeServerMessage =
  | { readonly kind: 'reply'; readonly id: number; readonly response: IpcResponse<unknown> }
  | { readonly kind: 'event'; readonly channel: EventChannel; readonly payload: unknown }

interface BinRef {
  __bin: number
}

function isBinRef(value: unknown): value is BinRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as BinRef).__bin === 'number'
  )
}

function extractBinaries(value: unknown, out: Uint8Array[]): unknown {
  if (value instanceof Uint8Array) {
    out.push(value)
    return { __bin: out.length - 1 }
  }
  if (value instanceof ArrayBuffer) {
    out.push(new Uint8Array(value))
    return { __bin: out.length - 1 }
  }
  if (Array.isArray(value)) return value.map((v) => extractBinaries(v, out))
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) copy[k] = extractBinaries(v, out)
    return copy
  }
  return value
}

function restoreBinaries(value: unknown, bins: Uint8Array[]): unknown {
  if (isBinRef(value)) {
    const bin = bins[value.__bin]
    if (!bin) throw new Error(`Bridge frame refers to missing binary ${value.__bin}`)
    return bin
  }
  if (Array.isArray(value)) return value.map((v) => restoreBinaries(v, bins))
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) copy[k] = restoreBinaries(v, bins)
    return copy
  }
  return value
}

export function encodeRequest(id: number, channel: string, args: unknown[]): Uint8Array {
  const bins: Uint8Array[] = []
  const header: BridgeRequestHeader = {
    id,
    channel,
    args: extractBinaries(args, bins),
    bins: []
  }
  for (const b of bins) header.bins.push(b.byteLength)
  const headerBytes = new TextEncoder().encode(JSON.stringify(header))
  const total = 4 + headerBytes.byteLength + header.bins.reduce((a, b) => a + b, 0)
  const frame = new Uint8Array(total)
  new DataView(frame.buffer).setUint32(0, headerBytes.byteLength)
  frame.set(headerBytes, 4)
  let offset = 4 + headerBytes.byteLength
  for (const b of bins) {
    frame.set(b, offset)
    offset += b.byteLength
  }
  return frame
}

export function decodeRequest(frame: Uint8Array): { id: number; channel: string; args: unknown[] } {
  if (frame.byteLength < 4) throw new Error('Bridge frame too short')
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
  const headerLength = view.getUint32(0)
  if (4 + headerLength > frame.byteLength) throw new Error('Bridge frame header overruns the frame')
  const header = JSON.parse(
    new TextDecoder().decode(frame.subarray(4, 4 + headerLength))
  ) as BridgeRequestHeader
  const bins: Uint8Array[] = []
  let offset = 4 + headerLength
  for (const length of header.bins) {
    if (offset + length > frame.byteLength)
      throw new Error('Bridge frame binary overruns the frame')
    bins.push(frame.subarray(offset, offset + length))
    offset += length
  }
  const args = restoreBinaries(header.args, bins)
  if (!Array.isArray(args)) throw new Error('Bridge frame arguments must be an array')
  return { id: header.id, channel: header.channel, args }
}
