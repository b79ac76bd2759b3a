// Worker side of the traffic metrics: adds up bytes, packets or flows of the decoded
// records per label set, in one small Map per metric and batch. The main thread merges
// the result into its series (index.ts). Built only when metrics are configured.
import { F, type RecordView } from '@flowloft/decoder-wasm'
import { columnReader, type ColumnReader, type Names } from './columns.js'
import type { TrafficMetricConfig } from './config.js'

/** Per configured metric (same order): label values joined by KEY_SEP -> amount. */
export type TrafficBatch = Array<Record<string, number>>
export const KEY_SEP = '\u0000'

interface Compiled {
  labels: Array<{ read: ColumnReader | null; missing: string }>
  filters: Array<{ read: ColumnReader; values: ReadonlySet<string>; equals: boolean }>
  count: 'bytes' | 'packets' | 'flows'
}

export class TrafficAggregator {
  readonly #metrics: Compiled[]
  #batch: Array<Map<string, number>>

  constructor(configs: readonly TrafficMetricConfig[]) {
    this.#metrics = configs.map((c) => ({
      labels: c.labels.map((l) => ({
        read:
          l.converter === 'static' || l.attribute === ''
            ? null
            : columnReader(l.attribute, l.converter),
        missing: l.value,
      })),
      filters: c.filters.map((f) => ({
        read: columnReader(f.attribute, 'str'),
        values: new Set(f.values),
        equals: f.op === 'equals',
      })),
      count: c.count,
    }))
    this.#batch = this.#metrics.map(() => new Map<string, number>())
  }

  /** Add `n` records (valid only during the call; strings resolved by `names`). */
  add(v: RecordView, n: number, names: Names): void {
    for (let m = 0; m < this.#metrics.length; m++) {
      const c = this.#metrics[m]
      const acc = this.#batch[m]
      if (!c || !acc) continue
      next: for (let i = 0; i < n; i++) {
        for (const f of c.filters) if (f.values.has(f.read(v, i, names)) !== f.equals) continue next
        let key = ''
        for (let k = 0; k < c.labels.length; k++) {
          const l = c.labels[k]
          if (!l) continue
          const t = l.read ? l.read(v, i, names) : ''
          if (k > 0) key += KEY_SEP
          key += t === '' ? l.missing : t
        }
        const amount =
          c.count === 'bytes' ? v.u64(i, F.bytes) : c.count === 'packets' ? v.u64(i, F.packets) : 1
        acc.set(key, (acc.get(key) ?? 0) + amount)
      }
    }
  }

  /** The batch's sums, and start a new batch. */
  take(): TrafficBatch {
    const out = this.#batch.map((m) => Object.fromEntries(m))
    this.#batch = this.#metrics.map(() => new Map<string, number>())
    return out
  }
}
