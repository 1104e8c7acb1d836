/**
 * Collections' pages (docs/learning-together.md, "Collections"): anyone signed in lists, reads
 * and makes them; only a collection's owner or an admin edits, deletes, reorders or removes from
 * it. Adding a video: its owner (or an admin) adds a video they may watch, from the watch page
 * (`POST /collections/add` with `collection` and `videoId`, or `POST /c/:id/add` with `videoId`),
 * and goes back to the watch page with a notice.
 */
import { LEARN_LIMITS } from '../../../../src/shared/learn'
import {
  COLLECTION_ID,
  checkCollectionText,
  collectionSlotMessage,
  mayChangeCollection,
  takeCollectionSlot
} from '../../api/collections'
import type { Collection } from '../../db/types'
import { mayWatch } from '../../library'
import { sendHtml } from '../http'
import {
  COLLECTIONS_PAGE_SIZE,
  collectionFormPage,
  collectionPage,
  collectionsPage,
  deleteCollectionPage,
  watchableItems
} from '../learn/collections-view'
import {
  findVideo,
  formPost,
  requireViewer,
  sendErrorPage,
  videoNotFound,
  type FormPost,
  type PageRequest,
  type PageRoute,
  type PageViewer
} from './base'

const href = (c: { id: string }): string => `/c/${encodeURIComponent(c.id)}`

function notFound(r: PageRequest, viewer: PageViewer): void {
  sendErrorPage(r.res, {
    viewer,
    status: 404,
    title: 'Collection not found',
    message: 'This collection does not exist or was deleted.'
  })
}

async function findCollection(r: PageRequest, id: string): Promise<Collection | null> {
  return COLLECTION_ID.test(id) ? await r.ctx.library.db.getCollection(id) : null
}

/**
 * Takes a change slot (api/collections.ts takeCollectionSlot), right before a write; true (429 with Retry-After answered) when there is none left.
 */
async function tooManyChanges(post: FormPost): Promise<boolean> {
  const wait = await takeCollectionSlot(post.ctx.library, post.viewer.user.id, 'change')
  if (wait === 0) return false
  post.res.setHeader('Retry-After', String(wait))
  sendErrorPage(post.res, {
    viewer: post.viewer,
    status: 429,
    title: 'Slow down',
    message: collectionSlotMessage('change', wait)
  })
  return true
}

/** The collection at `id` if the viewer may change it; otherwise answers 404/403, null. */
async function changeable(
  r: PageRequest,
  viewer: PageViewer,
  id = r.param
): Promise<Collection | null> {
  const c = await findCollection(r, id)
  if (!c) {
    notFound(r, viewer)
    return null
  }
  if (!mayChangeCollection(viewer.user, c)) {
    sendErrorPage(r.res, {
      viewer,
      status: 403,
      title: 'Not yours to change',
      message: 'Only the person who made this collection, or an administrator, can change it.'
    })
    return null
  }
  return c
}

/** `?page=`: 1 unless plain digits. */
function pageOf(url: URL): number {
  const text = url.searchParams.get('page') ?? ''
  return /^\d{1,6}$/.test(text) && Number(text) > 0 ? Number(text) : 1
}

async function list(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  if (!viewer) return
  const { db } = r.ctx.library
  const mine = r.url.searchParams.get('mine') === '1'
  const ownerId = mine ? viewer.user.id : undefined
  const page = pageOf(r.url)
  sendHtml(
    r.res,
    200,
    collectionsPage({
      viewer,
      collections: await db.listCollections({
        ownerId,
        limit: COLLECTIONS_PAGE_SIZE,
        offset: (page - 1) * COLLECTIONS_PAGE_SIZE
      }),
      total: await db.countCollections({ ownerId }),
      page,
      mine,
      info: r.url.searchParams.has('deleted') ? 'The collection was deleted.' : undefined
    })
  )
}

/** `?video=` of "New collection…" on a watch page: a video the viewer may watch, else none. */
async function videoToAdd(
  r: PageRequest,
  viewer: PageViewer,
  id: string | null
): Promise<string | undefined> {
  const video = id ? await findVideo(r.ctx, id) : null
  return video && mayWatch(viewer.user, video) ? video.id : undefined
}

async function showNew(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  if (!viewer) return
  sendHtml(
    r.res,
    200,
    collectionFormPage({
      viewer,
      collection: null,
      title: '',
      description: '',
      videoId: await videoToAdd(r, viewer, r.url.searchParams.get('video'))
    })
  )
}

const create = formPost(async (post) => {
  const { res, ctx, viewer, form } = post
  const videoId = await videoToAdd(post, viewer, form.get('videoId'))
  const checked = checkCollectionText(form.get('title') ?? '', form.get('description') ?? '')
  const again = (status: number, error: string): void => {
    sendHtml(
      res,
      status,
      collectionFormPage({ viewer, collection: null, ...checked, videoId, error })
    )
  }
  if (checked.error) return again(400, checked.error)
  const wait = await takeCollectionSlot(ctx.library, viewer.user.id, 'make')
  if (wait > 0) {
    res.setHeader('Retry-After', String(wait))
    return again(429, collectionSlotMessage('make', wait))
  }
  // One transaction: the collection with its video, or nothing.
  const made = await ctx.library.write((db) =>
    db.createCollection({
      title: checked.title,
      description: checked.description,
      ownerId: viewer.user.id,
      videoIds: videoId ? [videoId] : []
    })
  )
  return videoId
    ? `/v/${encodeURIComponent(videoId)}?added=${encodeURIComponent(made.id)}`
    : href(made)
})

