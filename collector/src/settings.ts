// Every component's settings, composed in one place: the list the loader reads and
// `flowloft help settings` prints (in this order), and the typed Config whose parts the
// wiring hands to each component. A setting is declared in its component's config.ts;
// a component with settings of its own adds its section here.
import { ALERTS, type AlertsConfig } from './alerts/config.js'
import { ANONYMISE, type AnonymiseConfig } from './anonymise/config.js'
import { APPS, type AppsConfig } from './apps/config.js'
import { API, HTTP, type ApiConfig, type HttpConfig } from './api/config.js'
import {
  CLICKHOUSE,
  COLLECTOR,
  QUERY,
  WRITER,
  type ClickHouseConfig,
  type QueryConfig,
  type WriterConfig,
} from './clickhouse/config.js'
import { RETENTION, type RetentionConfig } from './clickhouse/retention-config.js'
import { loadSettings, section, text, type LoadInput, type Values } from './config/index.js'
import { DECODE, type DecodeConfig } from './decode/config.js'
import { ENRICH, type EnrichConfig } from './enrich/config.js'
import { FLOW_LOG, type FlowLogConfig } from './flowlog/config.js'
import { LISTEN, type ListenConfig } from './listener/config.js'
import { METRICS, type TrafficMetricConfig } from './traffic-metrics/config.js'
import { LOG, type LogConfig } from './observability/config.js'
import { SENDERS, type SendersConfig } from './senders/config.js'
import { SUMMARIES, type SummariesConfig } from './summaries/config.js'
import { USAGE, type UsageConfig } from './usage/config.js'

const dataDir = text({
  path: 'data_dir',
  default: './data',
  help: 'where the embedded ClickHouse, spool and state live',
})
const DATA_DIR = section([dataDir], (v) => v.get(dataDir))

export const SETTINGS = [
  DATA_DIR,
  CLICKHOUSE,
  COLLECTOR,
  LISTEN,
  HTTP,
  QUERY,
  DECODE,
  WRITER,
  RETENTION,
  ENRICH,
  ANONYMISE,
  APPS,
  METRICS,
  SUMMARIES,
  FLOW_LOG,
  SENDERS,
  ALERTS,
  USAGE,
  API,
  LOG,
].flatMap((s) => s.settings)

export interface Config {
  dataDir: string
  clickhouse: ClickHouseConfig
  /** This collector among several on one ClickHouse (clickhouse/cluster-*.ts). */
  collector: { id: string }
  listen: ListenConfig
  http: HttpConfig
  query: QueryConfig
  decode: DecodeConfig
  writer: WriterConfig
  retention: RetentionConfig
  enrich: EnrichConfig
  /** Addresses stored anonymised (anonymise/). */
  anonymise: AnonymiseConfig
  /** Overrides of the domain -> app list (apps/). */
  apps: AppsConfig
  /** Traffic counters exported on /metrics (metrics/). */
  metrics: TrafficMetricConfig[]
  /** Top conversations per exporter and window (summaries/). */
  summaries: SummariesConfig
  /** One line per decoded flow in a rotating file (flowlog/). */
  flowLog: FlowLogConfig
  /** Authorized senders (senders/). */
  senders: SendersConfig
  /** Alerts on new destinations, device volume and silent exporters (alerts/). */
  alerts: AlertsConfig
  /** Usage per billing cycle and data caps (usage/). */
  usage: UsageConfig
  /** Authentication of API changes (api/mutation-auth.ts). */
  api: ApiConfig
  log: LogConfig
}

export function toConfig(v: Values): Config {
  return {
    dataDir: DATA_DIR.read(v),
    clickhouse: CLICKHOUSE.read(v),
    collector: COLLECTOR.read(v),
    listen: LISTEN.read(v),
    http: HTTP.read(v),
    query: QUERY.read(v),
    decode: DECODE.read(v),
    writer: WRITER.read(v),
    retention: RETENTION.read(v),
    enrich: ENRICH.read(v),
    anonymise: ANONYMISE.read(v),
    apps: APPS.read(v),
    metrics: METRICS.read(v),
    summaries: SUMMARIES.read(v),
    flowLog: FLOW_LOG.read(v),
    senders: SENDERS.read(v),
    alerts: ALERTS.read(v),
    usage: USAGE.read(v),
    api: API.read(v),
    log: LOG.read(v),
  }
}

/**
 * FLOWLOFT_* variables read elsewhere: the config file's path (cli/), stack traces on,
 * and where the CPU flags are read from (clickhouse/cpu-check.ts).
 */
const OTHER_ENV = ['FLOWLOFT_CONFIG', 'FLOWLOFT_DEBUG', 'FLOWLOFT_CPUINFO']

/** Every setting's value (for `flowloft config`); toConfig() makes the typed Config. */
export function loadValues(input: LoadInput): Values {
  return loadSettings(SETTINGS, input, { otherEnv: OTHER_ENV })
}

export function loadConfig(input: LoadInput): Config {
  return toConfig(loadValues(input))
}
