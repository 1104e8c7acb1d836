/**
 * Fails when any module imports itself through others: an import cycle makes load order matter
 * and blurs which part depends on which. Type-only imports count too (they were how the last
 * cycle crept in). Run by `npm run lint`; `npm run check:cycles -- <globs>` checks other files.
 */
import { pathToFileURL } from 'node:url'
import { parseCircular, parseDependencyTree, prettyCircular } from 'dpdm'

/** Everything we ship or run: the app, the library server and the scripts. */
export const CHECKED_FILES = ['src/**/*.{ts,tsx}', 'server/src/**/*.ts', 'scripts/**/*.ts']

/** The cycles among the files the globs name, each as the list of files around the loop. */
export async function findImportCycles(globs: readonly string[], cwd: string): Promise<string[][]> {
  const tree = await parseDependencyTree([...globs], {
    cwd,
    context: cwd,
    // Follow only our own files: packages cannot import us back.
    exclude: /node_modules/,
    transform: false,
    skipDynamicImports: false
  })
  return parseCircular(tree)
}

async function main(): Promise<void> {
  const globs = process.argv.slice(2)
  const cycles = await findImportCycles(globs.length > 0 ? globs : CHECKED_FILES, process.cwd())
  if (cycles.length === 0) {
    console.log('No import cycles.')
    return
  }
  console.error(
    `Import cycles (${cycles.length}); break each by moving what both sides need into its own module:`
  )
  console.error(prettyCircular(cycles, '  '))
  process.exitCode = 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
