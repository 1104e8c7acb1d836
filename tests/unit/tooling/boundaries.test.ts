/**
 * The import boundaries are lint rules (eslint.config.js); these cases show that each one fails
 * where it should and stays quiet where imports are allowed.
 */
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// The cases are made-up files, not in any tsconfig: the server's type-aware rules (floating
// promises) cannot parse them, and they are not what is tested here, so they are off.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: {
    files: ['server/**/*.ts'],
    languageOptions: { parserOptions: { project: false } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
      '@typescript-eslint/await-thenable': 'off'
    }
  }
})
// Loading the project's config (typescript-eslint with TypeScript, react-hooks with Babel) and
// the rules takes seconds, on a busy machine many more. That is the file's setup, like an import:
// done here as it loads, not charged to whichever case happens to run first.
await eslint.lintText('export const warm = 1\n', { filePath: 'src/renderer/src/warm-up.ts' })

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x\n`, { filePath })
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message)
}

describe('import boundaries', () => {
  it.each([
    [
      'src/renderer/src/editor/x.ts',
      "import { x } from '../../../main/ffmpeg/run-ffmpeg'",
      /window\.api/
    ],
    ['src/renderer/src/x.ts', "import { x } from 'electron'", /Electron is main/],
    ['src/renderer/src/editor/x.tsx', "import { x } from 'node:fs'", /Node built-ins/],
    ['src/renderer/src/x.ts', "import { x } from 'path'", /Node built-ins/],
    ['src/preload/x.ts', "import { x } from '../main/index'", /contract/],
    ['src/main/share/x.ts', "import { x } from '../../renderer/src/format'", /IPC contract/],
    [
      'server/src/pages/x.ts',
      "import { x } from '../../../src/main/export/export-service'",
      /src\/shared \(types and pure functions\) and src\/engine/
    ],
    ['server/src/x.ts', "import { x } from 'electron'", /plain Node/],
    ['src/shared/x.ts', "import { x } from '../main/index'", /nothing from outside/],
    [
      'src/shared/callouts/x.ts',
      "import { x } from '../../renderer/src/format'",
      /nothing from outside/
    ],
    ['src/shared/x.ts', "import { x } from 'react'", /imports no package/],
    ['src/shared/x.ts', "import { x } from 'node:path'", /Node built-ins/],
    ['src/shared/callouts/x.ts', "export { x } from 'node:crypto'\nconst x = 1", /Node built-ins/],
    ['src/renderer/src/ui/x.tsx', "import { x } from '../editor/labels'", /serve every view/],
    ['src/renderer/src/lib/x.ts', "import { x } from 'electron'", /Electron is main/],
    ['src/main/share/x.ts', "import { x } from 'electron'", /Electron stays at the edge/],
    ['src/main/export/x.ts', "import x from 'fluent-ffmpeg'", /only through src\/main\/ffmpeg/],
    ['src/main/share/upload-queue.ts', "import { x } from 'tus-js-client'", /tus-layer/],
    ['src/main/ffmpeg/x.ts', "import { x } from '@resvg/resvg-js'", /callout-raster/],
    ['src/main/electron/x.ts', "import x from 'electron-store'", /index\.ts/],
    ['src/main/share/x.ts', "import x from 'electron-updater'", /electron\/updater\.ts/],
    ['src/main/electron/x.ts', "import x from 'electron-updater'", /electron\/updater\.ts/],
    ['src/main/updates/x.ts', "import { x } from 'node:fs'", /updates\/ holds the update rules/],
    ['src/main/updates/x.ts', "import { x } from 'electron'", /Electron stays at the edge/],
    ['src/engine/x.ts', "import { x } from 'electron'", /render engine runs on plain Node/],
    [
      'src/engine/x.ts',
      "import { x } from '../main/ffmpeg/locate-ffmpeg'",
      /imports only src\/shared/
    ],
    ['src/engine/x.ts', "import { x } from '../../server/src/library'", /imports only src\/shared/],
    ['src/engine/x.ts', "import x from 'fluent-ffmpeg'", /only through run-ffmpeg/],
    ['src/engine/run-ffmpeg.ts', "import { x } from '@resvg/resvg-js'", /callout-raster/]
  ])('%s: %s is refused', async (file, code, message) => {
    const found = await problems(file, code)
    // A Node built-in in src/shared breaks two rules (a built-in, a package): either may say it.
    expect(found.length).toBeGreaterThan(0)
    expect(found.filter((text) => message.test(text))).toHaveLength(1)
  })

  it.each([
    ['src/renderer/src/editor/x.ts', "import { x } from '../../../shared/edits'"],
    ['src/renderer/src/x.ts', "import { x } from 'react'"],
    ['src/renderer/src/editor/x.ts', "import { x } from '../ui/field'"],
    ['src/main/electron/x.ts', "import { x } from 'electron'"],
    ['src/main/index.ts', "import x from 'electron-store'"],
    ['src/main/ffmpeg/x.ts', "import x from 'fluent-ffmpeg'"],
    ['src/main/share/tus-layer.ts', "import { x } from 'tus-js-client'"],
    ['src/main/electron/updater.ts', "import x from 'electron-updater'"],
    ['src/main/electron/updater.ts', "import { x } from 'electron'"],
    ['src/main/updates/x.ts', "import { x } from '../../shared/ipc'"],
    ['src/main/share/x.ts', "import { x } from '../../shared/ipc'"],
    ['server/src/pages/x.ts', "import { x } from '../../../src/shared/http-range'"],
    ['server/src/media/x.ts', "import { x } from '../../../src/engine/run-export'"],
    ['src/engine/x.ts', "import { x } from '../shared/edits'"],
    ['src/engine/callout-raster.ts', "import { Resvg } from '@resvg/resvg-js'"],
    ['src/main/export/x.ts', "import { x } from '../../engine/run-export'"],
    ['src/shared/callouts/x.ts', "import { x } from '../edits'"],
    ['src/shared/x.ts', "import { x } from './callouts/draw'"]
  ])('%s: %s is allowed', async (file, code) => {
    expect(await problems(file, code)).toEqual([])
  })
})
