// flowloft web UI: plain ES modules, uPlot for the chart, the collector's /api for data.
import uPlot from './uplot.js'

const RANGES = { '15m': 900, '1h': 3600, '6h': 21600, '24h': 86400, '7d': 604800 }
const state = { range: localStorage.getItem('flowloft.range') ?? '1h', exporter: null }
let chart = null

const $ = (sel) => document.querySelector(sel)
const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag)
  Object.assign(e, props)
  for (const c of children) e.append(c)
  return e
}

async function api(path, init) {
  const res = await fetch(path, init)
  const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }))
  if (res.status === 401) showLogin()
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`)
  return body
}

// Login: the API token, exchanged for an HttpOnly session cookie (POST /api/login).
function showLogin() {
  const d = $('#login')
  if (!d.open) d.showModal()
}

async function logIn(ev) {
  ev.preventDefault()
  const err = $('#login-error')
  const res = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: $('#login-token').value }),
  })
  if (!res.ok) {
    const body = await res.json().catch(() => ({}))
    err.textContent = body.error ?? `HTTP ${res.status}`
    err.hidden = false
    return
  }
  err.hidden = true
  $('#login-token').value = ''
  $('#login').close()
  void refresh()
}

function windowParams() {
  const to = Math.floor(Date.now() / 1000)
  return { from: to - RANGES[state.range], to }
}
const qs = (o) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)]))

const UNITS = ['', 'k', 'M', 'G', 'T', 'P']
export function human(n, unit = 'B') {
  let i = 0
  let v = n
  while (Math.abs(v) >= 1000 && i < UNITS.length - 1) {
    v /= 1000
    i++
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${UNITS[i]}${unit}`
}

// Traffic over time: bytes/s in and out; total when no flow has a direction yet.
async function loadTraffic() {
  const ts = await api(`/api/timeseries?${qs(windowParams())}`)
  const perSec = (a) => a.map((v) => v / ts.step)
  const sum = (a) => a.reduce((s, v) => s + v, 0)
  const byDirection = sum(ts.bytes.inbound) + sum(ts.bytes.outbound) > 0
  const series = [{}]
  const data = [ts.t]
  if (byDirection) {
    series.push({ label: 'in', stroke: '#2f6fdf', fill: 'rgba(47,111,223,0.15)', width: 2 })
    series.push({ label: 'out', stroke: '#e07b24', fill: 'rgba(224,123,36,0.15)', width: 2 })
    data.push(perSec(ts.bytes.inbound), perSec(ts.bytes.outbound))
    const other = ts.bytes.total.map((v, i) => v - ts.bytes.inbound[i] - ts.bytes.outbound[i])
    if (sum(other) > 0) {
      series.push({ label: 'other', stroke: '#8a93a6', width: 1 })
      data.push(perSec(other))
    }
  } else {
    series.push({ label: 'total', stroke: '#2f6fdf', fill: 'rgba(47,111,223,0.15)', width: 2 })
    data.push(perSec(ts.bytes.total))
  }
  $('#traffic-note').textContent =
    `bytes/s, ${ts.step} s steps${byDirection ? '' : ' (no direction yet: total)'}`
  const box = $('#traffic')
  const opts = {
    width: box.clientWidth,
    height: box.clientWidth < 500 ? 200 : 260,
    series: series.map((s, i) =>
      i === 0 ? s : { ...s, value: (_u, v) => (v == null ? '-' : `${human(v)}/s`) },
    ),
    axes: [{}, { size: 70, values: (_u, ticks) => ticks.map((v) => `${human(v)}/s`) }],
    scales: { x: { time: true } },
    legend: { live: true },
  }
  chart?.destroy()
  box.replaceChildren()
  chart = new uPlot(opts, data, box)
}

async function loadTop(card) {
  const by = card.querySelector('select').value
  const r = await api(`/api/top?${qs({ by, limit: 10, ...windowParams() })}`)
  const table = card.querySelector('table')
  const max = r.rows[0]?.bytes ?? 1
  const rows = r.rows.map((row) => {
    const key = el('td', { className: 'key', title: row.key })
    // '' (no country, no host name) and AS 0 mean the flow did not say.
    const unknown = row.key === '' || (/_as$/.test(by) && row.key === '0')
    key.append(unknown ? el('span', { className: 'empty', textContent: '(unknown)' }) : row.key)
    if (row.label) key.append(el('small', { textContent: row.label }))
    key.style.backgroundSize = `${Math.max(1, (row.bytes / max) * 100)}% 100%`
    return el(
      'tr',
      {},
      key,
      el('td', { className: 'num', textContent: human(row.bytes) }),
      el('td', { className: 'num', textContent: `${row.flows}` }),
    )
  })
  table.replaceChildren(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { textContent: by }),
        el('th', { className: 'num', textContent: 'bytes' }),
        el('th', { className: 'num', textContent: 'flows' }),
      ),
    ),
    el(
      'tbody',
      {},
      ...(rows.length
        ? rows
        : [
            el(
              'tr',
              {},
              el('td', { className: 'empty', colSpan: 3, textContent: 'no flows in this range' }),
            ),
          ]),
    ),
  )
}

