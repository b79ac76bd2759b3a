// Waits until a running collector has stored everything it received: its sockets are
// drained, every datagram read was decoded (or counted as dropped) and every decoded
// flow is a row in the flows table. A poll, not a sleep.
import { udpSocketStats } from '../../dist/observability/proc-net.js'
import type { ChildService } from './child-service.js'
import { eventually } from './service.js'

/** Sum of every series of a metric in Prometheus text. */
export function metricSum(text: string, name: string): number {
  let n = 0
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      n += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return n
}

export async function collectorSettled(
  svc: ChildService,
  ports: readonly number[],
  timeoutMs = 15_000,
): Promise<void> {
  let last = -1
  await eventually(async () => {
    const queued = [...udpSocketStats(ports).values()].some((s) => s.rxQueue > 0)
    const m = await svc.metrics()
    const read = metricSum(m, 'flowloft_listener_datagrams_total')
    const handled =
      metricSum(m, 'flowloft_decoder_datagrams_total') +
      metricSum(m, 'flowloft_decode_dropped_datagrams_total')
    const flows = metricSum(m, 'flowloft_decoder_flows_total')
    const [row] = await svc.query<{ n: string }>('SELECT count() AS n FROM flows')
    const settled =
      !queued && read > 0 && read === last && handled === read && Number(row?.n) === flows
    last = read
    return settled
  }, timeoutMs)
}
