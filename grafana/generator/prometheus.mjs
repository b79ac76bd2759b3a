// "flowloft: Self-monitoring": the collector's own /metrics as the optional Prometheus
// (`docker compose --profile prometheus`) scrapes them (job flowloft). Every metric is
// one the collector exports (collector/test/appliance/dashboards-prometheus.test.ts
// checks each against a real scrape and parses each expression with promtool).
import { DASHBOARD_LINKS, W, dashboard } from './panels.mjs'

export const PROMETHEUS = { type: 'prometheus', uid: 'flowloft-prometheus' }

const SEL = '{job="flowloft", instance=~"$instance"}'
const RATE = (metric, extra = '') =>
  `rate(${metric}{job="flowloft", instance=~"$instance"${extra}}[$__rate_interval])`

const VARIABLES = [
  {
    name: 'instance',
    label: 'Collector',
    type: 'query',
    datasource: PROMETHEUS,
    query: {
      query: 'label_values(flowloft_collector_info{job="flowloft"}, instance)',
      refId: 'instance',
    },
    definition: 'label_values(flowloft_collector_info{job="flowloft"}, instance)',
    refresh: 1,
    includeAll: true,
    multi: true,
    current: { text: ['All'], value: ['$__all'] },
  },
]

let refs = 0
const target = ([expr, legendFormat]) => ({
  refId: String.fromCharCode(65 + refs++),
  datasource: PROMETHEUS,
  expr,
  legendFormat,
  range: true,
})

/** A panel of PromQL `queries`: [expression, legend] pairs. */
function promPanel(type, title, queries, grid, unit, description) {
  refs = 0
  return {
    id: 0,
    type,
    title,
    description,
    datasource: PROMETHEUS,
    gridPos: grid,
    targets: queries.map(target),
    fieldConfig: { defaults: { unit, min: 0 }, overrides: [] },
    options:
      type === 'timeseries'
        ? { legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] } }
        : { reduceOptions: { calcs: ['lastNotNull'] }, colorMode: 'background', graphMode: 'none' },
  }
}

export function selfMonitoring() {
  const ts = (...a) => promPanel('timeseries', ...a)
  const stat = (...a) => promPanel('stat', ...a)
  return dashboard(
    'flowloft-self-monitoring',
    'flowloft: Self-monitoring',
    [
      stat(
        'Scraped',
        [[`up${SEL}`, '{{instance}}']],
        W(0, 0, 4, 4),
        'bool_yes_no',
        'Prometheus reaches /metrics',
      ),
      stat(
        'ClickHouse ready',
        [[`flowloft_clickhouse_ready${SEL}`, '{{instance}}']],
        W(4, 0, 4, 4),
        'bool_yes_no',
        'ClickHouse answered and the schema is applied; until then flows are spooled',
      ),
      stat(
        'Writer stalled',
        [[`flowloft_writer_stalled${SEL}`, '{{instance}}']],
        W(8, 0, 4, 4),
        'bool_yes_no',
        'Rows wait and no insert has succeeded for longer than the stall bound',
      ),
      stat(
        'Spool on disk',
        [[`sum(flowloft_writer_spool_bytes${SEL})`, 'spool']],
        W(12, 0, 4, 4),
        'bytes',
        'Flows kept on disk while ClickHouse cannot take them',
      ),
      stat(
        'Resident memory',
        [[`sum(process_resident_memory_bytes${SEL})`, 'rss']],
        W(16, 0, 4, 4),
        'bytes',
      ),
      stat(
        'CPU',
        [[`sum(${RATE('process_cpu_seconds_total')})`, 'cpu']],
        W(20, 0, 4, 4),
        'percentunit',
      ),
      ts(
        'Datagrams received per listener',
        [[`sum by (listener) (${RATE('flowloft_listener_datagrams_total')})`, '{{listener}}']],
        W(0, 4, 12, 8),
        'pps',
      ),
      ts(
        'Flows decoded and rows stored',
        [
          [`sum(${RATE('flowloft_decoder_flows_total')})`, 'decoded'],
          [`sum(${RATE('flowloft_writer_rows_total')})`, 'stored'],
          [`sum(${RATE('flowloft_writer_spooled_rows_total')})`, 'spooled'],
        ],
        W(12, 4, 12, 8),
        'suffix: rows/s',
      ),
      ts(
        'Datagrams rejected by the decoder, by reason',
        [
          [
            `sum by (result) (${RATE('flowloft_decoder_datagrams_total', ', result!="ok"')})`,
            '{{result}}',
          ],
        ],
        W(0, 12, 12, 8),
        'pps',
      ),
      ts(
        'Losses',
        [
          [`sum(${RATE('flowloft_listener_kernel_drops_total')})`, 'kernel: receive buffer full'],
          [`sum(${RATE('flowloft_decode_dropped_datagrams_total')})`, 'decode queue full'],
          [`sum(${RATE('flowloft_decoder_flows_refused_total')})`, 'flows refused'],
          [`sum(${RATE('flowloft_writer_dropped_rows_total')})`, 'rows dropped by the writer'],
        ],
        W(12, 12, 12, 8),
        'suffix: /s',
        'Anything above 0 is lost or refused traffic; the collector health dashboard and /api/status say which',
      ),
      ts(
        'Insert duration',
        [
          [
            `histogram_quantile(0.5, sum by (le) (${RATE('flowloft_writer_insert_duration_seconds_bucket')}))`,
            'p50',
          ],
          [
            `histogram_quantile(0.95, sum by (le) (${RATE('flowloft_writer_insert_duration_seconds_bucket')}))`,
            'p95',
          ],
        ],
        W(0, 20, 8, 8),
        's',
      ),
      ts(
        'Writer queue',
        [
          [`sum(flowloft_writer_pending_rows${SEL})`, 'rows in memory'],
          [`sum(flowloft_decode_queue_batches${SEL})`, 'decode batches waiting'],
        ],
        W(8, 20, 8, 8),
        'short',
      ),
      ts(
        'Event loop',
        [
          [`sum(${RATE('nodejs_eventloop_active_seconds_total')})`, 'busy'],
          [`max(nodejs_eventloop_lag_p99_seconds${SEL})`, 'lag p99 (s)'],
        ],
        W(16, 20, 8, 8),
        'percentunit',
        'Share of time the main thread is busy; lag in seconds',
      ),
      ts(
        'HTTP requests by status',
        [[`sum by (status) (${RATE('flowloft_http_requests_total')})`, '{{status}}']],
        W(0, 28, 12, 8),
        'reqps',
      ),
      ts(
        'Memory',
        [
          [`sum(process_resident_memory_bytes${SEL})`, 'resident'],
          [`sum(nodejs_heap_size_used_bytes${SEL})`, 'heap used'],
          [`sum(nodejs_external_memory_bytes${SEL})`, 'external'],
        ],
        W(12, 28, 12, 8),
        'bytes',
      ),
    ],
    "flowloft's own metrics (/metrics) through the optional Prometheus (compose profile prometheus)",
    // The console link needs the ClickHouse dashboards' $console: the dashboards list only.
    { variables: VARIABLES, links: DASHBOARD_LINKS.filter((l) => l.type === 'dashboards') },
  )
}
