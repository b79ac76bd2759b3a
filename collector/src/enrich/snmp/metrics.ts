import type { Registry } from '../../observability/metrics.js'

export function snmpMetrics(r: Registry) {
  return {
    polls: r.counter(
      'flowloft_enrich_snmp_polls_total',
      'SNMP interface-name polls by exporter and result (ok, timeout: no answer, which includes a wrong v2c community, error)',
      ['exporter', 'result'],
    ),
    lastSuccess: r.gauge(
      'flowloft_enrich_snmp_last_success_timestamp_seconds',
      'Unix time of the last poll that gave interface names, by exporter (from the cache file until the first poll answers)',
      ['exporter'],
    ),
    interfaces: r.gauge(
      'flowloft_enrich_snmp_interfaces',
      'Interfaces whose names are known from SNMP (polled or cached), by exporter',
      ['exporter'],
    ),
    cacheErrors: r.counter(
      'flowloft_enrich_snmp_cache_errors_total',
      'Failures to read or write data_dir/snmp-interfaces.json, by operation (read, write)',
      ['op'],
    ),
  }
}
