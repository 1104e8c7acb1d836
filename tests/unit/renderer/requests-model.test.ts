/** The Requests view's words (requests-model.ts, pure). */
import { describe, expect, it } from 'vitest'
import {
  answersWords,
  answerTarget,
  requestsProblem,
  wantedWords
} from '../../../src/renderer/src/requests/requests-model'

describe('requests model', () => {
  it('counts wants and answers in words', () => {
    expect(wantedWords(1)).toBe('1 wants this')
    expect(wantedWords(0)).toBe('1 wants this')
    expect(wantedWords(5)).toBe('5 want this')
    expect(answersWords(0)).toBe('No answers yet')
    expect(answersWords(1)).toBe('1 answer')
    expect(answersWords(3)).toBe('3 answers')
  })

  it('makes the answer target a recording title: one line, at most 200 characters', () => {
    expect(answerTarget({ id: 'r1', title: ' How\ndo I? ' })).toEqual({
      requestId: 'r1',
      title: 'How do I?'
    })
    expect([...answerTarget({ id: 'r1', title: '€'.repeat(250) }).title]).toHaveLength(200)
    // Main counts UTF-16 units: 200 emoji are 400, so the title is cut between two of them.
    const emoji = answerTarget({ id: 'r1', title: '🎉'.repeat(200) }).title
    expect(emoji.length).toBe(200)
    expect([...emoji]).toHaveLength(100)
    expect(answerTarget({ id: 'r1', title: ' \n ' }).title).toBe('Answer')
  })

  it('says what helps for each problem', () => {
    expect(requestsProblem({ state: 'ok', requests: [] })).toBeNull()
    expect(requestsProblem({ state: 'not-connected', message: 'x' })?.action).toBe('settings')
    expect(requestsProblem({ state: 'unsupported', message: 'x' })).toEqual({
      message: 'This library does not take requests yet.',
      action: null
    })
    expect(requestsProblem({ state: 'auth', message: 'refused' })).toEqual({
      message: 'refused',
      action: 'settings'
    })
    expect(requestsProblem({ state: 'unreachable', message: 'down' })).toEqual({
      message: 'down',
      action: 'retry'
    })
    expect(requestsProblem({ state: 'failed', message: 'bad' })?.action).toBe('retry')
  })
})
