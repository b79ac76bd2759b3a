// Alerts (GET /api/alerts, docs/alerts.md): the alerts page, newest first, filtered by
// kind and by device (both in the URL); a device page's own latest alerts; the count of
// the last 24 hours beside "Alerts" in the nav. /api/status says whether alerts are on:
// while they are off nothing asks /api/alerts (it answers 404) and the page says how to
// turn them on.
import { api, qs } from './api.js'
import { $, el, fillTable, showError } from './dom.js'
import { ALERT_KINDS, navigate, pageHref, readState, toSearch } from './state.js'
import { bytes, countryName, when } from './units.js'

export const KIND_NAMES = {
  new_destination: 'new destination',
  device_volume: 'volume',
  device_unusual: 'unusual',
  exporter_silent: 'exporter silent',
  usage_cap: 'data cap',
}
/** Most alerts the page lists, and a device page. */
const PAGE_LIMIT = 200
const DEVICE_LIMIT = 10
/** The nav counts up to this many. */
const COUNT_LIMIT = 100

let setting
/** alerts.enabled and alerts.learning_days, from /api/status (read once). */
function alertsSetting() {
  setting ??= api('/api/status').then(
    (s) => s.alerts ?? { enabled: false, learning_days: 0 },
    (err) => {
      setting = undefined
      throw err
    },
  )
  return setting
}

const code = (text) => el('code', { textContent: text })

/** What the page shows while alerts are off: how to turn them on. */
const offMessage = () =>
  el(
    'div',
    { className: 'notice', id: 'alerts-off' },
    el('p', {}, el('strong', { textContent: 'Alerts are off.' })),
    el(
      'p',
      {},
      'Set ',
      code('alerts.enabled: true'),
      ' in the configuration file (or ',
      code('FLOWLOFT_ALERTS_ENABLED=true'),
      ') and restart flowloft. It then tells you here, in its log, on ',
      code('/metrics'),
      ' and through a webhook when a device talks to a country or a network it never used, moves a lot of traffic or far more than usual, or an exporter goes silent. See ',
      code('docs/alerts.md'),
      '.',
    ),
  )

/** What the page shows while there is no alert at all: the learning period. */
const noneYet = (days) =>
  el(
    'div',
    { className: 'notice', id: 'alerts-none' },
    el('p', {}, el('strong', { textContent: 'No alerts yet.' })),
    el(
      'p',
      {},
      days > 0
        ? `flowloft first learns where each device goes, quietly, for ${days} day${days === 1 ? '' : 's'} after its first flow (`
        : 'Alerts show here as the rules raise them (',
      code(days > 0 ? 'alerts.learning_days' : 'alerts.*'),
      days > 0
        ? '); after that a new country or network, a device moving a lot of traffic and a silent exporter show here.'
        : ').',
    ),
  )

const link = (text, href, className = 'pick inline') =>
  el('a', { href, className, textContent: text })

/** The device or exporter an alert is about, linked to its page. */
function subjectLink(s, a) {
  // A cap of all devices or of a group is about no one device: its page is the usage view.
  const devices = a.details?.devices
  if (a.kind === 'usage_cap' && !(Array.isArray(devices) && devices.length === 1))
    return el('a', {
      href: toSearch({ ...s, view: 'usage', subject: {} }),
      className: 'pick',
      textContent: a.subject === 'total' ? 'all devices' : `group ${a.subject_name || a.subject}`,
    })
  const page = a.kind === 'exporter_silent' ? 'exporter' : 'device'
  const label = [a.subject_name || a.subject]
  if (a.subject_name && a.subject_name !== a.subject)
    label.push(' ', el('small', { textContent: a.subject }))
  return el(
    'a',
    { href: pageHref(s, page, { [page]: a.subject }), className: 'pick', title: a.subject },
    ...label,
  )
}