function renderTable(table, columns, rows) {
  table.replaceChildren(
    el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', { textContent: c })))),
    el(
      'tbody',
      {},
      ...rows.map((r) =>
        el(
          'tr',
          {},
          ...r.map((v) =>
            el('td', {
              textContent: v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v),
            }),
          ),
        ),
      ),
    ),
  )
}

async function loadExporters() {
  const r = await api(`/api/exporters?${qs(windowParams())}`)
  const table = $('#exporters')
  renderTable(
    table,
    ['exporter', 'name', 'types', 'sampling', 'flows', 'bytes', 'templates', 'last seen'],
    r.exporters.map((e) => [
      e.exporter,
      e.name,
      e.flow_types.join(', '),
      e.sampling_rates.join(', '),
      e.flows,
      human(e.bytes),
      e.templates,
      e.last_seen ? new Date(e.last_seen * 1000).toLocaleTimeString() : '-',
    ]),
  )
  table.querySelectorAll('tbody tr').forEach((tr, i) => {
    const addr = r.exporters[i].exporter
    tr.classList.toggle('selected', addr === state.exporter)
    tr.addEventListener('click', () => {
      state.exporter = addr
      table.querySelectorAll('tr.selected').forEach((x) => x.classList.remove('selected'))
      tr.classList.add('selected')
      void loadTemplates(addr).catch(showError($('#templates')))
    })
  })
  if (r.exporters.length === 0)
    table.append(
      el('caption', {
        className: 'empty',
        textContent: 'no exporter has sent flows in this range',
      }),
    )
}

async function loadTemplates(addr) {
  const t = await api(`/api/exporters/${encodeURIComponent(addr)}/templates`)
  const box = $('#templates')
  const table = el('table')
  renderTable(
    table,
    ['protocol', 'domain', 'template', 'kind', 'fields'],
    t.templates.map((x) => [
      x.protocol,
      x.domain,
      x.templateId,
      x.kind,
      x.fields.map((f) => (f.enterprise ? `${f.enterprise}:${f.id}` : f.id)).join(' '),
    ]),
  )
  const rates = t.sampling.map(
    (s) =>
      `${s.protocol} domain ${s.domain} ${s.key}${s.samplerId == null ? '' : ` #${s.samplerId}`}: 1/${s.rate}`,
  )
  box.replaceChildren(
    el('h3', { textContent: `Templates of ${addr}` }),
    t.templates.length
      ? el('div', { className: 'scroll' }, table)
      : el('p', {
          className: 'empty',
          textContent: 'no templates (NetFlow v5 and sFlow have none)',
        }),
    el('p', {
      className: 'muted',
      textContent: rates.length ? `sampling: ${rates.join('; ')}` : 'no sampling rate announced',
    }),
  )
}

async function loadStatus() {
  const s = await api('/api/status')
  const drops = s.drops.reduce((t, d) => t + d.total, 0)
  $('#status').textContent =
    `${s.datagrams_per_second} datagrams/s · ${s.flows_per_second} flows/s · ${drops} dropped · queue ${s.queues.decode_batches}`
}

const showError = (box) => (err) => {
  box.replaceChildren(el('p', { className: 'error', textContent: String(err.message ?? err) }))
}

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
    renderTable(
      table,
      cols,
      r.data.map((row) => cols.map((c) => row[c])),
    )
    info.textContent = `${r.rows} rows in ${Math.round(performance.now() - t0)} ms`
  } catch (err) {
    table.replaceChildren()
    info.textContent = ''
    error.textContent = err.message
    error.hidden = false
  }
}

async function refresh() {
  const jobs = [
    loadTraffic().catch(showError($('#traffic'))),
    loadExporters().catch(showError($('#templates'))),
    loadStatus().catch(() => undefined),
    ...[...document.querySelectorAll('.card.top')].map((card) =>
      loadTop(card).catch(showError(card.querySelector('table'))),
    ),
  ]
  if (state.exporter) jobs.push(loadTemplates(state.exporter).catch(() => undefined))
  await Promise.all(jobs)
  document.body.dataset.loaded = String(Date.now())
}

function selectRange(range) {
  state.range = range in RANGES ? range : '1h'
  localStorage.setItem('flowloft.range', state.range)
  document
    .querySelectorAll('#ranges button')
    .forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.range === state.range)))
  void refresh()
}

document
  .querySelectorAll('#ranges button')
  .forEach((b) => b.addEventListener('click', () => selectRange(b.dataset.range)))
document
  .querySelectorAll('.card.top select')
  .forEach((s) => s.addEventListener('change', () => void loadTop(s.closest('.card'))))
$('#sql-form').addEventListener('submit', (ev) => void runSql(ev))
$('#login-form').addEventListener('submit', (ev) => void logIn(ev))
$('#sql').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) $('#sql-form').requestSubmit()
})
let width = 0
new ResizeObserver(() => {
  const w = $('#traffic').clientWidth
  if (chart && w !== width) chart.setSize({ width: w, height: w < 500 ? 200 : 260 })
  width = w
}).observe($('#traffic'))
setInterval(() => void refresh(), 30_000)
selectRange(state.range)
