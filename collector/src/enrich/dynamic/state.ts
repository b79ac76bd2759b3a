// The dynamic enrichment state (learned host names, interface names per exporter, local
// prefixes per exporter) and its journal lines: one JSON array per line. The main thread
// and each worker hold one; the journal carries the changes from one to the others.
// Keys are canonical addresses (enrich/ip.ts canonicalAddr).

export interface InterfaceInfo {
  name: string
  description: string
  alias: string
  speedMbps: number
}

export type Change =
  | { kind: 'host'; addr: string; name: string | null }
  | { kind: 'interfaces'; exporter: string; ifs: ReadonlyMap<number, InterfaceInfo> }
  | { kind: 'prefixes'; exporter: string; prefixes: readonly string[] }

export type ChangeKind = Change['kind']

type Line =
  | ['h', string, string | null]
  | ['i', string, Array<[number, string, string, string, number]>]
  | ['p', string, string[]]

export function encodeChange(c: Change): string {
  let line: Line
  switch (c.kind) {
    case 'host':
      line = ['h', c.addr, c.name]
      break
    case 'interfaces':
      line = [
        'i',
        c.exporter,
        [...c.ifs].map(([k, v]): [number, string, string, string, number] => [
          k,
          v.name,
          v.description,
          v.alias,
          v.speedMbps,
        ]),
      ]
      break
    case 'prefixes':
      line = ['p', c.exporter, [...c.prefixes]]
      break
  }
  return `${JSON.stringify(line)}\n`
}

const isStr = (v: unknown): v is string => typeof v === 'string'

/** Changes in journal text; a line that is not one (never written by us) is skipped. */
export function decodeChanges(text: string): Change[] {
  const out: Change[] = []
  for (const raw of text.split('\n')) {
    if (raw === '') continue
    let v: unknown
    try {
      v = JSON.parse(raw)
    } catch {
      continue
    }
    if (!Array.isArray(v) || !isStr(v[1])) continue
    const [tag, key, body] = v as [unknown, string, unknown]
    if (tag === 'h' && (body === null || isStr(body))) {
      out.push({ kind: 'host', addr: key, name: body })
    } else if (tag === 'i' && Array.isArray(body)) {
      const ifs = new Map<number, InterfaceInfo>()
      for (const e of body as unknown[]) {
        if (!Array.isArray(e)) continue
        const [idx, name, description, alias, speed] = e as unknown[]
        if (typeof idx !== 'number' || !isStr(name)) continue
        ifs.set(idx, {
          name,
          description: isStr(description) ? description : '',
          alias: isStr(alias) ? alias : '',
          speedMbps: typeof speed === 'number' ? speed : 0,
        })
      }
      out.push({ kind: 'interfaces', exporter: key, ifs })
    } else if (tag === 'p' && Array.isArray(body)) {
      out.push({ kind: 'prefixes', exporter: key, prefixes: (body as unknown[]).filter(isStr) })
    }
  }
  return out
}

export class DynamicState {
  readonly hosts = new Map<string, string>()
  readonly interfaces = new Map<string, ReadonlyMap<number, InterfaceInfo>>()
  readonly prefixes = new Map<string, readonly string[]>()

  apply(c: Change): void {
    switch (c.kind) {
      case 'host':
        if (c.name === null) this.hosts.delete(c.addr)
        else this.hosts.set(c.addr, c.name)
        break
      case 'interfaces':
        if (c.ifs.size === 0) this.interfaces.delete(c.exporter)
        else this.interfaces.set(c.exporter, c.ifs)
        break
      case 'prefixes':
        if (c.prefixes.length === 0) this.prefixes.delete(c.exporter)
        else this.prefixes.set(c.exporter, c.prefixes)
        break
    }
  }

  /** The whole state as journal text. */
  snapshot(): string {
    const parts: string[] = []
    for (const [addr, name] of this.hosts) parts.push(encodeChange({ kind: 'host', addr, name }))
    for (const [exporter, ifs] of this.interfaces)
      parts.push(encodeChange({ kind: 'interfaces', exporter, ifs }))
    for (const [exporter, prefixes] of this.prefixes)
      parts.push(encodeChange({ kind: 'prefixes', exporter, prefixes }))
    return parts.join('')
  }
}

export function sameInterface(a: InterfaceInfo | undefined, b: InterfaceInfo | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return (
    a.name === b.name &&
    a.description === b.description &&
    a.alias === b.alias &&
    a.speedMbps === b.speedMbps
  )
}

export function samePrefixes(a: readonly string[] | undefined, b: readonly string[] | undefined) {
  const x = a ?? []
  const y = b ?? []
  return x.length === y.length && x.every((p, k) => p === y[k])
}
