/**
 * Runtime checks for renderer arguments: the renderer is untrusted, so the types in the IPC
 * contract are a promise to be verified, not a fact. Each failure names the argument.
 */
import { SidecastError } from '../../shared/errors'
import { isValidProjectId } from '../../shared/project'

export function badRequest(message: string): SidecastError {
  return new SidecastError('bad-request', message)
}

export function requireProjectId(value: unknown, name = 'projectId'): string {
  if (!isValidProjectId(value)) throw badRequest(`"${name}" must be a valid project id.`)
  return value
}

export function requireString(value: unknown, name: string, maxLength: number): string {
  if (typeof value !== 'string') throw badRequest(`"${name}" must be text.`)
  if (value.length > maxLength)
    throw badRequest(`"${name}" must be at most ${maxLength} characters.`)
  return value
}

/** `value` checked like requireString, or undefined when it is absent. */
export function optionalString(
  value: unknown,
  name: string,
  maxLength: number
): string | undefined {
  return value === undefined ? undefined : requireString(value, name, maxLength)
}

export function requireObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`"${name}" must be an object.`)
  }
  return value as Record<string, unknown>
}

export function requireSeq(value: unknown, name = 'seq'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw badRequest(`"${name}" must be a whole number of at least 0.`)
  }
  return value
}

export function requireBytes(value: unknown, name: string, maxBytes: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw badRequest(`"${name}" must be a Uint8Array.`)
  if (value.byteLength > maxBytes) {
    throw badRequest(
      `"${name}" is ${value.byteLength} bytes; at most ${maxBytes} are accepted at once.`
    )
  }
  return value
}

export function requireOneOf<T extends string>(
  value: unknown,
  name: string,
  allowed: readonly T[]
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw badRequest(`"${name}" must be one of ${allowed.join(', ')}.`)
  }
  return value as T
}
