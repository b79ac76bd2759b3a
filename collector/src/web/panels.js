// The ranked panels: local devices, the remote side by host, service, country, AS,
// protocol and app (docs/apps.md), and the exporters' interfaces. A name opens its page; the funnel beside it
// (or a protocol's name) adds it as a filter. A page hides the panels its subject
// decides (an AS page has no AS panel).
import { api, qs } from './api.js'
import { $, el, showError } from './dom.js'
import { fillRanked } from './ranked.js'
import { hostHref, navigate, pageHref, readState, SUBJECTS } from './state.js'
import { countryName } from './units.js'

/** The views a card shows on: the overview and every page but those given. */
export const viewsBut = (...not) =>
  ['overview', ...Object.keys(SUBJECTS)].filter((v) => !not.includes(v)).join(' ')

/** Remote panels: the /api/remote `by`, the filter a row sets, its page, how it reads. */
export const REMOTE_PANELS = [
  {
    by: 'host',
    title: 'Remote hosts',
    filter: 'remote',
    page: 'remote',
    hiddenOn: ['remote'],
    show: (r) => ({ name: r.label || r.key, detail: r.label ? r.key : '' }),
  },
  {
    by: 'service',
    title: 'Services',
    filter: 'service',
    page: 'service',
    hiddenOn: ['service'],
    show: (r) => ({ name: r.label || r.key, detail: r.key }),
  },
  {
    by: 'country',
    title: 'Countries',
    filter: 'country',
    page: 'country',
    hiddenOn: ['remote', 'country'],
    value: (r) => r.key || '-',
    show: (r) => ({ name: countryName(r.key), detail: r.key }),
  },
  {
    by: 'as',
    title: 'ASes',
    filter: 'as',
    page: 'as',
    hiddenOn: ['remote', 'as'],
    show: (r) => ({ name: r.label || `AS${r.key}`, detail: `AS${r.key}` }),
  },
  {
    by: 'proto',
    title: 'Protocols',
    filter: 'proto',
    hiddenOn: [],
    show: (r) => ({ name: r.key, detail: '' }),
  },
  {
    by: 'app',
    title: 'Apps',
    filter: 'app',
    hiddenOn: [],
    value: (r) => r.key || '-',
    show: (r) => ({ name: r.key || '(no app)', detail: r.label }),
  },
]

const card = (id, title, table, views) =>
  el(
    'section',
    { className: 'card top', id, dataset: { views } },
    el('h2', { textContent: title }),
    el('table', { id: table }),
  )

/** The cards of the grid: devices, the remote panels, interfaces. */
export function addPanelCards() {
  $('#tops').append(
    card('card-devices', 'My devices', 'devices', viewsBut('device')),
    ...REMOTE_PANELS.map((p) =>
      card(`card-${p.by}`, p.title, `remote-${p.by}`, viewsBut(...p.hiddenOn)),
    ),
    card('card-interfaces', 'Interfaces', 'interfaces', 'overview exporter'),
  )
}

/** Add a filter to the current state. */
const addFilter = (patch) => {
  const s = readState()
  navigate({ filters: { ...s.filters, ...patch } })
}

export async function loadDevices(params, limit = 10) {
  const table = $('#devices')
  try {
    const r = await api(`/api/devices?${qs({ ...params, limit })}`)
    const s = readState()
    fillRanked(table, {
      title: 'device',
      rows: r.rows.map((d) => ({
        ...d,
        key: d.device,
        name: d.name || d.device,
        detail: d.name ? d.device : '',
      })),
      href: (d) => pageHref(s, 'device', { device: d.device }),
      pick: (d) => addFilter({ device: d.device }),
    })
  } catch (err) {
    showError(table)(err)
  }
}

export async function loadRemote(params) {
  const s = readState()
  await Promise.all(
    REMOTE_PANELS.filter((p) => !$(`#card-${p.by}`).hidden).map(async (p) => {
      const table = $(`#remote-${p.by}`)
      try {
        const r = await api(`/api/remote?${qs({ ...params, by: p.by, limit: 10 })}`)
        const value = (row) => p.value?.(row) ?? row.key
        fillRanked(table, {
          title: p.by,
          rows: r.rows.map((row) => ({ ...row, ...p.show(row) })),
          href:
            p.page &&
            ((row) =>
              p.by === 'host'
                ? hostHref(s, row.key, row.internal)
                : pageHref(s, p.page, { [p.filter]: value(row) })),
          pick: (row) => addFilter({ [p.filter]: value(row) }),
        })
      } catch (err) {
        showError(table)(err)
      }
    }),
  )
}

export async function loadInterfaces(params) {
  const table = $('#interfaces')
  try {
    const r = await api(`/api/interfaces?${qs({ ...params, limit: 10 })}`)
    const s = readState()
    const one = new Set(r.rows.map((x) => x.exporter)).size <= 1
    const subject = (x) => ({ exporter: x.exporter, interface: String(x.if_index) })
    fillRanked(table, {
      title: 'interface',
      rows: r.rows.map((x) => ({
        ...x,
        key: `${x.exporter} ${x.if_index}`,
        name: x.name || `#${x.if_index}`,
        detail: `${x.name ? `#${x.if_index}` : ''}${one ? '' : ` on ${x.exporter}`}`.trim(),
      })),
      href: (x) => pageHref(s, 'interface', subject(x)),
      pick: (x) => addFilter(subject(x)),
    })
  } catch (err) {
    showError(table)(err)
  }
}
