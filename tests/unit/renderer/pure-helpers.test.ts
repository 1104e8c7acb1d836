import { describe, expect, it } from 'vitest'
import { levelFromSamples } from '../../../src/renderer/src/recorder/audio-level'
import { ElapsedClock } from '../../../src/renderer/src/recorder/elapsed-clock'
import {
  chooseMimeType,
  mimeCandidates,
  videoBitsPerSecond
} from '../../../src/renderer/src/recorder/mime-type'
import { SilenceWatch } from '../../../src/renderer/src/recorder/silence-watch'
import {
  formatAccelerator,
  formatDuration,
  formatResolution,
  formatTimer
} from '../../../src/renderer/src/format'
import { recoveryMessage } from '../../../src/renderer/src/recordings/recovery-message'
import { sourcePhrase } from '../../../src/renderer/src/recorder/source-phrase'

describe('chooseMimeType', () => {
  const supports =
    (...types: string[]) =>
    (type: string): boolean =>
      types.includes(type)

  it.each([
    {
      name: 'H.264 when available',
      supported: ['video/webm;codecs=h264,opus', 'video/webm;codecs=vp9,opus', 'video/webm'],
      withAudio: true,
      expected: 'video/webm;codecs=h264,opus'
    },
    {
      name: 'VP9 without H.264',
      supported: ['video/webm;codecs=vp9,opus', 'video/webm;codecs=vp8,opus'],
      withAudio: true,
      expected: 'video/webm;codecs=vp9,opus'
    },
    {
      name: 'VP8 as the last codec',
      supported: ['video/webm;codecs=vp8,opus', 'video/webm'],
      withAudio: true,
      expected: 'video/webm;codecs=vp8,opus'
    },
    {
      name: 'plain WebM as the fallback',
      supported: ['video/webm'],
      withAudio: true,
      expected: 'video/webm'
    },
    {
      name: 'no Opus suffix without a microphone',
      supported: ['video/webm;codecs=h264', 'video/webm;codecs=h264,opus'],
      withAudio: false,
      expected: 'video/webm;codecs=h264'
    },
    {
      name: 'ignores audio variants when recording without a microphone',
      supported: ['video/webm;codecs=h264,opus', 'video/webm;codecs=vp8'],
      withAudio: false,
      expected: 'video/webm;codecs=vp8'
    },
    {
      name: 'null when nothing is supported',
      supported: ['video/mp4'],
      withAudio: true,
      expected: null
    }
  ])('$name', ({ supported, withAudio, expected }) => {
    expect(chooseMimeType(supports(...supported), withAudio)).toBe(expected)
  })

  it('lists the candidates in the documented order', () => {
    expect(mimeCandidates(true)).toEqual([
      'video/webm;codecs=h264,opus',
      'video/webm;codecs=vp9,opus',
      'video/webm;codecs=vp8,opus',
      'video/webm'
    ])
    expect(mimeCandidates(false)).toEqual([
      'video/webm;codecs=h264',
      'video/webm;codecs=vp9',
      'video/webm;codecs=vp8',
      'video/webm'
    ])
  })
})

describe('videoBitsPerSecond', () => {
  it.each([
    { width: 1280, height: 720, expected: 2_500_000 },
    { width: 640, height: 480, expected: 2_500_000 },
    { width: 3840, height: 2160, expected: 6_000_000 },
    { width: 7680, height: 4320, expected: 6_000_000 },
    { width: null, height: null, expected: 4_000_000 },
    { width: 0, height: 1080, expected: 4_000_000 }
  ])('$width×$height → $expected', ({ width, height, expected }) => {
    expect(videoBitsPerSecond(width, height)).toBe(expected)
  })

  it('grows with the pixel count between 720p and 4K', () => {
    const hd = videoBitsPerSecond(1920, 1080)
    const qhd = videoBitsPerSecond(2560, 1440)
    expect(hd).toBeGreaterThan(2_500_000)
    expect(qhd).toBeGreaterThan(hd)
    expect(qhd).toBeLessThan(6_000_000)
  })
})

describe('ElapsedClock', () => {
  type Step = readonly ['start' | 'pause' | 'resume', number]
  it.each<{ name: string; steps: readonly Step[]; at: number; expected: number }>([
    { name: 'before start', steps: [], at: 5000, expected: 0 },
    { name: 'running', steps: [['start', 1000]], at: 4500, expected: 3500 },
    {
      name: 'frozen while paused',
      steps: [
        ['start', 0],
        ['pause', 2000]
      ],
      at: 9000,
      expected: 2000
    },
    {
      name: 'excludes one pause',
      steps: [
        ['start', 0],
        ['pause', 2000],
        ['resume', 5000]
      ],
      at: 6000,
      expected: 3000
    },
    {
      name: 'excludes several pauses',
      steps: [
        ['start', 100],
        ['pause', 1100],
        ['resume', 2100],
        ['pause', 3100],
        ['resume', 10_100]
      ],
      at: 11_100,
      expected: 3000
    },
    {
      name: 'ignores a second pause and a stray resume',
      steps: [
        ['start', 0],
        ['resume', 500],
        ['pause', 1000],
        ['pause', 3000],
        ['resume', 4000]
      ],
      at: 5000,
      expected: 2000
    }
  ])('$name', ({ steps, at, expected }) => {
    const clock = new ElapsedClock()
    for (const [action, time] of steps) clock[action](time)
    expect(clock.elapsedMs(at)).toBe(expected)
  })
})

