/**
 * What a video id may look like (the server makes them as 16 URL-safe characters). Anything else
 * in a URL is not looked up, and never becomes part of a path.
 */
export const VIDEO_ID = /^[A-Za-z0-9_-]{1,64}$/