/** What an alert found, from its details; countries and ASes link to their pages. */
function about(s, a) {
  const d = a.details ?? {}
  const span = el('span', { className: 'about', title: a.message })
  if (a.kind === 'new_destination' && Array.isArray(d.new) && d.new.length > 0) {
    d.new.forEach((x, i) => {
      if (i > 0) span.append(', ')
      span.append(
        x.kind === 'country'
          ? link(countryName(x.value), pageHref(s, 'country', { country: String(x.value) }))
          : link(
              `AS${x.value}${x.name ? ` ${x.name}` : ''}`,
              pageHref(s, 'as', { as: String(x.value) }),
            ),
      )
    })
    span.prepend('first time to ')
  } else if (a.kind === 'device_volume' && d.bytes !== undefined)
    span.textContent = `${bytes(d.bytes)} in an hour (${bytes(d.bytes_in)} in, ${bytes(d.bytes_out)} out), over ${bytes(d.threshold)}`
  else if (a.kind === 'device_unusual' && d.bytes !== undefined)
    span.textContent = `${bytes(d.bytes)} in an hour, usually ${bytes(d.usual)} at this hour`
  else if (a.kind === 'usage_cap' && d.cap_bytes !== undefined)
    span.textContent = `past ${d.level}%: ${bytes(d.used_bytes)} of the ${bytes(d.cap_bytes)} cap this billing cycle (${d.percent}%)`
  else if (a.kind === 'exporter_silent' && d.last_seen !== undefined)
    span.textContent = `no flows since ${when(d.last_seen)}`
  else span.textContent = a.message
  return span
}

/** A lasting condition: ongoing or when it ended; a new destination is once. */
function status(a) {
  if (a.kind === 'new_destination') return ''
  if (a.resolved_at > 0) return `ended ${when(a.resolved_at)}`
  return el('strong', { className: 'ongoing', textContent: 'ongoing' })
}

const kindTag = (a) =>
  el('span', { className: `alert-kind ${a.kind}`, textContent: KIND_NAMES[a.kind] ?? a.kind })

/** Alerts into `table`: time, kind, (the device), what it found, status. */
function fillAlerts(table, alerts, { device, empty = 'no alerts' }) {
  const s = readState()
  fillTable(
    table,
    ['time', 'kind', ...(device ? ['device'] : []), 'about', 'status'],
    alerts.map((a) => [
      when(a.raised_at),
      kindTag(a),
      ...(device ? [subjectLink(s, a)] : []),
      about(s, a),
      status(a),
    ]),
    empty,
  )
  table.classList.add('stack', 'alerts')
}

/** `table` as one muted line of text. */
function oneLine(table, text) {
  table.classList.remove('stack', 'alerts')
  table.replaceChildren(
    el('tbody', {}, el('tr', {}, el('td', { className: 'empty', textContent: text }))),
  )
}

/** Each device and exporter of `alerts` once: [address, label]. */
function subjects(alerts) {
  const m = new Map()
  for (const a of alerts)
    if (!m.has(a.subject)) {
      const name = a.subject_name && a.subject_name !== a.subject ? ` ${a.subject_name}` : ''
      const what = a.kind === 'exporter_silent' ? 'exporter ' : ''
      m.set(a.subject, `${what}${a.subject}${name}`)
    }
  return [...m].sort((x, y) => x[1].localeCompare(y[1]))
}

function fillDeviceSelect(alerts, current) {
  const select = $('#alerts-device')
  const list = subjects(alerts)
  if (current && !list.some(([addr]) => addr === current)) list.push([current, current])
  select.replaceChildren(
    el('option', { value: '', textContent: 'every device and exporter' }),
    ...list.map(([addr, label]) => el('option', { value: addr, textContent: label })),
  )
  select.value = current ?? ''
}

