// flowloft web UI: plain ES modules (no build step, no outside requests), uPlot for the
// chart, the collector's /api for data.
import { api, qs, setUpLogin } from './api.js'
import { TrafficChart } from './chart.js'
import { $, el, fillTable, showError } from './dom.js'
import { setUpSql } from './sql.js'
import { bytes as human } from './units.js'

const RANGES = { '15m': 900, '1h': 3600, '6h': 21600, '24h': 86400, '7d': 604800 }
const state = { range: localStorage.getItem('flowloft.range') ?? '1h', exporter: null }
const chart = new TrafficChart($('#traffic'), $('#traffic-legend'))

function windowParams() {
  const to = Math.floor(Date.now() / 1000)
  return { from: to - RANGES[state.range], to }
}

async function loadTraffic() {
  // Steps of at least a minute: exporters flush flows every minute or so, and finer steps
  // comb the chart.
  const w = windowParams()
  const step = Math.max(
    60,
    [60, 120, 300, 600, 900, 1800, 3600].find((s) => s >= (w.to - w.from) / 120) ?? 3600,
  )
  const ts = await api(`/api/timeseries?${qs({ ...w, step })}`)
  $('#traffic-note').textContent = `${ts.step} s steps`
  chart.update(ts)
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

async function loadExporters() {
  const r = await api(`/api/exporters?${qs(windowParams())}`)
  const table = $('#exporters')
  fillTable(
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
  fillTable(
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
setUpLogin(() => void refresh())
setUpSql()
let width = 0
new ResizeObserver(() => {
  const w = $('#traffic').clientWidth
  if (w !== width) chart.resize()
  width = w
}).observe($('#traffic'))
setInterval(() => void refresh(), 30_000)
selectRange(state.range)
