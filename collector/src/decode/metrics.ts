import type { Registry } from '../observability/metrics.js'

export function decodeMetrics(r: Registry) {
  return {
    datagrams: r.counter(
      'flowhouse_decoder_datagrams_total',
      'Datagrams decoded, by exporter, flow type and result (ok or the reason they were rejected)',
      ['exporter', 'protocol', 'result'],
    ),
    flows: r.counter('flowhouse_decoder_flows_total', 'Flow records decoded'),
    dropped: r.counter(
      'flowhouse_decode_dropped_datagrams_total',
      'Datagrams dropped before decoding, by reason (queue_full, worker_error)',
      ['reason'],
    ),
    taskSeconds: r.counter(
      'flowhouse_decode_task_seconds_total',
      'Time spent in decode tasks, seconds',
    ),
    tasks: r.counter('flowhouse_decode_tasks_total', 'Decode tasks completed'),
  }
}
