// The typed configuration the rest of the collector receives.
import { ConfigError } from './errors.js'
import { parseListen, formatListen, type ListenAddress } from './listen-address.js'
import { loadFlat, printable, maskUrl, type FlatConfig, type LoadInput } from './load.js'
import { SETTINGS } from './settings.js'
import { parseTrafficMetrics, type TrafficMetricConfig } from '../traffic-metrics/config.js'
import { parseSenderSeed, type SendersConfig } from '../senders/config.js'
import { snmpExporters, type SnmpConfig } from '../enrich/snmp/config.js'
import { dnsConfig, type DnsConfig } from '../enrich/dns/config.js'
import { leaseFiles, type DhcpConfig } from '../enrich/dhcp/config.js'
import { parseSummaryWindows, type SummariesConfig } from '../summaries/config.js'
import type { FlowLogConfig } from '../flowlog/config.js'

export { ConfigError, parseListen, formatListen, printable, maskUrl, SETTINGS }
export type { ListenAddress, FlatConfig, LoadInput }

export interface Config {
  dataDir: string
  clickhouse: { url: string; maxMemoryBytes: number }
  listen: {
    netflow: ListenAddress | null
    ipfix: ListenAddress | null
    sflow: ListenAddress | null
    receiveBuffer: number
  }
  http: {
    listen: ListenAddress | null
    maxBodyBytes: number
    auth: 'auto' | 'token' | 'none'
    allowedHosts: string[]
    maxConnections: number
    metricsPublic: boolean
    /** Source addresses with their own series in per-address metric families. */
    metricsMaxSources: number
  }
  query: {
    maxExecutionSeconds: number
    maxResultRows: number
    maxResultBytes: number
    maxMemoryBytes: number
    concurrency: number
  }
  decode: {
    workers: number
    queue: number
    batchDatagrams: number
    batchMs: number
    /** Highest announced sampling rate applied; flows above it are refused (0: no cap). */
    maxSamplingRate: number
    /** Template bounds: per exporter address, in all, and the idle time before reuse. */
    templates: { perExporter: number; max: number; idleMs: number }
  }
  writer: { batchRows: number; batchMs: number; spoolMaxBytes: number }
  retention: {
    rawDays: number
    rollup1mDays: number
    rollup1hDays: number
    countersDays: number
    systemLogDays: number
    maxDiskBytes: number
    checkSchedule: string
  }
  log: { level: 'debug' | 'info' | 'warn' | 'error' }
  /** Traffic counters exported on /metrics (metrics/). */
  metrics: TrafficMetricConfig[]
  /** Authorized senders (senders/). */
  senders: SendersConfig
  /** Authentication of API changes (api/mutation-auth.ts). */
  api: { hmacKey: string; bearerToken: string; hmacWindowSeconds: number }
  /** Top conversations per exporter and window (summaries/). */
  summaries: SummariesConfig
  /** One line per decoded flow in a rotating file (flowlog/). */
  flowLog: FlowLogConfig
  enrich: {
    geoip: { countryDb: string; asnDb: string; required: boolean; reloadSeconds: number }
    localPrefixes: string[]
    hostAliases: Record<string, string>
    interfaces: Record<string, Record<string, string>>
    /** Interface names read over SNMP (enrich/snmp/). */
    snmp: SnmpConfig
    /** Exporter IP (canonical) -> its own local prefixes. */
    exporterPrefixes: Record<string, string[]>
    /** Learn the home's public prefixes from the flows (learned-prefixes/). */
    learnPrefixes: boolean
    /** Reverse DNS of flow addresses (enrich/dns/). */
    dns: DnsConfig
    /** Pi-hole / dnsmasq query log to learn names from (enrich/pihole/); '' off. */
    pihole: { log: string }
    /** DHCP lease files to name devices from (enrich/dhcp/). */
    dhcp: DhcpConfig
  }
}

function str(flat: FlatConfig, path: string): string {
  const v = flat.get(path)
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : ''
}
function num(flat: FlatConfig, path: string): number {
  return Number(flat.get(path))
}
function listen(flat: FlatConfig, path: string): ListenAddress | null {
  const s = str(flat, path)
  if (s === '') return null
  const a = parseListen(s)
  if (typeof a === 'string') throw new ConfigError(`${path} ${a}`)
  return a
}

