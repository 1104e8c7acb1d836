/* global document, window */
// Copy buttons. `data-copy="text"` copies that text; `data-copy-from="input-id"` copies an
// input's value. Without the clipboard API (plain http on another host, old browsers) the text is
// shown selected in a field (`data-copy-fallback="element-id"`, or the source input) instead.
;(function () {
  'use strict'

  function statusFor(button) {
    var scope = button.closest('section, .actions, .watch-info') || document
    return scope.querySelector('.copy-status')
  }

  function say(button, text) {
    var status = statusFor(button)
    if (!status) return
    status.textContent = text
    window.clearTimeout(status._timer)
    status._timer = window.setTimeout(function () {
      status.textContent = ''
    }, 4000)
  }

  function selectFallback(button) {
    var fallbackId = button.getAttribute('data-copy-fallback')
    var sourceId = button.getAttribute('data-copy-from')
    var box = fallbackId ? document.getElementById(fallbackId) : null
    if (box) box.hidden = false
    var input = box
      ? box.querySelector('input')
      : sourceId
        ? document.getElementById(sourceId)
        : null
    if (input) {
      input.focus()
      input.select()
    }
    say(button, 'Press Ctrl+C (⌘C on a Mac) to copy.')
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-copy], [data-copy-from]')
    if (!button) return
    var text = button.getAttribute('data-copy')
    if (text === null) {
      var source = document.getElementById(button.getAttribute('data-copy-from'))
      text = source ? source.value : ''
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () {
          say(button, 'Copied.')
        },
        function () {
          selectFallback(button)
        }
      )
    } else {
      selectFallback(button)
    }
  })
})()