async function show(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  if (!viewer) return
  const c = await findCollection(r, r.param)
  if (!c) return notFound(r, viewer)
  const { searchParams } = r.url
  sendHtml(
    r.res,
    200,
    collectionPage({
      viewer,
      collection: c,
      videos: await watchableItems(r.ctx, viewer, c.id),
      info: searchParams.has('saved')
        ? 'Your changes were saved.'
        : searchParams.has('removed')
          ? 'The video was removed from the collection.'
          : undefined
    })
  )
}

async function showEdit(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  const c = viewer && (await changeable(r, viewer))
  if (!viewer || !c) return
  sendHtml(
    r.res,
    200,
    collectionFormPage({ viewer, collection: c, title: c.title, description: c.description })
  )
}

const saveEdit = formPost(async (post) => {
  const { res, ctx, viewer, form } = post
  const c = await changeable(post, viewer)
  if (!c) return
  const checked = checkCollectionText(form.get('title') ?? '', form.get('description') ?? '')
  if (checked.error) {
    sendHtml(
      res,
      400,
      collectionFormPage({ viewer, collection: c, ...checked, error: checked.error })
    )
    return
  }
  if (await tooManyChanges(post)) return
  const updated = await ctx.library.write((db) =>
    db.updateCollection(c.id, { title: checked.title, description: checked.description })
  )
  if (!updated) return notFound(post, viewer)
  return `${href(c)}?saved=1`
})

async function confirmDelete(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  const c = viewer && (await changeable(r, viewer))
  if (viewer && c) sendHtml(r.res, 200, deleteCollectionPage({ viewer, collection: c }))
}

const remove = formPost(async (post) => {
  const c = await changeable(post, post.viewer)
  if (!c) return
  await post.ctx.library.write((db) => db.deleteCollection(c.id))
  return '/collections?deleted=1'
})

/** Adds `videoId` to the collection `collectionId` and goes back to the video with a notice. */
async function addVideo(post: FormPost, collectionId: string): Promise<string | void> {
  const { res, ctx, viewer, form } = post
  const video = await findVideo(ctx, form.get('videoId') ?? '')
  if (!video || !mayWatch(viewer.user, video)) return videoNotFound(res, viewer)
  const c = await changeable(post, viewer, collectionId)
  if (!c || (await tooManyChanges(post))) return
  try {
    await ctx.library.write((db) => db.addToCollection(c.id, video.id, viewer.user.id))
  } catch (error) {
    // Full, or the video went meanwhile: the data layer says which.
    if (!(await ctx.library.db.getCollection(c.id)) || !(await ctx.library.db.getVideo(video.id)))
      throw error
    sendErrorPage(res, {
      viewer,
      status: 409,
      title: 'Could not add the video',
      message: `A collection holds at most ${LEARN_LIMITS.collectionItems} videos; “${c.title}” is full.`
    })
    return
  }
  return `/v/${encodeURIComponent(video.id)}?added=${encodeURIComponent(c.id)}`
}

const addFromWatch = formPost((post) => addVideo(post, post.form.get('collection') ?? ''))
const addToOne = formPost((post) => addVideo(post, post.param))

const removeVideo = formPost(async (post) => {
  const c = await changeable(post, post.viewer)
  if (!c || (await tooManyChanges(post))) return
  const videoId = post.form.get('videoId') ?? ''
  await post.ctx.library.write((db) => db.removeFromCollection(c.id, videoId))
  return `${href(c)}?removed=1`
})

const moveVideo = formPost(async (post) => {
  const c = await changeable(post, post.viewer)
  if (!c) return
  const videoId = post.form.get('videoId') ?? ''
  const dir = post.form.get('dir')
  // Moves among the videos the viewer sees: past the neighbour they see, not a hidden one.
  const shown = (await watchableItems(post.ctx, post.viewer, c.id)).map((v) => v.id)
  const at = shown.indexOf(videoId)
  const neighbour = dir === 'up' ? shown[at - 1] : dir === 'down' ? shown[at + 1] : undefined
  if (at >= 0 && neighbour !== undefined) {
    if (await tooManyChanges(post)) return
    await post.ctx.library.write(async (db) => {
      const all = await db.collectionItems(c.id)
      const target = all.indexOf(neighbour)
      if (target >= 0) await db.moveInCollection(c.id, videoId, target)
    })
  }
  return `${href(c)}#item-${encodeURIComponent(videoId)}`
})

export const collectionPageRoutes: PageRoute[] = [
  { path: /^\/collections$/, get: list },
  { path: /^\/collections\/new$/, get: showNew, post: create },
  { path: /^\/collections\/add$/, post: addFromWatch },
  { path: /^\/c\/([^/]+)$/, get: show },
  { path: /^\/c\/([^/]+)\/edit$/, get: showEdit, post: saveEdit },
  { path: /^\/c\/([^/]+)\/delete$/, get: confirmDelete, post: remove },
  { path: /^\/c\/([^/]+)\/add$/, post: addToOne },
  { path: /^\/c\/([^/]+)\/remove$/, post: removeVideo },
  { path: /^\/c\/([^/]+)\/move$/, post: moveVideo }
]
