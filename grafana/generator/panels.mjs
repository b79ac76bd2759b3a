// Panels, their units and links, and the dashboard frame (variables, links between the
// dashboards and to the console).
import { DATASOURCE, VARIABLES } from './variables.mjs'

/** Grafana units of the columns tables show, by column name. */
export const UNITS = {
  bytes: 'decbytes',
  bytes_in: 'decbytes',
  bytes_out: 'decbytes',
  today_bytes: 'decbytes',
  week_bytes: 'decbytes',
  cycle_bytes: 'decbytes',
  previous_cycle_bytes: 'decbytes',
  bps: 'bps',
  packets: 'suffix: packets',
  flows: 'suffix: flows',
  flows_per_second: 'suffix: flows/s',
  age_seconds: 's',
  silent_seconds: 's',
  sampling_rate: 'prefix:1:',
}

const RANGE_SECONDS = 'from=${__from:date:seconds}&to=${__to:date:seconds}'
/** The console's address, as the person browsing Grafana reaches the collector. */
const CONSOLE = '${console}'

/**
 * A data link to the console's page `view` with `key` (the page's subject, or a filter)
 * set to the row's `field` (web/state.js URLs).
 */
export const consoleLink = (view, field, title, key = view) => ({
  title,
  url: `${CONSOLE}/?view=${view}&${key}=\${__data.fields.${field}}&${RANGE_SECONDS}`,
  targetBlank: true,
})

/** A data link to dashboard `uid` with variable `variable` set to the row's `field`. */
export const dashboardLink = (uid, variable, field, title) => ({
  title,
  url: `/d/${uid}/?var-${variable}=\${__data.fields.${field}}&\${__url_time_range}`,
})

let nextId = 1
function panel(type, title, rawSql, grid, extra = {}) {
  const format = type === 'timeseries' ? 0 : 1
  return {
    id: nextId++,
    type,
    title,
    datasource: DATASOURCE,
    gridPos: grid,
    targets: [
      {
        refId: 'A',
        datasource: DATASOURCE,
        editorType: 'sql',
        format,
        queryType: type === 'timeseries' ? 'timeseries' : 'table',
        rawSql,
      },
    ],
    ...extra,
  }
}

/** Legend as a table with the range's current, peak and mean values. */
const LEGEND = { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max', 'mean'] }

/** A time series; `bySeries`: the series are named by the query's `series` column. */
export const ts = (title, sql, grid, unit, { bySeries = false, description } = {}) =>
  panel('timeseries', title, sql, grid, {
    description,
    fieldConfig: {
      defaults: {
        unit,
        ...(bySeries ? { displayName: '${__field.labels.series}' } : {}),
        custom: { fillOpacity: 10 },
      },
      overrides: [],
    },
    options: { legend: LEGEND, tooltip: { mode: 'multi', sort: 'desc' } },
  })

/**
 * A table: every numeric column named in UNITS gets its unit, `links` (column -> data
 * links) makes a column's cells link elsewhere.
 */
export function table(title, sql, grid, { links = {}, description } = {}) {
  // Every unit by name: a column a table does not have is not matched.
  const overrides = Object.entries(UNITS).map(([name, unit]) => ({
    matcher: { id: 'byName', options: name },
    properties: [{ id: 'unit', value: unit }],
  }))
  for (const [name, list] of Object.entries(links))
    overrides.push({
      matcher: { id: 'byName', options: name },
      properties: [{ id: 'links', value: list }],
    })
  return panel('table', title, sql, grid, {
    description,
    fieldConfig: { defaults: {}, overrides },
    options: { showHeader: true, cellHeight: 'sm' },
  })
}

/** A world map of countries (ISO codes in `country`), markers sized by `bytes`. */
export function countryMap(title, sql, grid) {
  return panel('geomap', title, sql, grid, {
    fieldConfig: { defaults: { unit: 'decbytes' }, overrides: [] },
    options: {
      view: { id: 'zero', lat: 20, lon: 0, zoom: 1 },
      controls: { showZoom: true, mouseWheelZoom: true, showAttribution: true },
      basemap: { type: 'default', name: 'Basemap' },
      layers: [
        {
          type: 'markers',
          name: 'Countries',
          location: {
            mode: 'lookup',
            lookup: 'country',
            gazetteer: 'public/gazetteer/countries.json',
          },
          config: {
            showLegend: true,
            size: { field: 'bytes', min: 4, max: 40, fixed: 5 },
            color: { field: 'bytes', fixed: 'dark-green' },
            fillOpacity: 0.5,
            shape: 'circle',
          },
          tooltip: true,
        },
      ],
      tooltip: { mode: 'details' },
    },
  })
}

/** Links every dashboard shows: the other flowloft dashboards and the console. */
export const DASHBOARD_LINKS = [
  {
    title: 'flowloft dashboards',
    type: 'dashboards',
    tags: ['flowloft'],
    asDropdown: true,
    includeVars: true,
    keepTime: true,
  },
  {
    title: 'Console',
    type: 'link',
    url: `${CONSOLE}/?${RANGE_SECONDS}`,
    icon: 'external link',
    targetBlank: true,
    tooltip: "flowloft's own console (per-device pages, conversations, SQL)",
  },
]

export function dashboard(
  uid,
  title,
  panels,
  description,
  { variables = VARIABLES, links = DASHBOARD_LINKS } = {},
) {
  nextId = 1
  return {
    uid,
    title,
    description,
    tags: ['flowloft'],
    editable: true,
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    links,
    templating: { list: variables.map((v) => ({ ...v })) },
    panels: panels.map((p, i) => ({ ...p, id: i + 1 })),
  }
}

export const W = (x, y, w, h) => ({ x, y, w, h })
