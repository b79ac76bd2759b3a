// Every setting flowhouse takes, in one table: its path in the YAML file, its flag,
// its environment variable, its type, default and rule. Loading (load.ts) is driven
// entirely by this table, so a new setting is one line here.
export type SettingType =
  | 'string'
  | 'int'
  | 'bool'
  | 'listen'
  | 'url'
  /** List of CIDR prefixes (YAML list; env/flag as JSON or a comma list). */
  | 'cidr_list'
  /** Map of IP address -> name (YAML mapping; env/flag as JSON). */
  | 'host_map'
  /** Map of exporter IP -> (ifIndex -> name) (YAML mapping; env/flag as JSON). */
  | 'if_map'
  /** Traffic metrics exported on /metrics (YAML list of mappings; env/flag as JSON). */
  | 'metric_list'

/** Structured values: lists and maps, validated by load.ts. */
export type StructuredValue =
  | string[]
  | Record<string, string>
  | Record<string, Record<string, string>>
  | Record<string, unknown>[]

export interface SettingDef {
  /** Dotted path in the YAML file, e.g. `listen.netflow`. */
  path: string
  type: SettingType
  default: string | number | boolean | StructuredValue
  help: string
  /** Flag name without dashes; defaults to the path with dots and underscores as dashes. */
  flag?: string
  min?: number
  max?: number
  /** Secrets are masked when the effective configuration is printed. */
  secret?: boolean
}