describe('formatting', () => {
  it.each([
    [0, '0:00', '00:00'],
    [999, '0:00', '00:00'],
    [61_000, '1:01', '01:01'],
    [151_000, '2:31', '02:31'],
    [600_000, '10:00', '10:00'],
    [3_723_000, '1:02:03', '1:02:03']
  ])('%i ms → %s / timer %s', (ms, duration, timer) => {
    expect(formatDuration(ms)).toBe(duration)
    expect(formatTimer(ms)).toBe(timer)
  })

  it.each([
    ['CommandOrControl+Shift+R', 'linux', 'Ctrl+Shift+R'],
    ['CommandOrControl+Shift+R', 'darwin', 'Cmd+Shift+R'],
    ['Alt+F9', 'win32', 'Alt+F9'],
    ['CmdOrCtrl+Alt+Space', 'win32', 'Ctrl+Alt+Space']
  ])('%s on %s → %s', (accelerator, platform, expected) => {
    expect(formatAccelerator(accelerator, platform)).toBe(expected)
  })

  it('writes resolutions only when known', () => {
    expect(formatResolution(1920, 1080)).toBe('1920×1080')
    expect(formatResolution(null, 1080)).toBeNull()
  })

  it('words recovery notices', () => {
    expect(
      recoveryMessage({ projectId: 'a', title: 'Demo', durationMs: 151_000, problem: null })
    ).toBe('Sidecast closed unexpectedly while recording. We recovered “Demo” (2:31).')
    expect(
      recoveryMessage({
        projectId: 'a',
        title: 'Demo',
        durationMs: null,
        problem: 'The file is empty.'
      })
    ).toBe('Sidecast closed unexpectedly while recording “Demo”. The file is empty.')
  })

  it.each([
    [
      'window-reloaded',
      null,
      'Sidecast’s window reloaded while recording, so the recording stopped there. “Demo” (2:31) is saved.'
    ],
    [
      'window-crashed',
      null,
      'Sidecast’s window stopped working while recording, so the recording stopped there. “Demo” (2:31) is saved.'
    ],
    [
      'window-reloaded',
      'ffmpeg was not found.',
      'Sidecast’s window reloaded while recording “Demo”. ffmpeg was not found.'
    ]
  ] as const)('words a notice for a lost window (%s, problem %j)', (cause, problem, text) => {
    expect(
      recoveryMessage({ projectId: 'a', title: 'Demo', durationMs: 151_000, problem, cause })
    ).toBe(text)
  })
})

describe('levelFromSamples and SilenceWatch', () => {
  it.each([
    { name: 'digital silence', samples: [0, 0, 0, 0], expected: 0 },
    { name: 'full-scale square wave', samples: [1, -1, 1, -1], expected: 1 },
    { name: '-30 dBFS', samples: [0.0316228, -0.0316228], expected: 0.5 },
    { name: 'below the floor', samples: [0.0001, -0.0001], expected: 0 }
  ])('$name → $expected', ({ samples, expected }) => {
    expect(levelFromSamples(samples)).toBeCloseTo(expected, 3)
  })

  it('warns only after the first seconds stayed silent', () => {
    const watch = new SilenceWatch(0.05, 3000)
    expect(watch.sample(0, 0)).toBe(false)
    expect(watch.sample(2900, 0.01)).toBe(false)
    expect(watch.sample(3000, 0.01)).toBe(true)
    // Sound clears the warning for good.
    expect(watch.sample(3500, 0.4)).toBe(false)
    expect(watch.sample(9000, 0)).toBe(false)
  })

  it('never warns when sound was heard early', () => {
    const watch = new SilenceWatch(0.05, 3000)
    expect(watch.sample(200, 0.3)).toBe(false)
    expect(watch.sample(5000, 0)).toBe(false)
  })
})

describe('sourcePhrase', () => {
  it.each([
    [null, 'Pick a screen or window below'],
    [
      { id: 'screen:1:0', name: 'Entire screen', kind: 'screen', thumbnailDataUrl: null },
      'Records Entire screen'
    ],
    [
      {
        id: 'system-picker',
        name: 'Choose in the system dialog',
        kind: 'screen',
        thumbnailDataUrl: null,
        systemPicker: true
      },
      'Records what you choose in the system dialog'
    ]
  ] as const)('%j → %s', (source, phrase) => {
    expect(sourcePhrase(source)).toBe(phrase)
  })
})
