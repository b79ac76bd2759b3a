// Every setting flowloft takes, in one table: its path in the YAML file, its flag,
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
  /** Senders seeded into the registry: address -> {name, prefixes, enabled} (YAML mapping; env/flag as JSON). */
  | 'sender_map'
  /** List of whole numbers, each within min..max (YAML list; env/flag as JSON or a comma list). */
  | 'int_list'
  /** SNMP agents to poll (YAML list of addresses or mappings; env/flag as JSON or a comma list). */
  | 'snmp_exporters'
  /** Map of exporter IP -> list of CIDR prefixes (YAML mapping; env/flag as JSON). */
  | 'prefix_map'
  /** DHCP lease files: paths or {path, format} mappings (YAML list; env/flag as JSON or a comma list). */
  | 'lease_files'

/** Structured values: lists and maps, validated by load.ts. */
export type StructuredValue =
  | string[]
  | Record<string, string>
  | Record<string, Record<string, string>>
  | Record<string, unknown>[]
  | Record<string, Record<string, unknown>>
  | number[]
  | Record<string, string[]>

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
  /** The values a `string` setting may take. */
  choices?: readonly string[]
}

/**
 * The networks on the inside of a home or small office: RFC 1918, the CGNAT range an ISP
 * may give the router (RFC 6598), link-local, and IPv6 unique-local (fd00::/8, the half of
 * fc00::/7 in use) and link-local. Flows between them and the internet get a direction
 * with no configuration.
 */
