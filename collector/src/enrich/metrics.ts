import type { Registry } from '../observability/metrics.js'

export function enrichMetrics(r: Registry) {
  return {
    loadErrors: r.counter(
      'flowloft_enrich_geoip_load_errors_total',
      'GeoIP database files that could not be read or parsed, by database (country, asn) and reason',
      ['database', 'reason'],
    ),
    loaded: r.gauge(
      'flowloft_enrich_geoip_loaded',
      'Whether a GeoIP database is loaded and in use (1) or not (0), by database',
      ['database'],
    ),
    reloads: r.counter(
      'flowloft_enrich_geoip_reloads_total',
      'GeoIP database files reloaded after they changed, by database',
      ['database'],
    ),
  }
}
