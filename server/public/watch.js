/* global document, window */
// The watch page: callout markers jump the video to their time, `?t=12.5` starts there, and the
// marker of the callout on screen is highlighted.
;(function () {
  'use strict'

  var video = document.getElementById('player')
  if (!video) return
  var markers = Array.prototype.slice.call(document.querySelectorAll('.marker[data-time]'))

  function seek(seconds) {
    if (!isFinite(seconds) || seconds < 0) return
    video.currentTime = seconds
  }

  markers.forEach(function (marker) {
    marker.addEventListener('click', function () {
      seek(Number(marker.getAttribute('data-time')))
      var playing = video.play()
      if (playing && typeof playing.catch === 'function') playing.catch(function () {})
    })
  })

  function highlight() {
    var t = video.currentTime
    markers.forEach(function (marker) {
      var start = Number(marker.getAttribute('data-time'))
      var end = Number(marker.getAttribute('data-end'))
      if (!(end > start)) end = start + 3
      if (t >= start && t < end) marker.setAttribute('aria-current', 'true')
      else marker.removeAttribute('aria-current')
    })
  }
  video.addEventListener('timeupdate', highlight)
  video.addEventListener('seeked', highlight)

  var start = Number(new URLSearchParams(window.location.search).get('t'))
  if (start > 0) {
    if (video.readyState >= 1) seek(start)
    else
      video.addEventListener(
        'loadedmetadata',
        function () {
          seek(start)
        },
        { once: true }
      )
  }
})()
