// Time: a zoom on the chart becomes the range of every panel (in the URL, so back and
// forward undo it), and the live mode. A live range ends now and moves with the clock; a
// zoom that reaches now stays live (the last 12 minutes), any other is a fixed window.
// The Live button freezes the window in view, or makes a fixed one live again.
import { $ } from './dom.js'
import { isLive, navigate, rangeOf, readState, windowOf } from './state.js'

/** The narrowest window a zoom gives: five of the finest steps. */
export const MIN_WINDOW = 300

export function zoomTo(from, to, atEnd) {
  let [a, b] = [Math.floor(from), Math.ceil(to)]
  if (b - a < MIN_WINDOW) {
    const mid = Math.round((a + b) / 2)
    a = mid - MIN_WINDOW / 2
    b = a + MIN_WINDOW
  }
  if (isLive(readState()) && atEnd) {
    navigate({ range: rangeOf(Math.floor(Date.now() / 1000) - a), from: null, to: null })
  } else navigate({ from: a, to: b })
}

export function toggleLive() {
  const s = readState()
  if (isLive(s)) {
    const w = windowOf(s)
    navigate({ from: w.from, to: w.to })
  } else navigate({ range: rangeOf(s.to - s.from), from: null, to: null })
}

export function showLive(s) {
  const b = $('#live')
  b.setAttribute('aria-pressed', String(isLive(s)))
  b.title = isLive(s)
    ? 'Live: the range follows the clock. Click to hold this window.'
    : 'Click to follow the clock with a range this long'
}
