// The SQL console: results as a table, CSV download, and ClickHouse's own error message;
// examples and saved queries (sql-saved.js), tables and columns (sql-schema.js).
import { api } from './api.js'
import { $, el, fillTable } from './dom.js'
import { setUpSaved } from './sql-saved.js'
import { setUpSchema } from './sql-schema.js'

async function runSql(ev) {
  ev.preventDefault()
  const error = $('#sql-error')
  const info = $('#sql-info')
  const table = $('#sql-result')
  error.hidden = true
  info.textContent = 'running…'
  const t0 = performance.now()
  try {
    const r = await api('/api/query', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: $('#sql').value }),
    })
    const cols = r.meta.map((m) => m.name)
    fillTable(
      table,
      cols.map((c, i) => ({ label: c, num: /Int|Float|Decimal/.test(r.meta[i].type) })),
      r.data.map((row) => cols.map((c) => row[c])),
      'no rows',
    )
    info.textContent = `${r.rows} rows in ${Math.round(performance.now() - t0)} ms`
    $('#sql-csv').hidden = false
  } catch (err) {
    table.replaceChildren()
    info.textContent = ''
    error.textContent = err.message
    error.hidden = false
    $('#sql-csv').hidden = true
  }
}

async function downloadCsv() {
  const res = await fetch('/api/query?format=csv', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sql: $('#sql').value }),
  })
  if (!res.ok) {
    const body = await res.json().catch(() => ({}))
    $('#sql-error').textContent = body.error ?? `HTTP ${res.status}`
    $('#sql-error').hidden = false
    return
  }
  const url = URL.createObjectURL(await res.blob())
  const a = el('a', { href: url, download: 'flowloft-query.csv' })
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function setUpSql() {
  setUpSaved()
  setUpSchema()
  $('#sql-form').addEventListener('submit', (ev) => void runSql(ev))
  $('#sql-csv').addEventListener('click', () => void downloadCsv())
  $('#sql').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) $('#sql-form').requestSubmit()
  })
}
