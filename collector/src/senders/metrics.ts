// The senders' own metrics. No label per address: a flood of spoofed sources must not
// grow the series; the rate-limited log names the addresses.
import type { Metric, Registry } from '../observability/metrics.js'

export interface SenderMetrics {
  rejected: Metric<'listener'>
}

export function senderMetrics(
  r: Registry,
  count: () => number,
  authorizedOnly: boolean,
): SenderMetrics {
  r.gauge('flowloft_senders_registered', 'Senders in the registry', [], (m) => m.set({}, count()))
  r.gauge(
    'flowloft_senders_authorized_only',
    '1 when only registered senders are accepted (senders.authorized_only)',
    [],
    (m) => m.set({}, authorizedOnly ? 1 : 0),
  )
  return {
    rejected: r.counter(
      'flowloft_senders_rejected_datagrams_total',
      'Datagrams dropped before decoding because their source is not a registered, enabled sender',
      ['listener'],
    ),
  }
}
