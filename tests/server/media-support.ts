/**
 * Helpers for the media-processing tests: what the processor ran on each upload (through its
 * hooks), whole uploads in one PATCH, stand-in ffmpeg/ffprobe scripts that hang, and whether a
 * process is still alive.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { ProcessingStep, ProcessorHooks } from '../../server/src/uploads/processor'
import { createUpload, patch, type RawResponse, type TestServer } from './support'

/**
 * The ffmpeg and ffprobe the tests themselves use (SIDECAST_TEST_FFMPEG, else PATH), as the
 * server's SIDECAST_FFMPEG / SIDECAST_FFPROBE: a system build opens playlists and lists that a
 * newer static build may already refuse, so the attacks are tried against the more permissive
 * one. Empty when there is none (the server then uses its bundled pair).
 */
export function systemTools(): NodeJS.ProcessEnv {
  const named = process.env.SIDECAST_TEST_FFMPEG
  const dirs = named ? [path.dirname(named)] : (process.env.PATH ?? '').split(path.delimiter)
  for (const dir of dirs) {
    const ffmpeg = path.join(dir, named ? path.basename(named) : 'ffmpeg')
    const ffprobe = path.join(dir, 'ffprobe')
    if (fs.existsSync(ffmpeg) && fs.existsSync(ffprobe)) {
      return { SIDECAST_FFMPEG: ffmpeg, SIDECAST_FFPROBE: ffprobe }
    }
  }
  return {}
}

export interface StepLog {
  hooks: ProcessorHooks
  /** The ffprobe/ffmpeg runs started on each upload, in order. */
  steps: Map<string, ProcessingStep[]>
  of(uploadId: string): ProcessingStep[]
}

/** Hooks that record every step; `extra` hooks run as well. */
export function recordSteps(extra: ProcessorHooks = {}): StepLog {
  const steps = new Map<string, ProcessingStep[]>()
  return {
    steps,
    of: (id) => steps.get(id) ?? [],
    hooks: {
      ...extra,
      onStep(id, step) {
        steps.set(id, [...(steps.get(id) ?? []), step])
        extra.onStep?.(id, step)
      }
    }
  }
}

export interface WholeUpload {
  res: RawResponse
  /** The upload's path (/api/uploads/<id>). */
  up: string
  id: string
  /** How long the final PATCH took to answer. */
  ms: number
  /** The JSON `error` of a refusal, else ''. */
  error: string
}

/** Creates an upload and sends all its bytes in one PATCH. */
export async function uploadWhole(
  s: TestServer,
  bytes: Buffer,
  filename: string
): Promise<WholeUpload> {
  const created = await createUpload(s, bytes.length, { filename, title: filename })
  if (created.res.status !== 201) {
    throw new Error(`creating ${filename}: ${created.res.status} ${created.res.text}`)
  }
  const started = performance.now()
  const res = await patch(s, created.path, 0, bytes)
  const ms = performance.now() - started
  let error = ''
  try {
    error = String((JSON.parse(res.text) as { error?: unknown }).error ?? '')
  } catch {
    // not JSON: no error
  }
  return { res, up: created.path, id: created.id, ms, error }
}

/**
 * A stand-in for ffmpeg or ffprobe that ignores SIGTERM and never ends: it writes its own pid
 * and its child's to `pidFile`, then waits on a long sleep (which ignores SIGTERM too).
 */
export function writeHangingTool(dir: string, name: string, pidFile: string): string {
  const file = path.join(dir, name)
  fs.writeFileSync(
    file,
    [
      '#!/bin/sh',
      "trap '' TERM",
      `echo $$ >> '${pidFile}'`,
      'sleep 600 &',
      `echo $! >> '${pidFile}'`,
      'wait',
      ''
    ].join('\n'),
    { mode: 0o755 }
  )
  return file
}

export function pidsIn(pidFile: string): number[] {
  if (!fs.existsSync(pidFile)) return []
  return fs
    .readFileSync(pidFile, 'utf8')
    .split('\n')
    .filter((l) => /^\d+$/.test(l.trim()))
    .map(Number)
}

/** True while the process exists and is not a zombie (Linux: /proc). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // "pid (comm) S ...": the state follows the last ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

/** Resolves with `promise`, or rejects when it takes longer than `ms`. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)
      })
    ])
  } finally {
    clearTimeout(timer)
  }
}
