/** The media limits in the configuration: options over environment over defaults. */
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, parseDuration, parseFrameSize } from '../../server/src/config'

describe('media limits', () => {
  it('have defaults', () => {
    expect(loadConfig([], {}).media).toEqual({
      maxFrameWidth: 7680,
      maxFrameHeight: 4320,
      maxDurationMs: 4 * 3600 * 1000,
      concurrency: 1,
      timeoutMs: 2 * 60 * 1000,
      killGraceMs: 2000,
      memoryLimit: 2 * 1024 ** 3,
      ffmpeg: null,
      ffprobe: null
    })
  })

  it('come from the environment, and the command line over it', () => {
    const env = {
      SIDECAST_LIBRARY_MAX_FRAME_SIZE: '3840x2160',
      SIDECAST_LIBRARY_MAX_DURATION: '90m',
      SIDECAST_LIBRARY_PROCESSING_CONCURRENCY: '3',
      SIDECAST_LIBRARY_MEDIA_TIMEOUT: '30s',
      SIDECAST_LIBRARY_MEDIA_MEMORY_LIMIT: 'off',
      SIDECAST_FFMPEG: '/opt/ffmpeg/bin/ffmpeg',
      SIDECAST_FFPROBE: '/opt/ffmpeg/bin/ffprobe'
    }
    expect(loadConfig([], env).media).toMatchObject({
      maxFrameWidth: 3840,
      maxFrameHeight: 2160,
      maxDurationMs: 90 * 60 * 1000,
      concurrency: 3,
      timeoutMs: 30_000,
      memoryLimit: 0,
      ffmpeg: '/opt/ffmpeg/bin/ffmpeg',
      ffprobe: '/opt/ffmpeg/bin/ffprobe'
    })
    const fromArgs = loadConfig(
      [
        '--max-frame-size',
        '1920x1080',
        '--max-duration=1h30m',
        '--processing-concurrency',
        '2',
        '--media-timeout',
        '5m',
        '--media-memory-limit',
        '1GB'
      ],
      env
    )
    expect(fromArgs.media).toMatchObject({
      maxFrameWidth: 1920,
      maxFrameHeight: 1080,
      maxDurationMs: 90 * 60 * 1000,
      concurrency: 2,
      timeoutMs: 5 * 60 * 1000,
      memoryLimit: 1024 ** 3
    })
  })

  it('refuse nonsense with a message', () => {
    expect(() => loadConfig(['--max-frame-size', 'huge'], {})).toThrow(/frame size/)
    expect(() => loadConfig(['--max-frame-size', '0x100'], {})).toThrow(ConfigError)
    expect(() => loadConfig(['--max-duration', 'forever'], {})).toThrow(/not a time/)
    expect(() => loadConfig(['--processing-concurrency', '0'], {})).toThrow(/1–64/)
    expect(() => loadConfig(['--processing-concurrency', 'two'], {})).toThrow(/1–64/)
    expect(() => loadConfig(['--media-timeout', '-5s'], {})).toThrow(ConfigError)
    expect(() => loadConfig(['--media-memory-limit', 'lots'], {})).toThrow(/size/)
  })

  it('read times and frame sizes as people write them', () => {
    expect(parseDuration('90')).toBe(90_000)
    expect(parseDuration('1.5s')).toBe(1500)
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration('2 min')).toBe(120_000)
    expect(parseDuration('4h')).toBe(4 * 3600 * 1000)
    expect(parseDuration('1h30m')).toBe(90 * 60 * 1000)
    expect(parseFrameSize('7680x4320')).toEqual({ width: 7680, height: 4320 })
    expect(parseFrameSize('1920×1080')).toEqual({ width: 1920, height: 1080 })
  })
})
