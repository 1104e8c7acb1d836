/** Fixtures for the page tests: a small real video and a tus upload done with plain fetch. */
import { encodeMetadata, ffmpeg } from '../support'

/** A 6-second 320×180 VP8 WebM (keyframe every second, so seeks land quickly). */
export async function makeTestVideo(file: string): Promise<void> {
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x180:rate=15:duration=6',
    '-c:v',
    'libvpx',
    '-b:v',
    '300k',
    '-g',
    '15',
    '-pix_fmt',
    'yuv420p',
    file
  ])
}

/**
 * Uploads `bytes` through the tus endpoint (creation, then one PATCH) and returns the video id
 * the server reports on the final response.
 */
export async function tusUpload(
  base: string,
  token: string,
  bytes: Buffer,
  meta: Record<string, string>
): Promise<string> {
  const common = { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${token}` }
  const created = await fetch(`${base}/api/uploads`, {
    method: 'POST',
    headers: {
      ...common,
      'Upload-Length': String(bytes.length),
      'Upload-Metadata': encodeMetadata(meta)
    }
  })
  if (created.status !== 201) {
    throw new Error(`tus creation answered ${created.status}: ${await created.text()}`)
  }
  const location = new URL(created.headers.get('location') ?? '', base).toString()
  const patched = await fetch(location, {
    method: 'PATCH',
    headers: {
      ...common,
      'Content-Type': 'application/offset+octet-stream',
      'Upload-Offset': '0'
    },
    body: bytes
  })
  if (patched.status !== 204) {
    throw new Error(`tus PATCH answered ${patched.status}: ${await patched.text()}`)
  }
  const id = patched.headers.get('sidecast-video-id')
  if (id) return id
  // The video may still be processing: ask what became of the upload.
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const status = await fetch(`${location}/status`, { headers: common })
    const body = (await status.json()) as { state?: string; id?: string; error?: string }
    if (body.state === 'done' && body.id) return body.id
    if (body.state === 'failed') throw new Error(`upload failed: ${body.error ?? '?'}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error('the upload did not become a video within 30 s')
}
