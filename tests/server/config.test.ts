/** Configuration: options over environment over defaults. */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, parseSize } from '../../server/src/config'

describe('loadConfig', () => {
  it('has embedded defaults, relative to where npm ran', () => {
    const c = loadConfig([], { INIT_CWD: '/srv/team' })
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: path.resolve('/srv/team/library-data'),
      publicUrl: 'http://127.0.0.1:8080',
      uploadExpiryMs: 24 * 3600 * 1000,
      s3: null
    })
    expect(c.maxUploadSize).toBe(10 * 1024 ** 3)
  })

  it('takes each option from the environment, and the command line over it', () => {
    const env = {
      INIT_CWD: '/srv',
      SIDECAST_LIBRARY_PORT: '9000',
      SIDECAST_LIBRARY_HOST: '0.0.0.0',
      SIDECAST_LIBRARY_DATA: 'lib',
      SIDECAST_LIBRARY_PUBLIC_URL: 'https://videos.example.com/',
      SIDECAST_LIBRARY_MAX_UPLOAD_SIZE: '2GB'
    }
    const fromEnv = loadConfig([], env)
    expect(fromEnv).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      dataDir: path.resolve('/srv/lib'),
      publicUrl: 'https://videos.example.com',
      maxUploadSize: 2 * 1024 ** 3
    })
    const fromArgs = loadConfig(
      [
        '--port',
        '9100',
        '--host=127.0.0.2',
        '--data',
        '/abs',
        '--public-url',
        'http://x.test/lib/',
        '--max-upload-size',
        '500MB'
      ],
      env
    )
    expect(fromArgs).toMatchObject({
      port: 9100,
      host: '127.0.0.2',
      dataDir: path.resolve('/abs'),
      publicUrl: 'http://x.test/lib',
      maxUploadSize: 500 * 1024 ** 2
    })
  })

  it('configures S3 from the environment with parts of at least 5 MiB', () => {
    const c = loadConfig([], {
      SIDECAST_S3_BUCKET: 'videos',
      SIDECAST_S3_ENDPOINT: 'http://minio:9000',
      SIDECAST_S3_FORCE_PATH_STYLE: 'true',
      SIDECAST_S3_PART_SIZE: '1MB'
    })
    expect(c.s3).toMatchObject({
      bucket: 'videos',
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
      region: 'us-east-1',
      partSize: 5 * 1024 * 1024
    })
  })

  it('refuses nonsense with a message', () => {
    expect(() => loadConfig(['--port', '99999'], {})).toThrow(ConfigError)
    expect(() => loadConfig(['--port', 'abc'], {})).toThrow(/--port/)
    expect(() => loadConfig(['--public-url', 'ftp://x'], {})).toThrow(/public-url/)
    expect(() => loadConfig(['--max-upload-size', 'lots'], {})).toThrow(/size/)
    expect(() => loadConfig(['--port'], {})).toThrow(/needs a value/)
    expect(parseSize('1.5g')).toBe(Math.floor(1.5 * 1024 ** 3))
    expect(parseSize('1024')).toBe(1024)
  })
})
