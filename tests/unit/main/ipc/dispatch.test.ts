import { afterEach, describe, expect, it, vi } from 'vitest'
import { dispatchInvoke } from '../../../../src/main/ipc/dispatch'
import { type InvokeHandlers } from '../../../../src/shared/ipc'
import { SidecastError } from '../../../../src/shared/errors'

function handlers(overrides: Partial<Record<keyof InvokeHandlers, unknown>>): InvokeHandlers {
  return overrides as unknown as InvokeHandlers
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('dispatchInvoke', () => {
  it('wraps a value in an ok envelope and passes the arguments through', async () => {
    const rename = vi.fn(async (id: string, title: string) => ({ id, title }))
    const response = await dispatchInvoke(
      handlers({ 'projects:rename': rename }),
      'projects:rename',
      ['a1', 'T']
    )
    expect(response).toEqual({ ok: true, value: { id: 'a1', title: 'T' } })
    expect(rename).toHaveBeenCalledWith('a1', 'T')
  })

  it.each([
    [
      'an unknown channel',
      'projects:explode',
      [],
      'unknown-channel',
      /Unknown request "projects:explode"/
    ],
    ['a non-string channel', 42, [], 'unknown-channel', /Unknown request/],
    ['an inherited property name', 'toString', [], 'unknown-channel', /Unknown request/],
    ['arguments that are not a list', 'projects:list', 'x', 'bad-request', /must be a list/]
  ])('answers %s with an error envelope', async (_label, channel, args, code, message) => {
    const list = vi.fn(async () => [])
    const response = await dispatchInvoke(handlers({ 'projects:list': list }), channel, args)
    expect(response).toMatchObject({ ok: false, error: { code } })
    expect(response.ok ? '' : response.error.message).toMatch(message)
    expect(list).not.toHaveBeenCalled()
  })

  it('passes a SidecastError on as its code and message', async () => {
    const response = await dispatchInvoke(
      handlers({
        'projects:delete': async () => {
          throw new SidecastError('recording-active', 'Stop it before deleting it.')
        }
      }),
      'projects:delete',
      ['x']
    )
    expect(response).toEqual({
      ok: false,
      error: { code: 'recording-active', message: 'Stop it before deleting it.' }
    })
  })

  it.each([
    ['an Error', new TypeError('cannot read x of undefined'), /cannot read x of undefined/],
    ['a thrown string', 'weird', /weird/]
  ])('turns %s into a readable internal error and logs it', async (_label, thrown, message) => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const response = await dispatchInvoke(
      handlers({
        'projects:list': async () => {
          throw thrown
        }
      }),
      'projects:list',
      []
    )
    expect(response).toMatchObject({ ok: false, error: { code: 'internal' } })
    expect(response.ok ? '' : response.error.message).toMatch(message)
    expect(response.ok ? '' : response.error.message).toMatch(/recordings are safe/)
    expect(log).toHaveBeenCalledWith(expect.stringContaining('projects:list'), thrown)
  })
})
