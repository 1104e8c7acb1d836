/* global document, window */
// Playing a collection (docs/learning-together.md, "Collections"): when the video ends, the next
// one of the collection opens after a short visible countdown, which Cancel (or Escape) stops.
// The countdown's bar is an animation that prefers-reduced-motion turns off (inbox.css); the
// countdown itself still runs. No inline script or style: the CSP allows neither.
;(function () {
  'use strict'

  var SECONDS = 6

  var section = document.querySelector('.collection-playing[data-next-url]')
  var video = document.getElementById('player')
  if (!section || !video) return

  var nextUrl = section.getAttribute('data-next-url') || ''
  var nextTitle = section.getAttribute('data-next-title') || 'the next video'
  // Only a path on this library.
  if (nextUrl.charAt(0) !== '/' || nextUrl.charAt(1) === '/' || nextUrl.charAt(1) === '\\') return

  var box = section.querySelector('.collection-countdown')
  var text = section.querySelector('.collection-countdown-text')
  var cancel = section.querySelector('.collection-cancel')
  if (!box || !text || !cancel) return

  var timer = null
  var left = 0
  var bar = null

  function say() {
    text.textContent = 'Up next in ' + left + ' s: ' + nextTitle
  }

  function stop(message) {
    if (timer !== null) window.clearInterval(timer)
    timer = null
    if (bar && bar.parentNode) bar.parentNode.removeChild(bar)
    bar = null
    if (message) {
      text.textContent = message
      cancel.hidden = true
    } else {
      box.hidden = true
    }
  }

  function start() {
    if (timer !== null) return
    left = SECONDS
    cancel.hidden = false
    box.hidden = false
    bar = document.createElement('span')
    bar.className = 'collection-countdown-bar'
    bar.setAttribute('aria-hidden', 'true')
    bar.style.animationDuration = SECONDS + 's'
    box.insertBefore(bar, cancel)
    say()
    timer = window.setInterval(function () {
      left -= 1
      if (left <= 0) {
        stop('Opening ' + nextTitle + '…')
        window.location.assign(nextUrl)
        return
      }
      say()
    }, 1000)
  }

  video.addEventListener('ended', start)
  // Playing again (or seeking back) stops the countdown.
  video.addEventListener('play', function () {
    if (timer !== null) stop()
  })
  cancel.addEventListener('click', function () {
    stop('Autoplay cancelled.')
  })
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && timer !== null) stop('Autoplay cancelled.')
  })
})()
