// flowloft web UI: plain ES modules (no build step, no outside requests), uPlot for the
// chart, the collector's /api for data. Views: the overview (my devices against the
// internet), a page per device, and the SQL console; all state in the URL (state.js).
import { api, qs, setUpLogin } from './api.js'
import { TrafficChart } from './chart.js'
import { renderChips, setUpFilterBox } from './chips.js'
import { loadDevicePage } from './device.js'
import { $, $$, showError } from './dom.js'
import { loadExporters } from './exporters.js'
import { addRemoteCards, loadDevices, loadRemote } from './panels.js'
import { setUpCustomRange, showRange } from './range.js'
import { setUpSql } from './sql.js'
import { navigate, readState, toSearch, watchState, windowOf } from './state.js'

const chart = new TrafficChart($('#traffic'), $('#traffic-legend'), (from, to) =>
  navigate({ from, to }),
)
let shown = ''

/** Chart steps: at least a minute (exporters flush about every minute; finer steps comb). */
function stepFor(seconds) {
  return [60, 120, 300, 600, 900, 1800, 3600, 7200, 21600].find((s) => s >= seconds / 120) ?? 86400
}

async function loadTraffic(params, reset) {
  const ts = await api(
    `/api/timeseries?${qs({ ...params, step: stepFor(params.to - params.from) })}`,
  )
  $('#traffic-note').textContent =
    `bits/s, ${ts.step / 60} min steps${ts.filtered ? ', filtered' : ''}`
  chart.update(ts, reset)
}

async function loadStatus() {
  const s = await api('/api/status')
  const drops = s.drops.reduce((t, d) => t + d.total, 0)
  $('#status').textContent =
    `${s.datagrams_per_second} datagrams/s · ${s.flows_per_second} flows/s · ${drops} dropped`
}

/** Load every panel of the current view; `live` keeps the chart's zoom. */
async function refresh(live = false) {
  const s = readState()
  const key = toSearch(s)
  const reset = !live && key !== shown
  shown = key
  const w = windowOf(s)
  const params = { ...w, ...s.filters, ...(s.device ? { device: s.device } : {}) }
  const jobs = [loadStatus().catch(() => undefined)]
  if (s.view !== 'sql') {
    jobs.push(loadTraffic(params, reset).catch(showError($('#traffic-legend'))))
    jobs.push(loadRemote(params))
  }
  if (s.view === 'overview') {
    jobs.push(loadDevices(params))
    jobs.push(loadExporters(params).catch(showError($('#templates'))))
  }
  if (s.view === 'device') jobs.push(loadDevicePage(s.device, w))
  await Promise.all(jobs)
  document.body.dataset.loaded = String(Date.now())
}

function render() {
  const s = readState()
  document.body.dataset.view = s.view
  for (const node of $$('[data-views]'))
    node.hidden = !node.dataset.views.split(' ').includes(s.view)
  for (const a of $$('#views a'))
    a.setAttribute('aria-current', String(a.dataset.view === s.view && !s.device))
  for (const b of $$('#ranges button'))
    b.setAttribute('aria-pressed', String(!s.from && b.dataset.range === s.range))
  $('#zoomed').hidden = !s.from
  $('#zoomed').textContent = s.from
    ? `${new Date(s.from * 1000).toLocaleString()} – ${new Date(s.to * 1000).toLocaleTimeString()}`
    : ''
  renderChips(s)
  showRange(s)
  document.title = s.view === 'device' ? `${s.device} · flowloft` : 'flowloft'
  void refresh()
}

for (const b of $$('#ranges button'))
  b.addEventListener('click', () => navigate({ range: b.dataset.range, from: null, to: null }))
for (const a of $$('#views a'))
  a.addEventListener('click', (ev) => {
    ev.preventDefault()
    navigate({ view: a.dataset.view, device: '' })
  })
// Links inside the page (device rows) navigate without a reload.
document.addEventListener('click', (ev) => {
  const a = ev.target.closest?.('a.pick')
  if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey) return
  ev.preventDefault()
  history.pushState(null, '', a.getAttribute('href'))
  render()
})
addRemoteCards()
setUpLogin(() => render())
setUpSql()
setUpFilterBox()
setUpCustomRange()
watchState(render)
let width = 0
new ResizeObserver(() => {
  const w = $('#traffic').clientWidth
  if (w !== width) chart.resize()
  width = w
}).observe($('#traffic'))
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => chart.redraw())
// Live: a preset range moves with the clock; a zoomed (fixed) range stays.
setInterval(() => {
  if (!readState().from) void refresh(true)
}, 30_000)
render()
