/* global document, window */
// The watch page's comments and reactions (docs/learning-together.md). The forms work without
// this file (Reply, Edit and Delete are then links to pages holding the form); with it:
// - Reply, Edit and Delete open the page's one shared reply form, edit form and delete
//   confirmation in place (focused; Cancel or Escape closes them);
// - the comment form's moment ("at 0:05") follows the player's time on the viewers' clock until
//   the person types in it ("Use current time" makes it follow again);
// - the times in the list and the markers (moved onto the player's progress bar) seek there;
// - "This helped" and the emoji at the current moment are sent without a reload;
// - what this person watched (ranges of output time) is reported to
//   POST /api/videos/:id/watched every ~15 s while playing, on pause and end, and when the page
//   is left (fetch with keepalive, which can carry the x-csrf-token header).
// Output time comes from the live layer (window.sidecastLive.currentOutputMs: in the owner's
// preview the player plays the original); without it, from the <video>.
;(function () {
  'use strict'

  var video = document.getElementById('player')
  var section = document.querySelector('.comments[data-video-id]')
  var helpedBox = document.querySelector('.helped[data-reactions-url]')
  if (!video || (!section && !helpedBox)) return

  function live() {
    var l = window.sidecastLive
    return l && typeof l.currentOutputMs === 'function' ? l : null
  }

  function nowMs() {
    var l = live()
    var ms = l ? l.currentOutputMs() : (video.currentTime || 0) * 1000
    return isFinite(ms) && ms > 0 ? Math.floor(ms) : 0
  }

  function lengthMs() {
    var known = section ? Number(section.getAttribute('data-duration-ms')) : 0
    if (known > 0) return known
    var d = (video.duration || 0) * 1000
    return isFinite(d) && d > 0 ? d : 0
  }

  function clock(ms) {
    var total = Math.max(0, Math.floor(ms / 1000))
    var h = Math.floor(total / 3600)
    var m = Math.floor((total % 3600) / 60)
    var s = String(total % 60)
    if (s.length < 2) s = '0' + s
    if (h > 0) return h + ':' + (m < 10 ? '0' : '') + m + ':' + s
    return m + ':' + s
  }

  function seek(ms) {
    var l = live()
    if (l) l.seekOutput(ms, true)
    else {
      video.currentTime = ms / 1000
      var playing = video.play()
      if (playing && typeof playing.catch === 'function') playing.catch(function () {})
    }
    var player = document.querySelector('.player')
    if (player && player.scrollIntoView) player.scrollIntoView({ block: 'nearest' })
  }

  function onTime(listener) {
    var l = live()
    if (l && typeof l.onTimeUpdate === 'function') l.onTimeUpdate(listener)
    else {
      video.addEventListener('timeupdate', function () {
        listener(nowMs())
      })
      video.addEventListener('seeked', function () {
        listener(nowMs())
      })
    }
  }

  function post(url, csrf, body, keepalive) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: !!keepalive,
      headers: { 'Content-Type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(
        function (json) {
          return { ok: response.ok, json: json }
        },
        function () {
          return { ok: response.ok, json: {} }
        }
      )
    })
  }

  // ---- Seeking from the list and the markers -------------------------------------------------
  document.addEventListener('click', function (event) {
    var target = event.target.closest && event.target.closest('.comment-time, .comment-marker')
    if (!target) return
    var ms = Number(target.getAttribute('data-time-ms'))
    if (!isFinite(ms) || ms < 0) return
    seek(ms)
    if (target.classList.contains('comment-marker')) {
      var id = target.getAttribute('data-target')
      var comment = id && document.getElementById(id)
      if (comment) comment.classList.add('comment-current')
    }
  })

  // ---- The comment form's moment -------------------------------------------------------------
  if (section) {
    var atInput = section.querySelector('#comment-at')
    var atNow = section.querySelector('.comment-at-now')
    // A moment typed (or kept from a refused post) stays; an empty field follows the player.
    var following = atInput && atInput.value === ''
    var shown = -1
    var follow = function (ms) {
      if (!following || !atInput) return
      var second = Math.floor(ms / 1000)
      if (second === shown) return
      shown = second
      atInput.value = clock(ms)
    }
    if (atInput) {
      atInput.addEventListener('input', function () {
        following = false
      })
    }
    if (atNow) {
      atNow.hidden = false
      atNow.addEventListener('click', function () {
        following = true
        shown = -1
        follow(nowMs())
      })
    }
    onTime(follow)
    follow(nowMs())

    // ---- Markers on the progress bar ---------------------------------------------------------
    var markers = section.querySelector('.comment-markers')
    var progress = document.querySelector('.player-progress')
    var bar = document.querySelector('.player-bar')
    // One marker per thread with a moment (not deleted), made from the list: the same name as its
    // time there ("Question at 0:02 by bob").
    var makeMarkers = function () {
      var threads = section.querySelectorAll('.comment-thread')
      for (var i = 0; i < threads.length; i++) {
        var at = threads[i].getAttribute('data-at-ms')
        var first = threads[i].querySelector('.comment')
        var author = first && first.querySelector('.comment-author')
        if (!at || !author) continue
        var question = threads[i].getAttribute('data-kind') === 'question'
        var name = author.textContent
        var marker = document.createElement('button')
        marker.type = 'button'
        marker.className = 'comment-marker' + (question ? ' comment-marker-question' : '')
        marker.setAttribute('data-time-ms', at)
        marker.setAttribute('data-target', first.id)
        marker.setAttribute(
          'aria-label',
          (question ? 'Question' : 'Comment') + ' at ' + clock(Number(at)) + ' by ' + name
        )
        marker.title = clock(Number(at)) + ' ' + name
        markers.appendChild(marker)
      }
    }
    var placeMarkers = function () {
      var total = lengthMs()
      var buttons = markers.querySelectorAll('.comment-marker')
      for (var i = 0; i < buttons.length; i++) {
        var at = Number(buttons[i].getAttribute('data-time-ms'))
        var left = total > 0 ? Math.min(100, (at / total) * 100) : 0
        buttons[i].style.left = left + '%'
      }
    }
    if (markers && progress && bar && !bar.hidden) makeMarkers()
    if (markers && progress && bar && !bar.hidden && markers.children.length > 0) {
      progress.appendChild(markers)
      markers.hidden = false
      placeMarkers()
      video.addEventListener('loadedmetadata', placeMarkers)
    }

    // ---- The shared reply, edit and delete forms ----------------------------------------------
    // Without script Reply, Edit and Delete are links to pages holding the form; here the page's
    // one reply form, edit form and delete confirmation open in place instead: under the thread
    // or the comment, focused; Cancel or Escape closes them and gives focus back.
    var shared = section.querySelector('.comment-shared')
    var forms = shared
      ? {
          reply: shared.querySelector('.comment-reply-form'),
          edit: shared.querySelector('.comment-edit-form'),
          del: shared.querySelector('.comment-delete-form')
        }
      : null
    var openers = {}

    var closeForm = function (name, focusBack) {
      var f = forms[name]
      if (!f || f.parentNode === shared) return
      shared.appendChild(f)
      var opener = openers[name]
      openers[name] = null
      if (focusBack && opener && document.body.contains(opener)) opener.focus()
    }

    var about = function (link) {
      var hidden = link.querySelector('.visually-hidden')
      return hidden ? hidden.textContent : ''
    }

    var openForm = function (name, link, place, focus) {
      var f = forms[name]
      if (openers[name] && openers[name] !== link) closeForm(name, false)
      openers[name] = link
      var aboutText = f.querySelector('.comment-form-about')
      if (aboutText) aboutText.textContent = about(link)
      place(f)
      var first = f.querySelector(focus)
      if (first) first.focus()
    }

    // The comment a link is about: /comments/<id>/reply|edit|delete.
    var idOf = function (link) {
      return decodeURIComponent(link.getAttribute('href').split('/')[2] || '')
    }

    var openReply = function (link) {
      var f = forms.reply
      f.querySelector('input[name="parentId"]').value = idOf(link)
      f.querySelector('textarea').value = ''
      openForm(
        'reply',
        link,
        function (form) {
          link.parentNode.insertBefore(form, link.nextSibling)
        },
        'textarea'
      )
    }

    var openEdit = function (link) {
      var id = idOf(link)
      fetch('/api/comments/' + encodeURIComponent(id), { credentials: 'same-origin' })
        .then(function (response) {
          if (!response.ok) throw new Error('status ' + response.status)
          return response.json()
        })
        .then(function (c) {
          var f = forms.edit
          f.setAttribute('action', link.getAttribute('href'))
          f.querySelector('textarea').value = c.body
          var at = f.querySelector('.comment-edit-at')
          var first = c.parentId === null || c.parentId === undefined
          at.hidden = !first
          at.querySelector('input').disabled = !first
          at.querySelector('input').value = first && c.atMs !== null ? clock(c.atMs) : ''
          openForm(
            'edit',
            link,
            function (form) {
              link.parentNode.parentNode.appendChild(form)
            },
            'textarea'
          )
        })
        .catch(function () {
          // Not in place, then on its own page.
          window.location.href = link.href
        })
    }

    var openDelete = function (link) {
      forms.del.setAttribute('action', link.getAttribute('href'))
      openForm(
        'del',
        link,
        function (form) {
          link.parentNode.parentNode.appendChild(form)
        },
        '.btn-danger'
      )
    }

    if (forms && forms.reply && forms.edit && forms.del) {
      section.addEventListener('click', function (event) {
        var link = event.target.closest('.comment-threads a[href^="/comments/"]')
        var kind = link && /\/(reply|edit|delete)$/.exec(link.getAttribute('href'))
        if (kind) {
          if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return
          event.preventDefault()
          if (kind[1] === 'reply') openReply(link)
          else if (kind[1] === 'edit') openEdit(link)
          else openDelete(link)
          return
        }
        var cancel = event.target.closest('.comment-cancel')
        var form = cancel && cancel.closest('.comment-inline-form')
        if (form) closeForm(nameOf(form), true)
      })
      section.addEventListener('keydown', function (event) {
        if (event.key !== 'Escape') return
        var form = event.target.closest && event.target.closest('.comment-inline-form')
        if (!form || form.parentNode === shared) return
        event.preventDefault()
        closeForm(nameOf(form), true)
      })
    }

    var nameOf = function (form) {
      if (form === forms.reply) return 'reply'
      if (form === forms.edit) return 'edit'
      return 'del'
    }

    // Arriving at #c-<id>: the comment is in view once the page has laid out.
    if (/^#c-[A-Za-z0-9_-]+$/.test(window.location.hash)) {
      var arrived = document.getElementById(window.location.hash.slice(1))
      if (arrived && arrived.scrollIntoView) arrived.scrollIntoView({ block: 'center' })
    }
  }

  // ---- "This helped" and emoji at the moment -------------------------------------------------
  if (helpedBox) {
    var reactionsUrl = helpedBox.getAttribute('data-reactions-url')
    var csrf = helpedBox.getAttribute('data-csrf')
    var status = helpedBox.querySelector('.reaction-status')
    var toggle = helpedBox.querySelector('.helped-toggle')
    var form = helpedBox.querySelector('.helped-form')
    var emojiRow = helpedBox.querySelector('.moment-emoji')
    var busy = false

    var showCounts = function (counts) {
      toggle.setAttribute('aria-pressed', counts.helpedByMe ? 'true' : 'false')
      toggle.querySelector('.helped-count').textContent = String(counts.helped)
      var on = form.querySelector('input[name="on"]')
      if (on) on.value = counts.helpedByMe ? '0' : '1'
      var totals = {}
      var mine = {}
      ;(counts.moments || []).forEach(function (m) {
        totals[m.kind] = (totals[m.kind] || 0) + m.count
        if (m.mine) mine[m.kind] = true
      })
      var buttons = emojiRow ? emojiRow.querySelectorAll('.emoji-button') : []
      for (var i = 0; i < buttons.length; i++) {
        var kind = buttons[i].getAttribute('data-kind')
        var n = totals[kind] || 0
        buttons[i].querySelector('.emoji-count').textContent = n > 0 ? String(n) : ''
        buttons[i].setAttribute('aria-label', kind + ' at the current moment (' + n + ' so far)')
        buttons[i].classList.toggle('emoji-mine', !!mine[kind])
      }
    }

    var react = function (body, done) {
      if (busy) return
      busy = true
      post(reactionsUrl, csrf, body)
        .then(function (answer) {
          busy = false
          if (!answer.ok) {
            status.textContent = answer.json.error || 'That did not work. Try again.'
            return
          }
          showCounts(answer.json)
          status.textContent = done(answer.json)
        })
        .catch(function () {
          busy = false
          status.textContent = 'The library could not be reached. Try again.'
        })
    }

    if (form && toggle) {
      form.addEventListener('submit', function (event) {
        event.preventDefault()
        var on = toggle.getAttribute('aria-pressed') !== 'true'
        react({ kind: 'helped', on: on }, function (counts) {
          return counts.helpedByMe ? 'Thanks: the author will know it helped.' : 'Taken back.'
        })
      })
    }
    if (emojiRow) {
      emojiRow.hidden = false
      emojiRow.addEventListener('click', function (event) {
        var button = event.target.closest('.emoji-button')
        if (!button) return
        var at = nowMs()
        var total = lengthMs()
        if (total > 0 && at > total) at = total
        react({ kind: button.getAttribute('data-kind'), atMs: at }, function () {
          return button.getAttribute('data-kind') + ' at ' + clock(at)
        })
      })
    }
  }

  // ---- What was watched ----------------------------------------------------------------------
  if (!section) return
  var watchedUrl = section.getAttribute('data-watched-url')
  var watchCsrf = section.getAttribute('data-csrf')
  var MAX_RANGES = 200
  var REPORT_MS = 15000
  var CONTINUOUS_MS = 2500
  /** Ranges not reported yet, [startMs, endMs] of output time. */
  var pending = []
  var current = null
  var lastReport = Date.now()
  var sending = false

  function merged(ranges) {
    var sorted = ranges
      .filter(function (r) {
        return r[1] > r[0]
      })
      .sort(function (a, b) {
        return a[0] - b[0]
      })
    var out = []
    sorted.forEach(function (r) {
      var last = out[out.length - 1]
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1])
      else out.push([r[0], r[1]])
    })
    return out
  }

  function note(ms) {
    if (video.paused || video.seeking) return
    if (current && ms >= current[1] && ms - current[1] <= CONTINUOUS_MS) current[1] = ms
    else {
      current = [ms, ms]
      pending.push(current)
      if (pending.length > MAX_RANGES) pending = merged(pending).slice(-MAX_RANGES)
    }
    if (Date.now() - lastReport >= REPORT_MS) report(false)
  }

  function report(leaving) {
    var total = Math.floor(lengthMs())
    var ranges = merged(pending).filter(function (r) {
      return r[1] - r[0] >= 250
    })
    if (total <= 0 || ranges.length === 0 || (sending && !leaving)) return
    ranges = ranges.map(function (r) {
      return [Math.max(0, Math.floor(r[0])), Math.min(total, Math.ceil(r[1]))]
    })
    ranges = ranges.filter(function (r) {
      return r[1] > r[0]
    })
    if (ranges.length === 0) return
    // What is sent is forgotten here (the library merges it with what it has); playing on
    // continues from where the report ended.
    current = current ? [current[1], current[1]] : null
    pending = current ? [current] : []
    lastReport = Date.now()
    sending = true
    post(watchedUrl, watchCsrf, { ranges: ranges, durationMs: total }, leaving)
      .then(function () {
        sending = false
      })
      .catch(function () {
        sending = false
      })
  }

  onTime(note)
  video.addEventListener('seeking', function () {
    current = null
  })
  video.addEventListener('pause', function () {
    report(false)
  })
  video.addEventListener('ended', function () {
    report(false)
  })
  window.addEventListener('pagehide', function () {
    report(true)
  })
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') report(true)
  })
})()
