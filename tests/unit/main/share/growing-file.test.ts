/**
 * The growing-file reader on real temp files, appended to while it reads: it reads only what is
 * written, waits for more, ends at the final length, survives a read of nothing new, and stops
 * promptly when cancelled. No timing is asserted: every wait is for a condition.
 */
import { appendFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createGrowingFile, type GrowingFile } from '../../../../src/main/share/growing-file'
import { tempDir } from '../helpers/fakes'

let dir: string
let cleanup: () => Promise<void>
let file: string
let readers: GrowingFile[]

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir('sidecast-growing-'))
  file = join(dir, 'capture.webm')
  readers = []
})

afterEach(async () => {
  for (const reader of readers) reader.close()
  await cleanup()
})

function reader(options: {
  sealedSize?: number
  isWritten?: () => boolean
  watch?: boolean
}): GrowingFile {
  const made = createGrowingFile({
    path: file,
    isWritten: options.isWritten ?? (() => true),
    pollMs: 20,
    ...(options.sealedSize !== undefined ? { sealedSize: options.sealedSize } : {}),
    ...(options.watch !== undefined ? { watch: options.watch } : {})
  })
  readers.push(made)
  return made
}

/** Whether a promise has settled after the event loop had a few turns (never a timed assertion). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  promise.then(
    () => (done = true),
    () => (done = true)
  )
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
  return done
}

describe('growing file', () => {
  it.each([
    // [what is written, the read asked for, what it answers]
    { written: 'abcdef', start: 0, end: 4, expected: 'abcd' },
    { written: 'abcdef', start: 2, end: 100, expected: 'cdef' },
    { written: 'abcdef', start: 5, end: 6, expected: 'f' }
  ])(
    'reads only what is written: [$start, $end) of "$written" is "$expected"',
    async ({ written, start, end, expected }) => {
      await writeFile(file, written)
      const read = await reader({}).read(start, end)
      expect(read.bytes.toString('latin1')).toBe(expected)
      expect(read.done).toBe(false)
    }
  )

  it('waits for more when nothing new is written, and answers with the bytes once they are', async () => {
    await writeFile(file, 'abc')
    const growing = reader({})
    const pending = growing.read(3, 100)
    expect(await settled(pending)).toBe(false)
    await appendFile(file, 'defg')
    const read = await pending
    expect(read.bytes.toString('latin1')).toBe('defg')
    expect(read.done).toBe(false)
  })

  it('finds new bytes by polling when no watch hint comes', async () => {
    await writeFile(file, '')
    const growing = reader({ watch: false })
    const pending = growing.read(0, 10)
    expect(await settled(pending)).toBe(false)
    await appendFile(file, 'xyz')
    expect((await pending).bytes.toString('latin1')).toBe('xyz')
  })

  it('ends at the sealed length: the last bytes, then done with nothing', async () => {
    await writeFile(file, 'abcdef')
    const growing = reader({})
    expect((await growing.read(0, 4)).done).toBe(false)
    growing.seal(6)
    const last = await growing.read(4, 100)
    expect(last.bytes.toString('latin1')).toBe('ef')
    expect(last.done).toBe(true)
    const after = await growing.read(6, 100)
    expect(after.bytes.length).toBe(0)
    expect(after.done).toBe(true)
  })

  it('a seal wakes a read that waits for more', async () => {
    await writeFile(file, 'abc')
    const growing = reader({})
    const pending = growing.read(3, 100)
    expect(await settled(pending)).toBe(false)
    growing.seal(3)
    expect(await pending).toEqual({ bytes: Buffer.alloc(0), done: true })
  })

  it('a file sealed before reading answers done exactly at its end', async () => {
    await writeFile(file, 'abcdefgh')
    const growing = reader({ sealedSize: 8 })
    expect(await growing.available(0, 8)).toEqual({ end: 8, done: true })
    expect(await growing.available(0, 5)).toEqual({ end: 5, done: false })
    expect(await growing.available(8, 16)).toEqual({ end: 8, done: true })
  })

  it('a file nothing writes to any more ends at its size (after a crash)', async () => {
    await writeFile(file, 'abcd')
    let written = true
    const growing = reader({ isWritten: () => written })
    const pending = growing.read(4, 10)
    expect(await settled(pending)).toBe(false)
    written = false
    expect(await pending).toEqual({ bytes: Buffer.alloc(0), done: true })
    expect(growing.sealedSize()).toBe(4)
  })

  it('survives a read of nothing new: waiting never ends the file', async () => {
    await writeFile(file, 'ab')
    const growing = reader({})
    // Several polls pass with nothing new; the read keeps waiting instead of ending.
    const pending = growing.read(2, 10)
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 30))
      expect(await settled(pending)).toBe(false)
    }
    expect(growing.sealedSize()).toBeNull()
    await appendFile(file, 'c')
    expect((await pending).bytes.toString('latin1')).toBe('c')
  })

  it('is cancelled promptly by its signal, and by close', async () => {
    await writeFile(file, 'ab')
    const growing = reader({})
    const controller = new AbortController()
    const byAbort = growing.read(2, 10, controller.signal)
    expect(await settled(byAbort)).toBe(false)
    controller.abort()
    await expect(byAbort).rejects.toMatchObject({ name: 'AbortError' })

    const byClose = growing.available(2, 10)
    expect(await settled(byClose)).toBe(false)
    growing.close()
    await expect(byClose).rejects.toMatchObject({ name: 'AbortError' })
    await expect(growing.read(0, 1)).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('says so when the file is gone or shorter than its sealed size', async () => {
    await writeFile(file, 'abc')
    await expect(reader({ sealedSize: 10 }).read(0, 10)).rejects.toMatchObject({
      code: 'capture-truncated'
    })
    await rm(file)
    await expect(reader({}).read(0, 10)).rejects.toMatchObject({ code: 'capture-missing' })
  })

  it('refuses a range that is not one', async () => {
    await writeFile(file, 'abc')
    const growing = reader({})
    await expect(growing.read(-1, 2)).rejects.toThrow(RangeError)
    await expect(growing.read(2, 2)).rejects.toThrow(RangeError)
    expect(() => growing.seal(-3)).toThrow(RangeError)
  })

  it('follows a file appended to in many small writes, byte for byte', async () => {
    await writeFile(file, '')
    const growing = reader({})
    const expected: Buffer[] = []
    const writer = (async () => {
      for (let i = 0; i < 40; i++) {
        const piece = Buffer.alloc(1 + ((i * 37) % 300), i)
        expected.push(piece)
        await appendFile(file, piece)
        if (i % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 5))
      }
      growing.seal(Buffer.concat(expected).length)
    })()
    const got: Buffer[] = []
    let offset = 0
    for (;;) {
      const { bytes, done } = await growing.read(offset, offset + 256)
      expect(bytes.length).toBeLessThanOrEqual(256)
      if (!done) expect(bytes.length).toBeGreaterThan(0)
      got.push(bytes)
      offset += bytes.length
      if (done) break
    }
    await writer
    expect(Buffer.concat(got).equals(Buffer.concat(expected))).toBe(true)
  })

  it('reads 0-based slices of a binary file exactly', async () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) % 256))
    await writeFile(file, data)
    const read = await reader({ sealedSize: 1000 }).read(123, 456)
    expect(read.bytes.equals(data.subarray(123, 456))).toBe(true)
  })
})
