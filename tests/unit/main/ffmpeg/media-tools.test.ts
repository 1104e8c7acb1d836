import type { FfprobeData } from 'fluent-ffmpeg'
import { describe, expect, it } from 'vitest'
import { finalContainer, toMediaProbe } from '../../../../src/main/ffmpeg/media-tools'
import { lastErrorLine } from '../../../../src/engine/run-ffmpeg'

describe('finalContainer', () => {
  it.each([
    ['vp8', 'opus', 'webm'],
    ['vp9', 'opus', 'webm'],
    ['vp9', null, 'webm'],
    ['av1', 'opus', 'webm'],
    // ffmpeg's WebM muxer refuses H.264: Chromium's H.264 WebM must become MP4.
    ['h264', 'opus', 'mp4'],
    ['h264', 'aac', 'mp4'],
    ['h264', null, 'mp4'],
    ['vp8', 'aac', 'mkv'],
    ['h264', 'pcm_s16le', 'mkv'],
    ['mjpeg', null, 'mkv']
  ] as const)('%s + %s → %s', (video, audio, expected) => {
    expect(finalContainer(video, audio)).toBe(expected)
  })
})

function data(streams: Record<string, unknown>[], format: Record<string, unknown>): FfprobeData {
  return { streams, format, chapters: [] } as unknown as FfprobeData
}

describe('toMediaProbe', () => {
  const video = { index: 0, codec_type: 'video', codec_name: 'vp8', width: 1280, height: 720 }
  const audio = { index: 1, codec_type: 'audio', codec_name: 'opus' }

  it.each([
    {
      name: 'container duration, rounded to whole ms',
      input: data([video, audio], { duration: 12.3456, format_name: 'matroska,webm' }),
      expected: {
        durationMs: 12346,
        width: 1280,
        height: 720,
        videoCodec: 'vp8',
        audioCodec: 'opus',
        formatName: 'matroska,webm'
      }
    },
    {
      name: 'no container duration (MediaRecorder WebM): the longest stream',
      input: data(
        [
          { ...video, duration: '4.000' },
          { ...audio, duration: 4.02 }
        ],
        { duration: 'N/A', format_name: 'matroska,webm' }
      ),
      expected: { durationMs: 4020 }
    },
    {
      name: 'no duration anywhere: 0',
      input: data([video], { duration: 'N/A', format_name: 'matroska,webm' }),
      expected: { durationMs: 0, audioCodec: null }
    },
    {
      name: 'cover art is not the video',
      input: data(
        [
          { ...video, codec_name: 'mjpeg', disposition: { attached_pic: 1 } },
          { ...video, index: 2, codec_name: 'h264' }
        ],
        { duration: 1 }
      ),
      expected: { videoCodec: 'h264' }
    }
  ])('$name', ({ input, expected }) => {
    expect(toMediaProbe('/x/file.webm', input)).toMatchObject(expected)
  })

  it.each([
    ['no streams', data([], { duration: 3 })],
    ['audio only', data([audio], { duration: 3 })],
    ['a video stream without a size', data([{ ...video, width: 0 }], { duration: 3 })]
  ])('rejects %s as not a video, naming the file', (_label, input) => {
    expect(() => toMediaProbe('/x/file.webm', input)).toThrow(
      /file\.webm has no playable video stream/
    )
  })
})

describe('lastErrorLine', () => {
  it.each([
    [
      'Input #0...\n  Stream #0\n/x/in.webm: Invalid data found when processing input\n',
      '/x/in.webm: Invalid data found when processing input'
    ],
    ['Press [q] to stop, [?] for help\nframe=   72 fps=0.0\n', 'no details'],
    [null, 'no details']
  ])('%j → %j', (stderr, expected) => {
    expect(lastErrorLine(stderr)).toBe(expected)
  })
})
