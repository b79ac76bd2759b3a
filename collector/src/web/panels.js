// The ranked panels: local devices, and the remote side by host, service, country, AS
// and protocol. A click on a remote value adds it as a filter; a device opens its page.
import { api, qs } from './api.js'
import { $, el, showError } from './dom.js'
import { fillRanked } from './ranked.js'
import { hrefOf, navigate, readState } from './state.js'

const REGIONS = new Intl.DisplayNames([], { type: 'region' })
/** A country's name in the browser's language (built in, no lookup), else its code. */
function countryName(code) {
  try {
    return REGIONS.of(code) ?? code
  } catch {
    return code
  }
}

/** Remote panels: the /api/remote `by`, the filter a click sets, how a row reads. */
export const REMOTE_PANELS = [
  {
    by: 'host',
    title: 'Remote hosts',
    filter: 'remote',
    show: (r) => ({ name: r.label || r.key, detail: r.label ? r.key : '' }),
  },
  {
    by: 'service',
    title: 'Services',
    filter: 'service',
    show: (r) => ({ name: r.label || r.key, detail: r.key }),
  },
  {
    by: 'country',
    title: 'Countries',
    filter: 'country',
    value: (r) => r.key || '-',
    show: (r) => ({ name: r.key ? countryName(r.key) : '(unknown)', detail: r.key }),
  },
  {
    by: 'as',
    title: 'ASes',
    filter: 'as',
    show: (r) => ({ name: r.label || `AS${r.key}`, detail: `AS${r.key}` }),
  },
  { by: 'proto', title: 'Protocols', filter: 'proto', show: (r) => ({ name: r.key, detail: '' }) },
]

/** A card per remote panel, after the devices' card. */
export function addRemoteCards() {
  $('#tops').append(
    ...REMOTE_PANELS.map((p) =>
      el(
        'section',
        { className: 'card top', id: `card-${p.by}` },
        el('h2', { textContent: p.title }),
        el('table', { id: `remote-${p.by}` }),
      ),
    ),
  )
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
      href: (d) => hrefOf(s, { view: 'device', device: d.device }),
    })
  } catch (err) {
    showError(table)(err)
  }
}

export async function loadRemote(params) {
  await Promise.all(
    REMOTE_PANELS.map(async (p) => {
      const table = $(`#remote-${p.by}`)
      try {
        const r = await api(`/api/remote?${qs({ ...params, by: p.by, limit: 10 })}`)
        fillRanked(table, {
          title: p.by,
          rows: r.rows.map((row) => ({ ...row, ...p.show(row) })),
          pick: (row) => {
            const s = readState()
            navigate({ filters: { ...s.filters, [p.filter]: p.value?.(row) ?? row.key } })
          },
        })
      } catch (err) {
        showError(table)(err)
      }
    }),
  )
}
