import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findImportCycles } from '../../../scripts/check-cycles'

describe('the import-cycle check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sidecast-cycles-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('finds a cycle made only of type imports', async () => {
    writeFileSync(join(dir, 'a.ts'), "import type { B } from './b'\nexport type A = { b?: B }\n")
    writeFileSync(join(dir, 'b.ts'), "import type { A } from './a'\nexport type B = { a?: A }\n")
    writeFileSync(join(dir, 'c.ts'), "import type { A } from './a'\nexport type C = A\n")
    const cycles = await findImportCycles(['*.ts'], dir)
    expect(cycles).toHaveLength(1)
    expect(cycles[0]?.map((file) => file.replace(/\\/g, '/')).sort()).toEqual(['a.ts', 'b.ts'])
  })
})
