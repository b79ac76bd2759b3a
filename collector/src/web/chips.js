// Filters as removable chips, and a box to type one (key=value).
import { $, el } from './dom.js'
import { FILTER_KEYS, navigate, readState } from './state.js'

const NAMES = {
  device: 'device',
  remote: 'remote',
  as: 'AS',
  country: 'country',
  service: 'service',
  proto: 'protocol',
  exporter: 'exporter',
  interface: 'interface',
  direction: 'direction',
  app: 'app',
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

/** key=value (or key:value) from the box, or an error to show. */
export function parseFilter(text, subject = {}) {
  const m = /^\s*([a-z]+)\s*[=:]\s*(\S.*?)\s*$/i.exec(text)
  const key = m?.[1].toLowerCase()
  if (!m || !FILTER_KEYS.includes(key))
    return { error: `type key=value, key one of ${FILTER_KEYS.join(', ')}` }
  if (key in subject) return { error: `${key} is what this page is about: open another page` }
  return { key, value: m[2] }
}

export function setUpFilterBox() {
  const input = $('#filter-input')
  const error = $('#filter-error')
  $('#filter-form').addEventListener('submit', (ev) => {
    ev.preventDefault()
    const s = readState()
    const f = parseFilter(input.value, s.subject)
    error.hidden = f.error === undefined
    if (f.error !== undefined) {
      error.textContent = f.error
      return
    }
    input.value = ''
    navigate({ filters: { ...s.filters, [f.key]: f.value } })
  })
}