/** The alerts page for state `s`. */
export async function loadAlerts(s) {
  const table = $('#alerts')
  const box = $('#alerts-state')
  const note = $('#alerts-note')
  try {
    const a = await alertsSetting()
    $('#alerts-filter').hidden = !a.enabled
    if (!a.enabled) {
      note.textContent = ''
      box.replaceChildren(offMessage())
      table.replaceChildren()
      return
    }
    const device = s.filters.device
    const filtered = Boolean(s.kind || device)
    const [list, all] = await Promise.all([
      api(`/api/alerts?${qs({ kind: s.kind, subject: device, limit: PAGE_LIMIT })}`),
      filtered ? api(`/api/alerts?${qs({ limit: 1000 })}`) : undefined,
    ])
    const every = (all ?? list).alerts
    $('#alerts-kind').value = s.kind
    fillDeviceSelect(every, device)
    if (every.length === 0) {
      $('#alerts-filter').hidden = true
      note.textContent = ''
      box.replaceChildren(noneYet(a.learning_days))
      table.replaceChildren()
      return
    }
    box.replaceChildren()
    const n = list.alerts.length
    note.textContent =
      n === 0
        ? ''
        : `${n === PAGE_LIMIT ? `the newest ${n}` : n} alert${n === 1 ? '' : 's'}, newest first`
    fillAlerts(table, list.alerts, { device: true, empty: 'no alert of this kind or device' })
  } catch (err) {
    note.textContent = ''
    box.replaceChildren()
    showError(table)(err)
  }
}

/** A device page's latest alerts, `addr` its address. */
export async function loadDeviceAlerts(s, addr) {
  const table = $('#device-alerts')
  const note = $('#device-alerts-note')
  try {
    const a = await alertsSetting()
    if (!a.enabled) {
      note.replaceChildren()
      oneLine(table, 'alerts are off (alerts.enabled): the Alerts page says how to turn them on')
      return
    }
    const r = await api(`/api/alerts?${qs({ subject: addr, limit: DEVICE_LIMIT })}`)
    const all = toSearch({
      ...s,
      view: 'alerts',
      subject: {},
      kind: '',
      filters: { ...s.filters, device: addr },
    })
    if (r.alerts.length === 0) {
      note.replaceChildren()
      oneLine(table, 'none: no alert about this device')
      return
    }
    note.replaceChildren(
      r.alerts.length === DEVICE_LIMIT ? `the latest ${DEVICE_LIMIT} · ` : '',
      link('all alerts of this device', all, 'pick inline all-alerts'),
    )
    fillAlerts(table, r.alerts, { device: false })
  } catch (err) {
    note.replaceChildren()
    showError(table)(err)
  }
}

/** The nav's count of alerts raised in the last 24 hours (hidden when none or off). */
export async function loadAlertCount() {
  const badge = $('#alerts-count')
  try {
    const a = await alertsSetting()
    if (!a.enabled) {
      badge.hidden = true
      return
    }
    const r = await api(`/api/alerts?${qs({ from: '-1d', limit: COUNT_LIMIT })}`)
    const n = r.alerts.length
    badge.hidden = n === 0
    badge.textContent = n >= COUNT_LIMIT ? `${COUNT_LIMIT - 1}+` : String(n)
    badge.title = `${badge.textContent} alert${n === 1 ? '' : 's'} in the last 24 hours`
  } catch {
    badge.hidden = true
  }
}

/** The page's filters: a kind, a device (or exporter); each change is a new URL. */
export function setUpAlerts() {
  const kind = $('#alerts-kind')
  kind.replaceChildren(
    el('option', { value: '', textContent: 'every kind' }),
    ...ALERT_KINDS.map((k) => el('option', { value: k, textContent: KIND_NAMES[k] })),
  )
  kind.addEventListener('change', () => navigate({ kind: kind.value }))
  const device = $('#alerts-device')
  device.addEventListener('change', () => {
    const filters = { ...readState().filters, device: device.value }
    if (!device.value) delete filters.device
    navigate({ filters })
  })
}