export function toConfig(flat: FlatConfig): Config {
  const level = str(flat, 'log.level')
  if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error') {
    throw new ConfigError(
      `log.level must be debug, info, warn or error, got ${JSON.stringify(level)}`,
    )
  }
  return {
    dataDir: str(flat, 'data_dir'),
    clickhouse: {
      url: str(flat, 'clickhouse.url'),
      maxMemoryBytes: num(flat, 'clickhouse.max_memory_bytes'),
    },
    listen: {
      netflow: listen(flat, 'listen.netflow'),
      ipfix: listen(flat, 'listen.ipfix'),
      sflow: listen(flat, 'listen.sflow'),
      receiveBuffer: num(flat, 'listen.receive_buffer'),
    },
    http: {
      listen: listen(flat, 'http.listen'),
      maxBodyBytes: num(flat, 'http.max_body_bytes'),
      auth: str(flat, 'http.auth') as Config['http']['auth'],
      allowedHosts: str(flat, 'http.allowed_hosts')
        .split(',')
        .map((h) => h.trim())
        .filter((h) => h !== ''),
      maxConnections: num(flat, 'http.max_connections'),
      metricsPublic: flat.get('http.metrics_public') === true,
      metricsMaxSources: num(flat, 'http.metrics_max_sources'),
    },
    query: {
      maxExecutionSeconds: num(flat, 'query.max_execution_seconds'),
      maxResultRows: num(flat, 'query.max_result_rows'),
      maxResultBytes: num(flat, 'query.max_result_bytes'),
      maxMemoryBytes: num(flat, 'query.max_memory_bytes'),
      concurrency: num(flat, 'query.concurrency'),
    },
    decode: {
      workers: num(flat, 'decode.workers'),
      queue: num(flat, 'decode.queue'),
      batchDatagrams: num(flat, 'decode.batch_datagrams'),
      batchMs: num(flat, 'decode.batch_ms'),
      maxSamplingRate: num(flat, 'decode.max_sampling_rate'),
      templates: {
        perExporter: num(flat, 'decode.templates.per_exporter'),
        max: num(flat, 'decode.templates.max'),
        idleMs: num(flat, 'decode.templates.idle_s') * 1000,
      },
    },
    writer: {
      batchRows: num(flat, 'writer.batch_rows'),
      batchMs: num(flat, 'writer.batch_ms'),
      spoolMaxBytes: num(flat, 'writer.spool_max_bytes'),
    },
    retention: {
      rawDays: num(flat, 'retention.raw_days'),
      rollup1mDays: num(flat, 'retention.rollup_1m_days'),
      rollup1hDays: num(flat, 'retention.rollup_1h_days'),
      countersDays: num(flat, 'retention.counters_days'),
      systemLogDays: num(flat, 'retention.system_log_days'),
      maxDiskBytes: num(flat, 'retention.max_disk_bytes'),
      checkSchedule: str(flat, 'retention.check_schedule'),
    },
    log: { level },
    metrics: parseTrafficMetrics(flat.get('metrics'), 'metrics'),
    senders: {
      authorizedOnly: flat.get('senders.authorized_only') === true,
      seed: parseSenderSeed(flat.get('senders.seed')),
    },
    api: {
      hmacKey: str(flat, 'api.hmac_key'),
      bearerToken: str(flat, 'api.bearer_token'),
      hmacWindowSeconds: num(flat, 'api.hmac_window_seconds'),
    },
    summaries: {
      enabled: flat.get('summaries.enabled') === true,
      windowsMinutes: parseSummaryWindows(
        (flat.get('summaries.windows_minutes') as number[] | undefined) ?? [],
        'summaries.windows_minutes',
      ),
      top: num(flat, 'summaries.top'),
      maxBytes: num(flat, 'summaries.max_bytes'),
      files: num(flat, 'summaries.files'),
    },
    flowLog: {
      enabled: flat.get('flow_log.enabled') === true,
      maxBytes: num(flat, 'flow_log.max_bytes'),
      files: num(flat, 'flow_log.files'),
    },
    enrich: {
      geoip: {
        countryDb: str(flat, 'enrich.geoip.country_db'),
        asnDb: str(flat, 'enrich.geoip.asn_db'),
        required: flat.get('enrich.geoip.required') === true,
        reloadSeconds: num(flat, 'enrich.geoip.reload_seconds'),
      },
      localPrefixes: (flat.get('enrich.local_prefixes') as string[] | undefined) ?? [],
      hostAliases: (flat.get('enrich.host_aliases') as Record<string, string> | undefined) ?? {},
      interfaces:
        (flat.get('enrich.interfaces') as Record<string, Record<string, string>> | undefined) ?? {},
      snmp: {
        community: str(flat, 'enrich.snmp.community'),
        port: num(flat, 'enrich.snmp.port'),
        intervalSeconds: num(flat, 'enrich.snmp.interval_seconds'),
        timeoutMs: num(flat, 'enrich.snmp.timeout_ms'),
        retries: num(flat, 'enrich.snmp.retries'),
        exporters: snmpExporters(
          (flat.get('enrich.snmp.exporters') as Record<string, unknown>[] | undefined) ?? [],
        ),
      },
      exporterPrefixes:
        (flat.get('enrich.exporter_prefixes') as Record<string, string[]> | undefined) ?? {},
      learnPrefixes: flat.get('enrich.learn_prefixes') === true,
      dns: dnsConfig((path) => flat.get(path)),
      pihole: { log: str(flat, 'enrich.pihole.log') },
      dhcp: {
        leases: leaseFiles(
          (flat.get('enrich.dhcp.leases') as Record<string, unknown>[] | undefined) ?? [],
        ),
        vendorNames: flat.get('enrich.dhcp.vendor_names') === true,
      },
    },
  }
}

export function loadConfig(input: LoadInput): Config {
  return toConfig(loadFlat(input))
}
