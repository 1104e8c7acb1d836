/**
 * The viewer's profile: their access tokens, created (shown once) and revoked here. For
 * administrators, the team's settings (`POST /profile/team`: what authors see of who watched).
 */
import type { ServerResponse } from 'node:http'
import { sendHtml } from '../http'
import type { Viewer } from '../layout'
import { TOKEN_LABEL_MAX, profilePage } from '../views'
import {
  cleanText,
  formPost,
  requireViewer,
  sendErrorPage,
  type PageContext,
  type PageRequest,
  type PageRoute
} from './base'

/** The profile page with the viewer's current tokens, plus what this response has to say. */
async function sendProfile(
  res: ServerResponse,
  status: number,
  ctx: PageContext,
  viewer: Viewer,
  extra: Pick<Parameters<typeof profilePage>[0], 'info' | 'error' | 'newToken'>
): Promise<void> {
  const page = profilePage({
    viewer,
    tokens: await ctx.library.db.listTokens(viewer.user.id),
    publicUrl: ctx.library.config.publicUrl,
    team: viewer.user.admin ? await ctx.library.db.teamSettings() : undefined,
    ...extra
  })
  sendHtml(res, status, page)
}

async function profile(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  if (!viewer) return
  await sendProfile(r.res, 200, r.ctx, viewer, {
    info: r.url.searchParams.has('revoked')
      ? 'The token was revoked.'
      : r.url.searchParams.has('team')
        ? 'The team settings were saved.'
        : undefined
  })
}

const createToken = formPost(async ({ res, ctx, viewer, form }) => {
  const label = cleanText(form.get('label') ?? '', false).trim()
  if (!label || label.length > TOKEN_LABEL_MAX) {
    await sendProfile(res, 400, ctx, viewer, {
      error: label
        ? `A label can be at most ${TOKEN_LABEL_MAX} characters.`
        : 'Give the token a label, such as the computer it is for.'
    })
    return
  }
  const created = await ctx.library.write((db) => db.createToken(viewer.user.id, label))
  // Shown in this response only (never in a URL, never stored in clear): no redirect.
  await sendProfile(res, 201, ctx, viewer, { newToken: { token: created.token, label } })
})

const revokeToken = formPost(async ({ res, ctx, viewer, param }) => {
  const id = Number(param)
  const revoked =
    Number.isSafeInteger(id) &&
    id > 0 &&
    (await ctx.library.write((db) => db.revokeToken(viewer.user.id, id)))
  if (revoked) return '/profile?revoked=1'
  sendErrorPage(res, {
    viewer,
    status: 404,
    title: 'Token not found',
    message: 'This token does not exist or was already revoked.'
  })
})

/** An administrator's team settings: what a video's author sees of who watched it. */
const saveTeam = formPost(async ({ res, ctx, viewer, form }) => {
  if (!viewer.user.admin) {
    sendErrorPage(res, {
      viewer,
      status: 403,
      title: 'Administrators only',
      message: 'Only an administrator can change the team settings.'
    })
    return
  }
  const watchers = form.get('watchers')
  if (watchers !== 'names' && watchers !== 'counts') {
    await sendProfile(res, 400, ctx, viewer, { error: 'Choose what authors see of who watched.' })
    return
  }
  await ctx.library.write((db) => db.setTeamSettings({ watchers }))
  return '/profile?team=1#team-h'
})

export const profileRoutes: PageRoute[] = [
  { path: /^\/profile$/, get: profile },
  { path: /^\/profile\/tokens$/, post: createToken },
  { path: /^\/profile\/team$/, post: saveTeam },
  { path: /^\/profile\/tokens\/([^/]+)\/revoke$/, post: revokeToken }
]
