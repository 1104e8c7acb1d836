import { describe, expect, it } from 'vitest'
import {
  buildGopIndex,
  extradataSpsIds,
  parseHexDump,
  parsePacketCsv,
  spsId,
  type VideoStreamParams
} from '../../../src/engine/gop-index'
import { concatList, preciseSeconds, splitTimes } from '../../../src/engine/smart-commands'
import { verifyWindows } from '../../../src/engine/render-verify'
import type { SmartSegment } from '../../../src/engine/smart-plan'

const STREAM: VideoStreamParams = {
  codec: 'h264',
  profile: 'Constrained Baseline',
  level: 31,
  width: 640,
  height: 360,
  pixFmt: 'yuvj420p',
  timeBase: '1/1000',
  sampleAspectRatio: '1:1',
  fieldOrder: 'progressive',
  hasBFrames: 0,
  spsIds: [0]
}

// Chromium's (OpenH264) parameter sets in its WebM, as ffprobe -show_data prints them.
const CHROMIUM_DUMP = `extradata=
00000000: 0000 0167 42c0 1f8c 8d40 5017 fcb3 7010  ...gB....@P...p.
00000010: d010 7844 2350 0000 0001 68ce 3c80 00    ..xD#P....h.<..
`

describe('GOP index', () => {
  it('reads packets, keyframes, frame length and the end from ffprobe CSV', () => {
    const csv = [
      '0.007000,0.007000,0.033000,K__',
      '0.040000,0.040000,0.033000,___',
      '0.073000,0.073000,0.034000,___',
      '1.007000,1.007000,0.033000,K__',
      '1.040000,1.040000,0.033000,___',
      'N/A,N/A,N/A,___',
      ''
    ].join('\n')
    const index = buildGopIndex(parsePacketCsv(csv), 0.007, STREAM)
    expect(index.gops).toEqual([
      { startMs: 0, endMs: 1000 },
      { startMs: 1000, endMs: 1066 }
    ])
    expect(index.frameMs).toBe(33)
    // The still stretch from 0.073 s to 1.007 s: one frame shown for 934 ms.
    expect(index.longestFrameMs).toBe(934)
    expect(index.reordered).toBe(false)
    expect(index.packets).toBe(5)
  })

  it('knows the longest a frame shows: a gap, or the last frame', () => {
    const even = ['0.000,0.000,0.033,K__', '0.033,0.033,0.033,___', '0.066,0.066,0.100,___']
    expect(buildGopIndex(parsePacketCsv(even.join('\n')), 0, STREAM).longestFrameMs).toBe(100)
    const steady = ['0.000,0.000,0.033,K__', '0.033,0.033,0.033,___', '0.066,0.066,0.033,___']
    expect(buildGopIndex(parsePacketCsv(steady.join('\n')), 0, STREAM).longestFrameMs).toBe(33)
  })

  it('notices B-frames from presentation order differing from decoding order', () => {
    const csv = ['0.000,0.000,0.04,K_', '0.080,0.040,0.04,__', '0.040,0.080,0.04,__'].join('\n')
    expect(buildGopIndex(parsePacketCsv(csv), 0, STREAM).reordered).toBe(true)
  })

  it('reads the SPS id from Annex B (Chromium WebM) and avcC extradata', () => {
    const annexB = parseHexDump(CHROMIUM_DUMP)
    expect(annexB.length).toBe(31)
    expect(extradataSpsIds(annexB)).toEqual([0])
    // avcC: version 1, profile, compat, level, length size, 1 SPS (id 1: ue "010"), 1 PPS.
    const sps = [0x67, 0x42, 0xc0, 0x1f, 0b01000000]
    const avcc = Uint8Array.from([
      1,
      0x42,
      0xc0,
      0x1f,
      0xff,
      0xe1,
      0,
      sps.length,
      ...sps,
      1,
      0,
      2,
      0x68,
      0xce
    ])
    expect(extradataSpsIds(avcc)).toEqual([1])
    expect(spsId(Uint8Array.from([0x67, 0x64, 0, 0x28, 0b00010000]))).toBe(7)
    expect(extradataSpsIds(new Uint8Array())).toEqual([])
  })
})

describe('smart commands', () => {
  const seg = (kind: 'copy' | 'encode', a: number, b: number, out: number): SmartSegment => ({
    kind,
    sourceStartMs: a,
    sourceEndMs: b,
    outputStartMs: out,
    durationMs: b - a
  })

  it('splits at every copied stretch’s ends except the file’s start and end', () => {
    const segments = [
      seg('copy', 0, 2000, 0),
      seg('encode', 2000, 2500, 2000),
      seg('encode', 4300, 5000, 2500),
      seg('copy', 5000, 10_000, 3200)
    ]
    expect(splitTimes(segments)).toEqual([2000, 5000])
    expect(splitTimes([seg('encode', 0, 1000, 0), seg('copy', 1000, 3000, 1000)])).toEqual([1000])
  })

  it('writes times in microseconds, never rounding a keyframe up past itself', () => {
    expect(preciseSeconds(1017)).toBe('1.017000')
    expect(preciseSeconds(845.0625)).toBe('0.845062')
    expect(preciseSeconds(1016.9999999999999)).toBe('1.017000')
  })

  it('lists each stretch with its planned length, quoting paths', () => {
    expect(concatList([{ file: "/tmp/it's/a.mkv", durationMs: 1500 }])).toBe(
      "ffconcat version 1.0\nfile '/tmp/it'\\''s/a.mkv'\nduration 1.500000\n"
    )
  })

  it('decodes around each join, merged, or the whole file when that is most of it', () => {
    // From 250 ms before a join (the seek then starts at the keyframe before) to 1.2 s after it.
    expect(verifyWindows([10_000, 11_000, 40_000], 60_000)).toEqual([
      [9750, 12_200],
      [39_750, 41_200]
    ])
    expect(verifyWindows([1000, 2000], 4000)).toBeNull()
    expect(verifyWindows([1000], 4000)).toEqual([[750, 2200]])
    expect(verifyWindows([], 60_000)).toEqual([])
  })
})