export const HOME_PREFIXES = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '169.254.0.0/16',
  'fd00::/8',
  'fe80::/10',
] as const

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
    path: 'clickhouse.max_memory_bytes',
    type: 'int',
    default: 0,
    min: 0,
    max: 2 ** 42,
    help: 'memory cap of the embedded engine (all queries, inserts and merges); 0 means half of the host or its cgroup limit',
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
    help: 'HTTP API, web UI and /metrics (a login is needed unless it is loopback only: http.auth)',
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
    path: 'http.auth',
    type: 'string',
    default: 'auto',
    choices: ['auto', 'token', 'none'],
    help: 'token: every API call and the console need api.bearer_token (made at first start into data_dir/api-token when empty); none: no login; auto: token unless http.listen is loopback only',
  },
  {
    path: 'http.allowed_hosts',
    type: 'string',
    default: '',
    help: 'host names (comma-separated) the console and API answer to, besides IP addresses, localhost and this host name; stops DNS rebinding',
  },
  {
    path: 'http.max_connections',
    type: 'int',
    default: 256,
    min: 8,
    max: 65536,
    help: 'open HTTP connections at most; more are closed at once',
  },
  {
    path: 'http.metrics_public',
    type: 'bool',
    default: false,
    help: 'serve /metrics without credentials (for a scraper that has none)',
  },
  {
    path: 'http.metrics_max_sources',
    type: 'int',
    default: 256,
    min: 1,
    max: 65536,
    help: 'source addresses (exporters) that get their own series in /metrics families labelled by address; the rest are added up under exporter="other" (registered senders and SNMP exporters always keep theirs)',
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
    path: 'query.max_result_bytes',
    type: 'int',
    default: 64 << 20,
    min: 1024,
    max: 1 << 30,
    help: 'largest answer, in bytes, a query from the API or CLI may return',
  },
  {
    path: 'query.max_memory_bytes',
    type: 'int',
    default: 0,
    min: 0,
    max: 2 ** 40,
    help: 'memory one query from the API or CLI, or one job, may use; 0 means 1/8 of the host (256 MiB to 4 GiB)',
  },
  {
    path: 'query.concurrency',
    type: 'int',
    default: 2,
    min: 1,
    max: 16,
    help: 'queries from the API or CLI that run at once; more wait in order (32 at most, then 503)',
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
    default: 200,
    min: 1,
    max: 10000,
    help: 'longest a received datagram waits before its batch goes to a worker (busy listeners fill decode.batch_datagrams first; on a quiet network each batch costs a worker task)',
  },
  {
    path: 'decode.max_sampling_rate',
    type: 'int',
    default: 1_000_000,
    min: 0,
    max: 4294967295,
    help: 'highest sampling rate an exporter may announce (sFlow, v5 header, v9/IPFIX options or record); flows announced with more are refused and counted (flowloft_decoder_flows_refused_total); 0 turns the cap off. A configured override is not capped',
  },
  {
    path: 'decode.templates.per_exporter',
    type: 'int',
    default: 512,
    min: 1,
    max: 65535,
    help: 'NetFlow v9/IPFIX templates (and, in the saved registry, sampling entries) kept per exporter address, all its source ports together; beyond it new ones are refused (counted)',
  },
  {
    path: 'decode.templates.max',
    type: 'int',
    default: 4096,
    min: 16,
    max: 262144,
    help: 'templates kept in all; when full, a new one only displaces a template of the address holding the most, never a quieter exporter',
  },
  {
    path: 'decode.templates.idle_s',
    type: 'int',
    default: 3600,
    min: 0,
    max: 604800,
    help: 'seconds a template may go unused before a new template of the same exporter address may take its place (an exporter restarted on a new source port)',
  },
  {
    path: 'writer.batch_rows',
    type: 'int',
    default: 500000,
    min: 1,
    max: 10000000,
    help: 'rows per insert into ClickHouse; at most max(1 M, 4 x batch_rows) rows wait in memory, and batches waiting behind a running insert are joined up to half that',
  },
  {
    path: 'writer.batch_ms',
    type: 'int',
    default: 5000,
    min: 10,
    max: 600000,
    help: 'longest a decoded flow waits before it is inserted (every insert makes parts that ClickHouse merges again: fewer, larger inserts cost less CPU per flow)',
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
    help: 'days raw flows are kept (TTL of flowloft.flows, applied at start)',
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
    min: 0,
    max: 365,
    help: "days ClickHouse's own log tables (system.query_log and others that exist) are kept; 0 leaves them to the server's config (the appliance sets them in its config.d)",
  },
  {
    path: 'retention.max_disk_bytes',
    type: 'int',
    default: 0,
    min: 0,
    max: 2 ** 50,
    help: 'when flowloft tables pass this many bytes on disk, their oldest partitions are dropped (raw first); 0 turns it off',
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
    default: [...HOME_PREFIXES],
    help: 'your own networks (IPv4 and IPv6 CIDRs): flows get direction inbound, outbound, internal or transit; the default is the private ranges homes use (RFC 1918, CGNAT, link-local, ULA); list your public prefixes too, or [] for no direction',
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
    path: 'enrich.exporter_prefixes',
    type: 'prefix_map',
    default: {},
    help: "each exporter's own local prefixes (exporter IP: [CIDR, ...]); its flows' direction uses them plus enrich.local_prefixes",
  },
  {
    path: 'enrich.learn_prefixes',
    type: 'bool',
    default: true,
    help: "learn the public prefixes delegated to the home from the flows, every 5 minutes: public sources entering on an inside interface (IPv6 as their /64, IPv4 as the address), the NAT'd address of inside flows and the exporter's own public address; kept in data_dir/learned-prefixes.json; an exporter with prefixes of its own (enrich.exporter_prefixes, a sender's prefixes) is not learned for",
  },
  {
    path: 'enrich.dns.enabled',
    type: 'bool',
    default: false,
    help: 'name flow addresses by reverse DNS (PTR) on the main thread, into src_host/dst_host of later flows; off by default: it sends a query per new address to your resolvers',
  },
  {
    path: 'enrich.dns.servers',
    type: 'string',
    default: '',
    help: 'DNS servers for reverse lookups, comma-separated IP or IP:port ([IPv6]:port); empty uses the system resolvers',
  },
  {
    path: 'enrich.dns.timeout_ms',
    type: 'int',
    default: 1000,
    min: 10,
    max: 60000,
    help: 'how long one reverse lookup attempt waits for an answer',
  },
  {
    path: 'enrich.dns.tries',
    type: 'int',
    default: 2,
    min: 1,
    max: 5,
    help: 'attempts per reverse lookup before it counts as a timeout',
  },
  {
    path: 'enrich.dns.ttl_seconds',
    type: 'int',
    default: 3600,
    min: 1,
    max: 604800,
    help: 'how long a learned name is kept before the address is looked up again',
  },
  {
    path: 'enrich.dns.negative_ttl_seconds',
    type: 'int',
    default: 3600,
    min: 1,
    max: 604800,
    help: 'how long an address without a PTR record (NXDOMAIN, no data) is not asked again',
  },
  {
    path: 'enrich.dns.concurrency',
    type: 'int',
    default: 8,
    min: 1,
    max: 256,
    help: 'reverse lookups in flight at once',
  },
  {
    path: 'enrich.dns.rate_per_second',
    type: 'int',
    default: 50,
    min: 1,
    max: 10000,
    help: 'reverse lookups started per second at most; addresses over the limit are counted (result rate_limited) and retried a minute later',
  },
  {
    path: 'enrich.dns.max_entries',
    type: 'int',
    default: 100000,
    min: 100,
    max: 10000000,
    help: 'addresses held in the reverse-DNS cache (answers and misses); the oldest go first',
  },
  {
    path: 'enrich.dns.lookup_local',
    type: 'bool',
    default: true,
    help: 'look up local addresses (in enrich.local_prefixes, an exporter prefix, or private/link-local ranges)',
  },
  {
    path: 'enrich.dns.lookup_remote',
    type: 'bool',
    default: false,
    help: 'look up all other (public) addresses too',
  },
  {
    path: 'enrich.dns.ip_as_unknown',
    type: 'bool',
    default: false,
    help: 'when a looked-up address has no name, store its IP text as the host name instead of leaving it empty',
  },
  {
    path: 'enrich.pihole.log',
    type: 'string',
    default: '',
    help: 'Pi-hole / dnsmasq query log (log-queries=extra) to follow: addresses get the name clients asked for (beats PTR names); empty disables',
  },
  {
    path: 'enrich.dhcp.leases',
    type: 'lease_files',
    default: [],
    help: 'DHCP lease files to follow: paths (dnsmasq format) or {path, format: dnsmasq | isc | kea}; the leased addresses get the device names (beat DNS-learned names, not host_aliases)',
  },
  {
    path: 'enrich.dhcp.vendor_names',
    type: 'bool',
    default: true,
    help: 'name a leased device that gave no host name after its hardware vendor (IEEE OUI list), e.g. apple-3a4f',
  },
  {
    path: 'enrich.snmp.exporters',
    type: 'snmp_exporters',
    default: [],
    secret: true,
    help: 'exporters whose interface names are read over SNMP v2c (IF-MIB): addresses, or {exporter, agent: "host[:port]", community}',
  },
  {
    path: 'enrich.snmp.community',
    type: 'string',
    default: 'public',
    secret: true,
    help: 'SNMP v2c community of the agents without their own',
  },
  {
    path: 'enrich.snmp.port',
    type: 'int',
    default: 161,
    min: 1,
    max: 65535,
    help: 'UDP port of the agents whose agent setting names none',
  },
  {
    path: 'enrich.snmp.interval_seconds',
    type: 'int',
    default: 600,
    min: 10,
    max: 86400,
    help: 'how often each agent is walked for interface names',
  },
  {
    path: 'enrich.snmp.timeout_ms',
    type: 'int',
    default: 2000,
    min: 100,
    max: 60000,
    help: 'how long an SNMP request waits for an answer before it is retried',
  },
  {
    path: 'enrich.snmp.retries',
    type: 'int',
    default: 1,
    min: 0,
    max: 10,
    help: 'SNMP request retries after a timeout (a wrong community also looks like a timeout)',
  },
  {
    path: 'metrics',
    type: 'metric_list',
    default: [],
    help: 'traffic counters on /metrics: [{name, description, labels: [{name, attribute, converter, missing}], count, filters, exclude_direction, expire_seconds, max_series}] (docs/metrics-example.yaml)',
  },
  {
    path: 'summaries.enabled',
    type: 'bool',
    default: true,
    help: 'top conversations per exporter for each window, written to data_dir/summaries/summaries.log and served at /api/summaries',
  },
  {
    path: 'summaries.windows_minutes',
    type: 'int_list',
    default: [5, 20, 60, 480, 1440],
    min: 1,
    max: 1440,
    help: 'summary windows in minutes, each run at its boundary: a divisor of 60, or whole hours dividing 24',
  },
  {
    path: 'summaries.top',
    type: 'int',
    default: 100,
    min: 1,
    max: 10000,
    help: 'conversations kept per exporter and window',
  },
  {
    path: 'summaries.max_bytes',
    type: 'int',
    default: 16 << 20,
    min: 4096,
    max: 2 ** 40,
    help: 'size at which summaries.log is rotated',
  },
  {
    path: 'summaries.files',
    type: 'int',
    default: 5,
    min: 1,
    max: 1000,
    help: 'summaries log files kept, the current one included',
  },
  {
    path: 'flow_log.enabled',
    type: 'bool',
    default: false,
    help: 'write one TSV line per decoded flow to data_dir/flowlog/flows.log (for grep)',
  },
  {
    path: 'flow_log.max_bytes',
    type: 'int',
    default: 100 << 20,
    min: 4096,
    max: 2 ** 40,
    help: 'size at which flows.log is rotated',
  },
  {
    path: 'flow_log.files',
    type: 'int',
    default: 5,
    min: 1,
    max: 1000,
    help: 'flow log files kept, the current one included',
  },
  {
    path: 'senders.authorized_only',
    type: 'bool',
    default: false,
    help: 'accept datagrams only from registered, enabled senders (others are counted and dropped)',
  },
  {
    path: 'senders.seed',
    type: 'sender_map',
    default: {},
    help: 'senders added to the registry (data_dir/senders.json) when absent: {address: {name, prefixes, enabled}}',
  },
  {
    path: 'api.hmac_key',
    type: 'string',
    default: '',
    secret: true,
    help: 'key of HMAC-SHA256 signed API changes (x-flowloft-timestamp, x-flowloft-signature); empty turns them off',
  },
  {
    path: 'api.bearer_token',
    type: 'string',
    default: '',
    secret: true,
    help: 'token accepted as "Authorization: Bearer <token>" for API changes; empty turns it off',
  },
  {
    path: 'api.hmac_window_seconds',
    type: 'int',
    default: 300,
    min: 5,
    max: 3600,
    help: "how old a signed request's timestamp may be (ahead of the clock: 30 s at most); accepted signatures are kept in data_dir/hmac-nonces.json for this long, so a replay is refused even after a restart",
  },
  {
    path: 'log.level',
    type: 'string',
    default: 'info',
    help: 'debug, info, warn or error',
  },
]
