/**
 * Headless export, the same pipeline the app runs:
 *   npm run render -- <project-dir> [--preset 720p|1080p|source] [--quality standard|high|small]
 *                     [--out file.mp4] [--full]
 * Smart rendering copies what no edit touches and re-encodes the rest; --full (or
 * SIDECAST_SMART_RENDER=0) re-encodes every frame. Prints progress and the result, with how it
 * was rendered; exits 1 with a message naming the problem on a bad project.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { runExport, smartRenderEnabled } from '../src/engine/run-export'
import { parseExportPreset } from '../src/engine/presets'
import { type ExportPreset } from '../src/shared/export-preset'
import { locateFfmpeg } from '../src/main/ffmpeg/locate-ffmpeg'
import { emptyEdits, loadEdits, type Edits } from '../src/shared/edits'
import { SidecastError } from '../src/shared/errors'
import {
  EDITS_FILE,
  EXPORTS_FOLDER,
  FACTS_FILE,
  loadFacts,
  type RecordingFacts
} from '../src/shared/project'
import { exportFileName, uniqueExportPath } from '../src/main/export/export-service'

const USAGE =
  'usage: npm run render -- <project-dir> [--preset 720p|1080p|source] [--quality standard|high|small] [--out file.mp4] [--full]'

function fail(message: string): never {
  process.stderr.write(`render: ${message}\n`)
  process.exit(1)
}

async function readJson(file: string, name: string): Promise<unknown> {
  const text = await readFile(file, 'utf8')
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new SidecastError(
      'bad-project',
      `${name} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`
    )
  }
}

async function loadProject(dir: string): Promise<{ facts: RecordingFacts; edits: Edits }> {
  const factsFile = join(dir, FACTS_FILE)
  if (!existsSync(factsFile)) {
    throw new SidecastError('bad-project', `${dir} is not a Sidecast project (no ${FACTS_FILE}).`)
  }
  const facts = loadFacts(await readJson(factsFile, FACTS_FILE))
  const editsFile = join(dir, EDITS_FILE)
  const edits = existsSync(editsFile)
    ? loadEdits(await readJson(editsFile, EDITS_FILE), {
        durationMs: facts.durationMs,
        unknownTypes: 'refuse'
      })
    : emptyEdits()
  if (!existsSync(join(dir, facts.file))) {
    throw new SidecastError(
      'bad-project',
      `${FACTS_FILE}: "file" names ${facts.file}, which is not in ${dir}.`
    )
  }
  return { facts, edits }
}

function formatMs(ms: number): string {
  const total = Math.round(ms / 1000)
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`
}

async function main(): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        preset: { type: 'string' },
        quality: { type: 'string' },
        out: { type: 'string' },
        full: { type: 'boolean' }
      }
    })
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
  }
  const [dirArg, ...extra] = parsed.positionals
  if (!dirArg || extra.length > 0) fail(USAGE)
  const projectDir = resolve(dirArg)

  let preset: ExportPreset
  let facts: RecordingFacts
  let edits: Edits
  try {
    preset = parseExportPreset({ size: parsed.values.preset, quality: parsed.values.quality })
    ;({ facts, edits } = await loadProject(projectDir))
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }

  const ffmpeg = locateFfmpeg({ settingPath: '' })
  if (!ffmpeg.path) fail(ffmpeg.problem ?? 'ffmpeg was not found.')
  // Named like the app's exports, and never over an earlier one.
  const outFile = resolve(
    parsed.values.out ??
      (await uniqueExportPath(
        join(projectDir, EXPORTS_FOLDER),
        exportFileName(facts.title, preset)
      ))
  )

  const controller = new AbortController()
  process.once('SIGINT', () => controller.abort())
  const interactive = process.stdout.isTTY === true
  let lastShown = -1
  const started = Date.now()
  try {
    const result = await runExport({
      projectDir,
      facts,
      edits,
      preset,
      outFile,
      ffmpegPath: ffmpeg.path,
      ...(ffmpeg.ffprobePath ? { ffprobePath: ffmpeg.ffprobePath } : {}),
      smart: parsed.values.full !== true && smartRenderEnabled(process.env),
      signal: controller.signal,
      onProgress: ({ fraction, etaMs }) => {
        const percent = Math.floor(fraction * 100)
        if (percent === lastShown) return
        lastShown = percent
        const eta = etaMs === null ? '' : `, ${formatMs(etaMs)} left`
        const line = `exporting: ${percent}%${eta}`
        if (interactive) process.stdout.write(`\r${line.padEnd(40)}`)
        else if (percent % 10 === 0) process.stdout.write(`${line}\n`)
      }
    })
    if (interactive) process.stdout.write('\n')
    const mb = (result.sizeBytes / (1024 * 1024)).toFixed(1)
    const how =
      result.mode === 'copy'
        ? 'video stream copied'
        : result.render.mode === 'smart'
          ? `smart: ${Math.round(result.render.copiedFraction * 100)} % copied`
          : `re-encoded${result.render.reason ? `: ${result.render.reason}` : ''}`
    process.stdout.write(
      `exported ${result.outFile} (${mb} MB, ${formatMs(result.durationMs)}, ${how}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`
    )
  } catch (error) {
    if (interactive) process.stdout.write('\n')
    fail(error instanceof Error ? error.message : String(error))
  }
}

await main()