export const SETTINGS: readonly SettingDef[] = [
  {
    path: 'data_dir',
    type: 'string',
    default: './data',
    help: 'where the embedded ClickHouse, spool and state live',
  },
  {
    path: 'clickhouse.url',
    type: 'url',
    default: '',
    flag: 'clickhouse-url',
    secret: true,
    help: 'ClickHouse server URL (http://user:pass@host:8123/db); empty runs the embedded engine under data_dir',
  },
  {
    path: 'listen.netflow',
    type: 'listen',
    default: '0.0.0.0:2055',
    help: 'UDP address for NetFlow v1/v5/v6/v7/v9 and IPFIX (told apart by version); empty disables',
  },
  {
    path: 'listen.ipfix',
    type: 'listen',
    default: '0.0.0.0:4739',
    help: 'UDP address for IPFIX; empty disables',
  },
  {
    path: 'listen.sflow',
    type: 'listen',
    default: '0.0.0.0:6343',
    help: 'UDP address for sFlow v5; empty disables',
  },
  {
    path: 'listen.receive_buffer',
    type: 'int',
    default: 32 << 20,
    min: 65536,
    max: 1 << 30,
    help: 'SO_RCVBUF asked for each UDP socket, bytes (the kernel may grant less: see net.core.rmem_max)',
  },
  {
    path: 'http.listen',
    type: 'listen',
    default: '0.0.0.0:8080',
    flag: 'http',
    help: 'HTTP API, web UI and /metrics',
  },
  {
    path: 'http.max_body_bytes',
    type: 'int',
    default: 1 << 20,
    min: 1024,
    max: 64 << 20,
    help: 'largest request body accepted',
  },
  {
    path: 'query.max_execution_seconds',
    type: 'int',
    default: 30,
    min: 1,
    max: 3600,
    help: 'time limit of a query from the API or CLI',
  },
  {
    path: 'query.max_result_rows',
    type: 'int',
    default: 100000,
    min: 1,
    max: 100000000,
    help: 'most rows a query from the API may return',
  },
  {
    path: 'decode.workers',
    type: 'int',
    default: 0,
    min: 0,
    max: 64,
    help: 'decoder worker threads; 0 means one per core',
  },
  {
    path: 'decode.queue',
    type: 'int',
    default: 64,
    min: 1,
    max: 100000,
    help: 'batches of datagrams waiting for a worker before new ones are dropped (counted)',
  },
  {
    path: 'decode.batch_datagrams',
    type: 'int',
    default: 2048,
    min: 1,
    max: 8192,
    help: 'datagrams handed to a worker at once',
  },
  {
    path: 'decode.batch_ms',
    type: 'int',
    default: 20,
    min: 1,
    max: 10000,
    help: 'longest a received datagram waits before its batch goes to a worker',
  },
  {
    path: 'writer.batch_rows',
    type: 'int',
    default: 50000,
    min: 1,
    max: 10000000,
    help: 'rows per insert into ClickHouse',
  },
  {
    path: 'writer.batch_ms',
    type: 'int',
    default: 1000,
    min: 10,
    max: 600000,
    help: 'longest a decoded flow waits before it is inserted',
  },
  {
    path: 'writer.spool_max_bytes',
    type: 'int',
    default: 1 << 30,
    min: 0,
    max: 2 ** 42,
    help: 'bytes of batches kept under data_dir/spool while ClickHouse is away; past it new batches are dropped (counted)',
  },
  {
    path: 'retention.raw_days',
    type: 'int',
    default: 15,
    min: 1,
    max: 3650,
    help: 'days raw flows are kept (TTL of flowhouse.flows, applied at start)',
  },
  {
    path: 'retention.rollup_1m_days',
    type: 'int',
    default: 7,
    min: 1,
    max: 3650,
    help: 'days the per-minute rollup flows_1m is kept',
  },
  {
    path: 'retention.rollup_1h_days',
    type: 'int',
    default: 400,
    min: 1,
    max: 36500,
    help: 'days the per-hour rollup flows_1h is kept',
  },
  {
    path: 'retention.counters_days',
    type: 'int',
    default: 30,
    min: 1,
    max: 3650,
    help: 'days sFlow counter samples (sflow_counters) are kept',
  },
  {
    path: 'retention.system_log_days',
    type: 'int',
    default: 3,
    min: 1,
    max: 365,
    help: "days ClickHouse's own log tables (system.query_log and others that exist) are kept",
  },
  {
    path: 'retention.max_disk_bytes',
    type: 'int',
    default: 0,
    min: 0,
    max: 2 ** 50,
    help: 'when flowhouse tables pass this many bytes on disk, their oldest partitions are dropped (raw first); 0 turns it off',
  },
  {
    path: 'retention.check_schedule',
    type: 'string',
    default: '*/5 * * * *',
    help: 'cron schedule of the disk-size check',
  },
  {
    path: 'enrich.geoip.country_db',
    type: 'string',
    default: '',
    help: 'MaxMind-format country database (GeoLite2-Country, DB-IP); empty uses the bundled DB-IP Lite country data, "off" disables',
  },
  {
    path: 'enrich.geoip.asn_db',
    type: 'string',
    default: '',
    help: 'MaxMind-format ASN database (GeoLite2-ASN); empty uses the bundled ip-location-db ASN ranges, "off" disables',
  },
  {
    path: 'enrich.geoip.required',
    type: 'bool',
    default: false,
    help: 'refuse to start when a configured GeoIP file is missing or unreadable',
  },
  {
    path: 'enrich.geoip.reload_seconds',
    type: 'int',
    default: 30,
    min: 1,
    max: 86400,
    help: 'how often GeoIP files are checked for changes (modification time) and reloaded',
  },
  {
    path: 'enrich.local_prefixes',
    type: 'cidr_list',
    default: [],
    help: 'your own networks (IPv4 and IPv6 CIDRs): flows get direction inbound, outbound, internal or transit',
  },
  {
    path: 'enrich.host_aliases',
    type: 'host_map',
    default: {},
    help: 'static names of addresses (IP: name), written to src_host/dst_host',
  },
  {
    path: 'enrich.interfaces',
    type: 'if_map',
    default: {},
    help: 'interface names per exporter (exporter IP: {ifIndex: name}), written to in_if_name/out_if_name',
  },
  {
    path: 'metrics',
    type: 'metric_list',
    default: [],
    help: 'traffic counters on /metrics: [{name, description, labels: [{name, attribute, converter, missing}], count, filters, exclude_direction, expire_seconds, max_series}] (docs/metrics-example.yaml)',
  },
  {
    path: 'log.level',
    type: 'string',
    default: 'info',
    help: 'debug, info, warn or error',
  },
]
