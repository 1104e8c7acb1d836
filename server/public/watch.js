/* global document, window */
// The watch page. The live layer (/public/live-callouts.js, built from src/shared) runs the player:
// callouts drawn over it, its progress bar, the poll. This file does what works without it:
// the callout list seeks (through the live layer when it is there, in edited time), `?t=12.5`
// starts there when the live layer is missing, and the owner's "Who can watch" controls.
;(function () {
  'use strict'

  var video = document.getElementById('player')

  function plainSeek(seconds) {
    if (!video || !isFinite(seconds) || seconds < 0) return
    video.currentTime = seconds
    var playing = video.play()
    if (playing && typeof playing.catch === 'function') playing.catch(function () {})
  }

  document.addEventListener('click', function (event) {
    var marker = event.target.closest('.marker[data-time]')
    if (!marker) return
    var seconds = Number(marker.getAttribute('data-time'))
    if (window.sidecastLive) window.sidecastLive.seekOutput(seconds * 1000, true)
    else plainSeek(seconds)
  })

  var start = Number(new URLSearchParams(window.location.search).get('t'))
  if (video && start > 0) {
    var fallback = function () {
      if (!window.sidecastLive && !(video.currentTime > 0)) video.currentTime = start
    }
    if (video.readyState >= 1) window.addEventListener('load', fallback, { once: true })
    else video.addEventListener('loadedmetadata', fallback, { once: true })
  }

  // ---- Who can watch (owner and administrators) --------------------------------------------
  var access = document.querySelector('.access[data-access-url]')
  if (!access) return
  var url = access.getAttribute('data-access-url')
  var csrf = access.getAttribute('data-csrf')
  var linkBox = access.querySelector('.access-link')
  var linkInput = access.querySelector('#access-link-input')
  var status = access.querySelector('.access-status')
  var radios = Array.prototype.slice.call(access.querySelectorAll('input[name="access"]'))
  var busy = false

  function shown(link) {
    radios.forEach(function (radio) {
      radio.checked = radio.value === (link ? 'link' : 'team')
    })
    linkBox.hidden = !link
    linkInput.value = link || ''
  }

  function send(body, done) {
    if (busy) return
    busy = true
    status.textContent = 'Saving…'
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body)
    })
      .then(function (response) {
        return response.json().then(
          function (json) {
            return { ok: response.ok, json: json }
          },
          function () {
            return { ok: false, json: {} }
          }
        )
      })
      .then(function (answer) {
        busy = false
        if (!answer.ok) {
          status.textContent = answer.json.error || 'That did not work. Try again.'
          shown(linkInput.value || null)
          return
        }
        shown(answer.json.access === 'link' ? answer.json.linkUrl : null)
        status.textContent = done(answer.json)
      })
      .catch(function () {
        busy = false
        status.textContent = 'The library could not be reached. Try again.'
        shown(linkInput.value || null)
      })
  }

  radios.forEach(function (radio) {
    radio.addEventListener('change', function () {
      if (!radio.checked) return
      if (radio.value === 'link') {
        send({ access: 'link' }, function () {
          return 'Anyone with the link can watch now.'
        })
      } else {
        send({ access: 'team' }, function () {
          return 'Only signed-in members can watch now. The link was turned off.'
        })
      }
    })
  })

  access.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-access]')
    if (!button) return
    if (button.getAttribute('data-access') === 'renew') {
      send({ access: 'link', renew: true }, function () {
        return 'New link made. The old link no longer works.'
      })
    } else {
      send({ access: 'team' }, function () {
        return 'The link was turned off.'
      })
    }
  })
})()
