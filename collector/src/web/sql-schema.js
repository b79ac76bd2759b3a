// The SQL console's schema browser: flowloft's tables and their columns with types, read
// from system.columns through the same read-only /api/query; a click on a column puts its
// name in the query at the cursor.
import { api } from './api.js'
import { $, el, showError } from './dom.js'

const ABOUT = {
  flows: 'one row per flow; bytes and packets already scaled by the sampling rate',
  flows_clear:
    'with anonymise.clear_days: the last days of flows in clear, with host names (flows holds them anonymised)',
  flows_1m: 'per-minute rollup (local_addr, service_port, countries, ASes, interfaces)',
  flows_1h: "per-hour rollup of flows_1m's columns, kept longest",
  flows_1d: "per-day rollup of flows_1h's columns",
  flows_hosts_1m:
    'per-minute rollup with both addresses and their host names (no exporter or interfaces)',
  flows_hosts_1h:
    "per-hour rollup of flows_hosts_1m's columns, rolled once an hour is over (see rollup_fill)",
  flows_hosts_1d: "per-day rollup of flows_hosts_1m's columns, rolled once a day is over",
  flows_pairs_1d:
    'per day and pair of addresses (no protocol, service port or app), rolled once a day is over',
  rollup_fill:
    'how far each rollup rolled on a schedule is filled (max(filled_until)); later times are in the level below',
  device_traffic_1h: 'per device (local_addr), hour and direction',
  device_seen: "each device's first and last minute seen",
  exporters: 'each exporter, latest seen',
  interfaces: 'interface names per exporter',
  as_names: 'AS names seen in flows',
  sflow_counters: 'sFlow interface counters',
  alerts: 'alerts raised, in versions: read with FINAL',
  alert_seen: 'countries and ASes each device has talked to, first and last seen',
  app_domains: 'the app list: domain suffix, app and category',
}

const SQL = `SELECT table, name, type FROM system.columns
  WHERE database = 'flowloft' AND table NOT LIKE '%\\_mv' AND table != 'schema_migrations'
    AND NOT startsWith(table, 'anonymise')
  ORDER BY table = 'flows' DESC, table, position`

function insert(text) {
  const box = $('#sql')
  const at = box.selectionStart ?? box.value.length
  box.setRangeText(text, at, box.selectionEnd ?? at, 'end')
  box.focus()
}

async function loadSchema() {
  const list = $('#schema-list')
  if (list.dataset.loaded) return
  try {
    const r = await api('/api/query', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: SQL }),
    })
    const tables = new Map()
    for (const c of r.data) tables.set(c.table, [...(tables.get(c.table) ?? []), c])
    list.replaceChildren(
      ...[...tables].map(([table, cols]) =>
        el(
          'details',
          { className: 'schema-table', dataset: { table } },
          el(
            'summary',
            {},
            el('code', { textContent: table }),
            ABOUT[table]
              ? el('small', { className: 'muted', textContent: ` ${ABOUT[table]}` })
              : null,
          ),
          el(
            'ul',
            {},
            ...cols.map((c) => {
              const b = el('button', { type: 'button', className: 'column', textContent: c.name })
              b.addEventListener('click', () => insert(c.name))
              return el('li', {}, b, el('small', { className: 'muted', textContent: ` ${c.type}` }))
            }),
          ),
        ),
      ),
    )
    list.dataset.loaded = '1'
  } catch (err) {
    showError(list)(err)
  }
}

export function setUpSchema() {
  $('#schema').addEventListener('toggle', () => {
    if ($('#schema').open) void loadSchema()
  })
}
