import type { Registry } from '../../observability/metrics.js'

export type LookupResult = 'ok' | 'nxdomain' | 'timeout' | 'error' | 'rate_limited'

export function dnsMetrics(r: Registry) {
  return {
    lookups: r.counter(
      'flowloft_enrich_dns_lookups_total',
      'Reverse DNS lookups of flow addresses by result (ok, nxdomain, timeout, error; rate_limited: not made because the queue was full, retried later)',
      ['result'],
    ),
    skipped: r.counter(
      'flowloft_enrich_dns_skipped_total',
      'Addresses reported without a host name that were not looked up, by reason (remote, local: lookup_remote/lookup_local off; not_unicast)',
      ['reason'],
    ),
    dropped: r.counter(
      'flowloft_enrich_dns_unnamed_dropped_total',
      'Addresses without a host name the decode workers could not report (their backlog was full)',
    ),
  }
}
