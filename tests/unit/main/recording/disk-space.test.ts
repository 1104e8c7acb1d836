import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { assertEnoughSpace, freeBytes } from '../../../../src/main/recording/disk-space'

const MB = 1024 * 1024

describe('disk space', () => {
  it('reads real free space', async () => {
    expect(await freeBytes(tmpdir())).toBeGreaterThan(0)
  })

  it.each([
    [2048 * MB, 1024, true],
    [1024 * MB, 1024, true],
    [1024 * MB - 1, 1024, false],
    [0, 0, true]
  ])('%d bytes free with a %d MB minimum → ok %s', (free, min, ok) => {
    const check = (): void => assertEnoughSpace('/data', free, min)
    if (ok) expect(check).not.toThrow()
    else expect(check).toThrow()
  })

  it('says how much is free, how much is needed and what to do', () => {
    expect(() => assertEnoughSpace('/data/projects', 312 * MB + 5, 1024)).toThrow(
      'Only 312 MB free on /data/projects. Sidecast needs at least 1024 MB to record safely. Free some space and try again.'
    )
  })
})
