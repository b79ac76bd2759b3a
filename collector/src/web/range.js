// A custom time range: two local date-times, shown for the range in view and applied as
// a fixed from/to (like a zoom).
import { $ } from './dom.js'
import { navigate, windowOf } from './state.js'

/** Unix seconds as a datetime-local value in the browser's time zone. */
export const toLocalInput = (s) =>
  new Date(s * 1000 - new Date(s * 1000).getTimezoneOffset() * 60_000).toISOString().slice(0, 16)

/** A datetime-local value (local time) as unix seconds, NaN when empty or invalid. */
export const fromLocalInput = (v) => Math.floor(new Date(v).getTime() / 1000)

export function showRange(s) {
  if (document.activeElement?.closest?.('#custom-range')) return
  const w = windowOf(s)
  $('#range-from').value = toLocalInput(w.from)
  $('#range-to').value = toLocalInput(w.to)
}

export function setUpCustomRange() {
  $('#custom-range').addEventListener('submit', (ev) => {
    ev.preventDefault()
    const from = fromLocalInput($('#range-from').value)
    const to = fromLocalInput($('#range-to').value)
    const bad = !(from < to)
    $('#range-from').setCustomValidity(bad ? 'must be before the end' : '')
    if (bad) {
      $('#range-from').reportValidity()
      return
    }
    $('#custom').open = false
    navigate({ from, to })
  })
}
