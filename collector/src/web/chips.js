// Filters as removable chips, and a box to type one (key=value).
import { $, el } from './dom.js'
import { FILTER_KEYS, navigate, readState } from './state.js'

const NAMES = {
  remote: 'remote',
  as: 'AS',
  country: 'country',
  service: 'service',
  proto: 'protocol',
  exporter: 'exporter',
}

export function renderChips(s) {
  const chips = Object.entries(s.filters).map(([k, v]) => {
    const remove = el('button', {
      type: 'button',
      className: 'chip-remove',
      textContent: '×',
      title: `remove ${NAMES[k]} filter`,
    })
    remove.setAttribute('aria-label', `remove filter ${NAMES[k]} ${v}`)
    remove.addEventListener('click', () => {
      const filters = { ...readState().filters }
      delete filters[k]
      navigate({ filters })
    })
    return el('li', { className: 'chip', dataset: { key: k } }, `${NAMES[k]}: ${v}`, remove)
  })
  $('#chips').replaceChildren(...chips)
}

export function setUpFilterBox() {
  const input = $('#filter-input')
  const error = $('#filter-error')
  $('#filter-form').addEventListener('submit', (ev) => {
    ev.preventDefault()
    const m = /^\s*([a-z]+)\s*[=:]\s*(\S.*?)\s*$/i.exec(input.value)
    const key = m?.[1].toLowerCase()
    if (!m || !FILTER_KEYS.includes(key)) {
      error.textContent = `type key=value, key one of ${FILTER_KEYS.join(', ')}`
      error.hidden = false
      return
    }
    error.hidden = true
    input.value = ''
    navigate({ filters: { ...readState().filters, [key]: m[2] } })
  })
}
