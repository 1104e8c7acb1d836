/**
 * s3rver 3.7.1 implements CreateMultipartUpload, UploadPart and CompleteMultipartUpload but not
 * ListParts, AbortMultipartUpload or ListMultipartUploads, which @tus/s3-store calls (ListParts
 * to learn an upload's offset, Abort on termination, ListMultipartUploads for expiry). This adds
 * the missing three as a Koa middleware over s3rver's own on-disk multipart state.
 *
 * It also answers `Range: bytes=0-0` with the first byte, as S3 does: s3rver reads an end of 0
 * as "to the end" and sends the whole object (the storage contract's range reads found it).
 */
import fs from 'node:fs'
import path from 'node:path'
import type S3rver from 's3rver'

interface KoaCtx {
  method: string
  path: string
  headers: Record<string, string | undefined>
  set(name: string, value: string): void
  query: Record<string, string | undefined>
  status: number
  body: unknown
  type: string
}

interface Store {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string
}

const xmlEscape = (t: string): string =>
  t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function noSuchUpload(ctx: KoaCtx, uploadId: string): void {
  ctx.status = 404
  ctx.type = 'application/xml'
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message><UploadId>${xmlEscape(uploadId)}</UploadId></Error>`
}

export function addMultipartOperations(server: S3rver): void {
  const app = server as unknown as {
    middleware: ((ctx: KoaCtx, next: () => Promise<void>) => Promise<void>)[]
    context: { store: Store }
  }
  const store = app.context.store
  app.middleware.unshift(async (ctx, next) => {
    const [, bucket, ...keyParts] = decodeURIComponent(ctx.path).split('/')
    const key = keyParts.join('/')
    const uploadId = ctx.query.uploadId
    if (!bucket) return next()
    const uploadsDir = store.getResourcePath(bucket, undefined, 'uploads')

    if (ctx.method === 'GET' && key && ctx.headers.range === 'bytes=0-0') {
      const file = store.getResourcePath(bucket, key, 'object')
      if (!fs.existsSync(file)) return next()
      const fd = fs.openSync(file, 'r')
      const first = Buffer.alloc(1)
      const read = fs.readSync(fd, first, 0, 1, 0)
      fs.closeSync(fd)
      if (read === 0) return next() // empty: s3rver answers 416
      ctx.status = 206
      ctx.set('Accept-Ranges', 'bytes')
      ctx.set('Content-Range', `bytes 0-0/${fs.statSync(file).size}`)
      ctx.type = 'application/octet-stream'
      ctx.body = first
      return
    }
    if (ctx.method === 'GET' && key && uploadId !== undefined) {
      const dir = path.join(uploadsDir, path.basename(uploadId))
      if (!fs.existsSync(dir)) return noSuchUpload(ctx, uploadId)
      const parts = fs
        .readdirSync(dir)
        .filter((n) => /^\d+$/.test(n))
        .map(Number)
        .sort((a, b) => a - b)
        .map((n) => {
          const file = path.join(dir, String(n))
          const md5 = fs.existsSync(`${file}.md5`) ? fs.readFileSync(`${file}.md5`, 'utf8') : ''
          const stat = fs.statSync(file)
          return `<Part><PartNumber>${n}</PartNumber><LastModified>${stat.mtime.toISOString()}</LastModified><ETag>"${md5}"</ETag><Size>${stat.size}</Size></Part>`
        })
      ctx.status = 200
      ctx.type = 'application/xml'
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?><ListPartsResult><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${xmlEscape(uploadId)}</UploadId><IsTruncated>false</IsTruncated>${parts.join('')}</ListPartsResult>`
      return
    }
    if (ctx.method === 'DELETE' && key && uploadId !== undefined) {
      const dir = path.join(uploadsDir, path.basename(uploadId))
      if (!fs.existsSync(dir)) return noSuchUpload(ctx, uploadId)
      fs.rmSync(dir, { recursive: true, force: true })
      ctx.status = 204
      ctx.body = null
      return
    }
    if (ctx.method === 'GET' && !key && ctx.query.uploads !== undefined) {
      const ids = fs.existsSync(uploadsDir) ? fs.readdirSync(uploadsDir) : []
      const uploads = ids
        .filter((id) => fs.existsSync(path.join(uploadsDir, id, 'key')))
        .map((id) => {
          const dir = path.join(uploadsDir, id)
          const k = fs.readFileSync(path.join(dir, 'key'), 'utf8')
          return `<Upload><Key>${xmlEscape(k)}</Key><UploadId>${xmlEscape(id)}</UploadId><Initiated>${fs.statSync(path.join(dir, 'key')).mtime.toISOString()}</Initiated></Upload>`
        })
      ctx.status = 200
      ctx.type = 'application/xml'
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>${xmlEscape(bucket)}</Bucket><IsTruncated>false</IsTruncated>${uploads.join('')}</ListMultipartUploadsResult>`
      return
    }
    return next()
  })
}
