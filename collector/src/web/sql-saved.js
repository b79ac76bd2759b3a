// The SQL console's query list: the shipped examples, then the user's saved queries,
// kept in this browser's local storage under flowloft.queries ({name: sql}).
import { $, el } from './dom.js'
import { EXAMPLES } from './sql-examples.js'

const KEY = 'flowloft.queries'

export function savedQueries() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}')
    return v && typeof v === 'object' ? v : {}
  } catch {
    return {}
  }
}

function store(queries) {
  localStorage.setItem(KEY, JSON.stringify(queries))
}

/** Fill the picker; `selected` is an option value (e:N or s:NAME). */
function fillPicker(selected) {
  const pick = $('#sql-example')
  const saved = Object.keys(savedQueries()).sort()
  pick.replaceChildren(
    el(
      'optgroup',
      { label: 'Examples' },
      ...EXAMPLES.map((x, i) => el('option', { value: `e:${i}`, textContent: x.name })),
    ),
    ...(saved.length
      ? [
          el(
            'optgroup',
            { label: 'Saved' },
            ...saved.map((n) => el('option', { value: `s:${n}`, textContent: n })),
          ),
        ]
      : []),
  )
  if (selected) pick.value = selected
  $('#sql-delete').hidden = !pick.value.startsWith('s:')
}

function load() {
  const v = $('#sql-example').value
  const sql = v.startsWith('s:') ? savedQueries()[v.slice(2)] : EXAMPLES[Number(v.slice(2))]?.sql
  $('#sql').value = sql ?? ''
  $('#sql-name').value = v.startsWith('s:') ? v.slice(2) : ''
  $('#sql-delete').hidden = !v.startsWith('s:')
}

export function setUpSaved() {
  fillPicker()
  load()
  $('#sql-example').addEventListener('change', load)
  $('#sql-save').addEventListener('click', () => {
    const name = $('#sql-name').value.trim()
    if (!name) {
      $('#sql-name').focus()
      return
    }
    store({ ...savedQueries(), [name]: $('#sql').value })
    fillPicker(`s:${name}`)
  })
  $('#sql-delete').addEventListener('click', () => {
    const v = $('#sql-example').value
    if (!v.startsWith('s:')) return
    const queries = savedQueries()
    delete queries[v.slice(2)]
    store(queries)
    fillPicker()
    load()
  })
}
