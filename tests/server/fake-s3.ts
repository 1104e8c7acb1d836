/**
 * A fake S3 for the tests: s3rver on 127.0.0.1 with a temp directory, one bucket, and the
 * multipart operations it lacks (s3rver-multipart.ts); `env` points the library server at it.
 */
import S3rver from 's3rver'
import { addMultipartOperations } from './s3rver-multipart'
import { tempDir } from './support'

export interface FakeS3 {
  /** The SIDECAST_S3_* settings for the library server (parts of S3's minimum, 5 MiB). */
  env: NodeJS.ProcessEnv
  close(): Promise<void>
}

export async function startFakeS3(bucket = 'sidecast-test'): Promise<FakeS3> {
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: tempDir('s3'),
    configureBuckets: [{ name: bucket }]
  })
  addMultipartOperations(s3)
  const { port } = await s3.run()
  return {
    env: {
      SIDECAST_S3_BUCKET: bucket,
      SIDECAST_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      SIDECAST_S3_REGION: 'us-east-1',
      SIDECAST_S3_ACCESS_KEY_ID: 'S3RVER',
      SIDECAST_S3_SECRET_ACCESS_KEY: 'S3RVER',
      SIDECAST_S3_FORCE_PATH_STYLE: '1',
      SIDECAST_S3_PART_SIZE: '1MB' // raised to S3's 5 MiB minimum
    },
    close: () => s3.close()
  }
}
