// A small Prometheus registry: counters and gauges with labels, rendered in the text
// exposition format. Label sets are kept as one joined key per series.
type Labels = Record<string, string>

interface Family {
  name: string
  help: string
  type: 'counter' | 'gauge'
  labelNames: readonly string[]
  series: Map<string, { labels: Labels; value: number }>
  collect?: () => void
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

export class Registry {
  readonly #families = new Map<string, Family>()

  #add<L extends string>(
    type: 'counter' | 'gauge',
    name: string,
    help: string,
    labelNames: readonly L[],
    collect?: () => void,
  ): Metric<L> {
    if (this.#families.has(name)) throw new Error(`metric ${name} registered twice`)
    const f: Family = { name, help, type, labelNames, series: new Map(), collect }
    this.#families.set(name, f)
    return new Metric<L>(f)
  }
  counter<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
  ): Metric<L> {
    return this.#add('counter', name, help, labelNames)
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
    f.collect?.()
    return [...f.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.value }))
  }
  render(): string {
    const out: string[] = []
    for (const f of this.#families.values()) {
      f.collect?.()
      out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`)
      out.push(`# TYPE ${f.name} ${f.type}`)
      for (const s of f.series.values()) {
        const l = Object.entries(s.labels)
          .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
          .join(',')
        out.push(`${f.name}${l ? `{${l}}` : ''} ${Number.isFinite(s.value) ? s.value : 0}`)
      }
    }
    return `${out.join('\n')}\n`
  }
}
