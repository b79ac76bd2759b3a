// flowloft web UI: plain ES modules (no build step, no outside requests), uPlot for the
// chart, the collector's /api for data. Views: the overview (my devices against the
// internet), a page per device, remote host, AS, country, service, exporter and
// interface, the alerts, usage per billing cycle with the data caps, and the SQL
// console; all state in the URL (state.js).
import { loadAlertCount, loadAlerts, loadDeviceAlerts, setUpAlerts } from './alerts.js'
import { api, qs, setUpLogin } from './api.js'
import { TrafficChart } from './chart.js'
import { renderChips, setUpFilterBox } from './chips.js'
import { loadConversations } from './conversations.js'
import { $, $$, showError } from './dom.js'
import { loadExporters } from './exporters.js'
import { showLive, toggleLive, zoomTo } from './live.js'
import { loadPage, pageKind } from './pages.js'
import { addPanelCards, loadDevices, loadInterfaces, loadRemote } from './panels.js'
import { setUpCustomRange, showRange } from './range.js'
import { setUpSql } from './sql.js'
import { loadDeviceUsage, loadUsageList } from './usage.js'
import {
  isLive,
  navigate,
  RANGES,
  rangeSeconds,
  readState,
  SUBJECTS,
  toSearch,
  watchState,
  windowOf,
} from './state.js'

const chart = new TrafficChart($('#traffic'), $('#traffic-legend'), {
  onZoom: zoomTo,
  onPick: (direction) => navigate({ filters: { ...readState().filters, direction } }),
})
let shown = ''

/** Chart steps: at least a minute (exporters flush about every minute; finer steps comb). */
function stepFor(seconds) {
  return [60, 120, 300, 600, 900, 1800, 3600, 7200, 21600].find((s) => s >= seconds / 120) ?? 86400
}

const minutes = (step) => (step >= 3600 ? `${step / 3600} h` : `${step / 60} min`)

async function loadTraffic(params, reset) {
  const ts = await api(
    `/api/timeseries?${qs({ ...params, step: stepFor(params.to - params.from) })}`,
  )
  $('#traffic-note').textContent =
    `bits/s, ${minutes(ts.step)} steps${ts.filtered ? ', filtered' : ''}`
  chart.update(ts, reset)
}

async function loadStatus() {
  const s = await api('/api/status')
  const drops = s.drops.reduce((t, d) => t + d.total, 0)
  $('#status').textContent =
    `${s.datagrams_per_second} datagrams/s · ${s.flows_per_second} flows/s · ${drops} dropped`
}

const visible = (id) => !$(id).hidden

/** Load every panel of the current view; `live` updates in place, keeping the chart's zoom. */
async function refresh(live = false) {
  const s = readState()
  const key = toSearch(s)
  const reset = !live && key !== shown
  shown = key
  const w = windowOf(s)
  const params = { ...w, ...s.filters, ...s.subject }
  const jobs = [loadStatus().catch(() => undefined), loadAlertCount()]
  if (visible('#traffic-card'))
    jobs.push(loadTraffic(params, reset).catch(showError($('#traffic-legend'))))
  jobs.push(loadRemote(params))
  if (visible('#card-devices')) jobs.push(loadDevices(params))
  if (visible('#card-interfaces')) jobs.push(loadInterfaces(params))
  if (visible('#exporters-card')) jobs.push(loadExporters(params).catch(showError($('#templates'))))
  if (visible('#page-card')) jobs.push(loadPage(s, params))
  if (visible('#alerts-card')) jobs.push(loadAlerts(s))
  if (visible('#device-alerts-card')) jobs.push(loadDeviceAlerts(s, s.subject.device))
  if (visible('#usage-card')) jobs.push(loadDeviceUsage(s.subject.device))
  if (visible('#usage-list-card')) jobs.push(loadUsageList())
  if (visible('#conversations-card')) {
    const addr = s.subject.device ?? s.subject.remote
    const self = s.view === 'device' ? 'this device' : undefined
    const page = s.view === 'device' ? 'remote' : 'device'
    jobs.push(loadConversations(addr, w.to - w.from, { self, page }))
  }
  await Promise.all(jobs)
  document.body.dataset.loaded = String(Date.now())
}

function showTime(s) {
  const preset = isLive(s) && s.range in RANGES
  for (const b of $$('#ranges button[data-range]'))
    b.setAttribute('aria-pressed', String(preset && b.dataset.range === s.range))
  showLive(s)
  const label = $('#zoomed')
  label.hidden = preset
  if (!isLive(s)) {
    const from = new Date(s.from * 1000)
    const to = new Date(s.to * 1000)
    const sameDay = from.toDateString() === to.toDateString()
    label.textContent = `${from.toLocaleString()} – ${sameDay ? to.toLocaleTimeString() : to.toLocaleString()}`
  } else if (!preset) label.textContent = `last ${Math.round(rangeSeconds(s.range) / 60)} min`
}

function render() {
  const s = readState()
  document.body.dataset.view = s.view
  for (const node of $$('[data-views]'))
    node.hidden = !node.dataset.views.split(' ').includes(s.view)
  for (const a of $$('#views a')) a.setAttribute('aria-current', String(a.dataset.view === s.view))
  showTime(s)
  renderChips(s)
  showRange(s)
  if (s.view in SUBJECTS) {
    $('#page-kind').textContent = pageKind(s.view)
    document.title = `${Object.values(s.subject).join(' ')} · flowloft`
  } else document.title = s.view === 'alerts' ? 'Alerts · flowloft' : 'flowloft'
  void refresh()
}

for (const b of $$('#ranges button[data-range]'))
  b.addEventListener('click', () => navigate({ range: b.dataset.range, from: null, to: null }))
$('#live').addEventListener('click', toggleLive)
for (const a of $$('#views a'))
  a.addEventListener('click', (ev) => {
    ev.preventDefault()
    navigate({ view: a.dataset.view, subject: {} })
  })
// Links inside the page (rows to their pages) navigate without a reload.
document.addEventListener('click', (ev) => {
  const a = ev.target.closest?.('a.pick')
  if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey) return
  ev.preventDefault()
  history.pushState(null, '', a.getAttribute('href'))
  render()
})
addPanelCards()
setUpLogin(() => render())
setUpSql()
setUpAlerts()
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
// Live: every 30 s the range moves with the clock and every panel updates in place (the
// page keeps its scroll); a fixed window stays as it is.
setInterval(() => {
  if (isLive(readState()) && document.visibilityState !== 'hidden') void refresh(true)
}, 30_000)
render()
