// A small Prometheus registry: counters, gauges and histograms with labels, rendered in
// the text exposition format. Label sets are kept as one joined key per series.
export type Labels = Record<string, string>
export type MetricType = 'counter' | 'gauge'

interface Family {
  name: string
  help: string
  type: MetricType
  labelNames: readonly string[]
  series: Map<string, { labels: Labels; value: number }>
  collect?: () => void
}

/** A family whose series another component keeps (read at each render). */
interface External {
  name: string
  help: string
  type: MetricType
  read: () => Iterable<{ labels: Readonly<Labels>; value: number }>
}

interface HistogramFamily {
  name: string
  help: string
  labelNames: readonly string[]
  bounds: readonly number[]
  series: Map<string, { labels: Labels; buckets: number[]; sum: number; count: number }>
}

function formatLabels(labels: Readonly<Labels>, extra?: string): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`)
  if (extra !== undefined) parts.push(extra)
  return parts.length > 0 ? `{${parts.join(',')}}` : ''
}

function formatValue(v: number): string {
  if (v === Infinity) return '+Inf'
  return Number.isFinite(v) ? String(v) : '0'
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

export class Metric<L extends string> {
  private readonly f: Family
  constructor(f: Family) {
    this.f = f
  }

  #series(labels: Partial<Record<L, string>>): { labels: Labels; value: number } {
    const vals = this.f.labelNames.map((n) => (labels as Labels)[n] ?? '')
    const key = vals.join('\u0000')
    let s = this.f.series.get(key)
    if (!s) {
      const l: Labels = {}
      this.f.labelNames.forEach((n, i) => (l[n] = vals[i] ?? ''))
      s = { labels: l, value: 0 }
      this.f.series.set(key, s)
    }
    return s
  }
  inc(labels: Partial<Record<L, string>> = {}, by = 1): void {
    this.#series(labels).value += by
  }
  set(labels: Partial<Record<L, string>>, value: number): void {
    this.#series(labels).value = value
  }
  get(labels: Partial<Record<L, string>> = {}): number {
    return this.#series(labels).value
  }
  /** Sum over all series (for status pages and tests). */
  total(): number {
    let t = 0
    for (const s of this.f.series.values()) t += s.value
    return t
  }
  reset(): void {
    this.f.series.clear()
  }
}

/** Observations counted into cumulative buckets (upper bounds, seconds or any unit). */
export class Histogram<L extends string> {
  readonly #f: HistogramFamily
  constructor(f: HistogramFamily) {
    this.#f = f
  }
  observe(labels: Partial<Record<L, string>>, value: number): void {
    const f = this.#f
    const vals = f.labelNames.map((n) => (labels as Labels)[n] ?? '')
    const key = vals.join('\u0000')
    let s = f.series.get(key)
    if (!s) {
      const l: Labels = {}
      f.labelNames.forEach((n, i) => (l[n] = vals[i] ?? ''))
      s = { labels: l, buckets: f.bounds.map(() => 0), sum: 0, count: 0 }
      f.series.set(key, s)
    }
    const b = f.bounds
    for (let i = 0; i < b.length; i++) {
      if (value <= (b[i] ?? Infinity)) {
        s.buckets[i] = (s.buckets[i] ?? 0) + 1
        break
      }
    }
    s.sum += value
    s.count++
  }
}

/** Bucket bounds for latencies in seconds, 1 ms .. 10 s. */
export const SECONDS_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const

export class Registry {
  readonly #families = new Map<string, Family | External | HistogramFamily>()

  #claim(name: string): void {
    if (this.#families.has(name)) throw new Error(`metric ${name} registered twice`)
  }

  #add<L extends string>(
    type: MetricType,
    name: string,
    help: string,
    labelNames: readonly L[],
    collect?: () => void,
  ): Metric<L> {
    this.#claim(name)
    const f: Family = { name, help, type, labelNames, series: new Map(), collect }
    this.#families.set(name, f)
    return new Metric<L>(f)
  }
  /** A counter; `collect` (for values read from elsewhere, e.g. /proc) runs before each render. */
  counter<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (m: Metric<L>) => void,
  ): Metric<L> {
    let m: Metric<L> | undefined = undefined
    m = this.#add('counter', name, help, labelNames, collect ? () => m && collect(m) : undefined)
    return m
  }
  /** A histogram with the given bucket upper bounds (+Inf is added). */
  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    bounds: readonly number[] = SECONDS_BUCKETS,
  ): Histogram<L> {
    this.#claim(name)
    const f: HistogramFamily = {
      name,
      help,
      labelNames,
      bounds: [...bounds, Infinity],
      series: new Map(),
    }
    this.#families.set(name, f)
    return new Histogram<L>(f)
  }
  /** A family whose series `read` yields at each render (kept by its owner). */
  external(
    type: MetricType,
    name: string,
    help: string,
    read: () => Iterable<{ labels: Readonly<Labels>; value: number }>,
  ): void {
    this.#claim(name)
    this.#families.set(name, { name, help, type, read })
  }
  /** Forget a family (for families whose set changes at runtime, like traffic metrics). */
  unregister(name: string): void {
    this.#families.delete(name)
  }
  /** A gauge; `collect` runs before each render to refresh it. */
  gauge<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (m: Metric<L>) => void,
  ): Metric<L> {
    let m: Metric<L> | undefined = undefined
    m = this.#add('gauge', name, help, labelNames, collect ? () => m && collect(m) : undefined)
    return m
  }
  /** The current series of one family (gauges refreshed first); empty when unknown. */
  read(name: string): { labels: Readonly<Labels>; value: number }[] {
    const f = this.#families.get(name)
    if (!f) return []
    if ('read' in f) return [...f.read()].map((s) => ({ labels: { ...s.labels }, value: s.value }))
    if ('bounds' in f)
      return [...f.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.count }))
    f.collect?.()
    return [...f.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.value }))
  }
  render(): string {
    const out: string[] = []
    for (const f of this.#families.values()) {
      const type = 'bounds' in f ? 'histogram' : f.type
      out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`)
      out.push(`# TYPE ${f.name} ${type}`)
      if ('bounds' in f) {
        for (const s of f.series.values()) {
          let cum = 0
          f.bounds.forEach((b, i) => {
            cum += s.buckets[i] ?? 0
            out.push(`${f.name}_bucket${formatLabels(s.labels, `le="${formatValue(b)}"`)} ${cum}`)
          })
          out.push(`${f.name}_sum${formatLabels(s.labels)} ${formatValue(s.sum)}`)
          out.push(`${f.name}_count${formatLabels(s.labels)} ${s.count}`)
        }
        continue
      }
      const series = 'read' in f ? f.read() : (f.collect?.(), f.series.values())
      for (const s of series) out.push(`${f.name}${formatLabels(s.labels)} ${formatValue(s.value)}`)
    }
    return `${out.join('\n')}\n`
  }
}
