/**
 * Many people acting on one thing at the same moment — thirty replies to one thread, thirty "This
 * helped" on one video, thirty "Me too" on one request — all succeed, and nothing is counted twice
 * or lost. On PostgreSQL these transactions conflict with each other (SERIALIZABLE) and are run
 * again (sql/connection.ts); on SQLite they take turns. Runs on the suite's engine (engine.ts).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { openLibraryDb } from '../../server/src/db/open'
import type { LibraryDb, User } from '../../server/src/db/types'
import { libraryTarget } from './engine'
import { tempDir, videoFacts } from './support'

const PEOPLE = 30

let db: LibraryDb | null = null
afterEach(async () => {
  await db?.close()
  db = null
})

async function library(): Promise<{ db: LibraryDb; owner: User; people: User[] }> {
  db = await openLibraryDb(await libraryTarget(tempDir('contention')))
  const owner = await db.createUser('owner', 'owner-password', false)
  const people: User[] = []
  for (let i = 0; i < PEOPLE; i++) people.push(await db.createUser(`p${i}`, 'pw-pw-pw-pw', false))
  await db.insertVideo(videoFacts('vid0000000000001', owner.id, 'One video'))
  return { db, owner, people }
}

describe('many people at once on one thing', () => {
  it('thirty replies to one thread all land, and each earlier replier hears of the later ones', async () => {
    const { db, owner, people } = await library()
    const thread = await db.addComment({
      videoId: 'vid0000000000001',
      parentId: null,
      authorId: owner.id,
      atMs: 1000,
      body: 'How does this work?',
      question: true
    })
    const replies = await Promise.all(
      people.map((p, i) =>
        db.addComment({
          videoId: 'vid0000000000001',
          parentId: thread.id,
          authorId: p.id,
          atMs: null,
          body: `reply ${i}`,
          question: false
        })
      )
    )
    expect(new Set(replies.map((r) => r.id)).size).toBe(PEOPLE)
    const threads = await db.commentsOf('vid0000000000001')
    expect(threads).toHaveLength(1)
    expect(threads[0]?.replies.map((r) => r.body).sort()).toEqual(
      people.map((_, i) => `reply ${i}`).sort()
    )
    expect(await db.countComments('vid0000000000001')).toBe(PEOPLE + 1)
    // The thread's author hears of every reply.
    expect(await db.unreadCount(owner.id)).toBe(PEOPLE)
  })

  it('thirty "This helped" on one video count thirty, and the owner hears once from each', async () => {
    const { db, owner, people } = await library()
    await Promise.all(
      people.map((p) => db.toggleReaction('vid0000000000001', p.id, 'helped', null, true))
    )
    expect((await db.reactionsOf('vid0000000000001', owner.id)).helped).toBe(PEOPLE)
    expect(await db.unreadCount(owner.id)).toBe(PEOPLE)
  })

  it("two instances creating one person's uploads at once never pass the cap together", async () => {
    const target = await libraryTarget(tempDir('contention-quota'))
    const one = await openLibraryDb(target)
    db = one
    const owner = await one.createUser('owner', 'owner-password', false)
    // On PostgreSQL a second connection pool to the same database: another instance. SQLite is
    // one process by design (its busy wait would hold this test's one event loop), so there the
    // creations race on the one connection.
    const other = 'url' in target ? await openLibraryDb(target) : one
    try {
      const cap = 5
      const admit = (held: { count: number }): string | null =>
        held.count >= cap ? 'too many' : null
      const createdAfter = new Date(Date.now() - 60_000).toISOString()
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? one : other).createUploadWithin(
            {
              id: i.toString(16).padStart(32, '0'),
              userId: owner.id,
              videoId: `vid${String(i).padStart(13, '0')}`,
              metadata: '{}',
              declaredBytes: 10,
              live: false
            },
            { createdAfter, deferredBytes: 10, admit }
          )
        )
      )
      expect(results.filter((r) => r === null)).toHaveLength(cap)
      expect(results.filter((r) => r === 'too many')).toHaveLength(20 - cap)
      expect(await one.unfinishedUploads(owner.id, createdAfter, 10)).toEqual({
        count: cap,
        bytes: cap * 10
      })
    } finally {
      if (other !== one) await other.close()
    }
  })

  it('thirty "Me too" on one request are thirty wants', async () => {
    const { db, owner, people } = await library()
    const request = await db.createRequest({
      title: 'How do we deploy?',
      details: '',
      tags: [],
      askerId: owner.id
    })
    await Promise.all(people.map((p) => db.setWanted(request.id, p.id, true)))
    // The asker always wants it.
    expect((await db.getRequest(request.id))?.wanted).toBe(PEOPLE + 1)
    for (const p of people) expect(await db.wants(request.id, p.id)).toBe(true)
  })
})
