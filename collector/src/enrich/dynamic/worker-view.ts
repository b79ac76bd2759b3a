// Worker side of dynamic enrichment: reads the journal before a batch, keeps the state
// and says which keys changed, so the enricher forgets only those cache entries. Each
// exporter's prefix set gets a worker-local id, renewed when its prefixes change: cache
// entries of the old set are never looked at again.
import { LocalPrefixes } from '../../addresses/local-prefixes.js'
import { JournalReader } from './journal.js'
import {
  DynamicState,
  decodeChanges,
  sameInterface,
  samePrefixes,
  type InterfaceInfo,
} from './state.js'

/** Keys whose enrichment may have changed since the last poll. */
export interface DynamicChanges {
  /** Addresses (canonical) whose learned name changed or was forgotten. */
  hosts: string[]
  /** Exporter (canonical) -> ifIndexes whose interface information changed. */
  interfaces: Map<string, number[]>
  /** Exporters (canonical) whose local prefixes changed. */
  prefixes: string[]
  /** Prefix-set ids were all renumbered: every per-set cache entry is stale. */
  renumbered: boolean
}

export interface PrefixSet {
  /** 1.. ; unique among this worker's live and past sets until a renumbering. */
  id: number
  prefixes: LocalPrefixes
}

const decoder = new TextDecoder()

export class DynamicView {
  readonly #reader: JournalReader
  #state = new DynamicState()
  readonly #sets = new Map<string, PrefixSet>()
  readonly #maxSetId: number
  #nextSetId = 1

  constructor(sab: SharedArrayBuffer, maxSetId: number) {
    this.#reader = new JournalReader(sab)
    this.#maxSetId = maxSetId
  }

  get hasInterfaces(): boolean {
    return this.#state.interfaces.size > 0
  }
  get hasPrefixes(): boolean {
    return this.#sets.size > 0
  }
  host(addr: string): string | undefined {
    return this.#state.hosts.get(addr)
  }
  ifInfo(exporter: string, ifIndex: number): InterfaceInfo | undefined {
    return this.#state.interfaces.get(exporter)?.get(ifIndex)
  }
  prefixSet(exporter: string): PrefixSet | undefined {
    return this.#sets.get(exporter)
  }

  /** Apply what the main thread published since the last call; null when nothing. */
  poll(): DynamicChanges | null {
    const read = this.#reader.poll()
    if (!read) return null
    const out: DynamicChanges = {
      hosts: [],
      interfaces: new Map(),
      prefixes: [],
      renumbered: false,
    }
    const changes = decodeChanges(decoder.decode(read.bytes))
    if (read.full) {
      const next = new DynamicState()
      for (const c of changes) next.apply(c)
      this.#diff(this.#state, next, out)
      this.#state = next
    } else {
      for (const c of changes) {
        const s = this.#state
        switch (c.kind) {
          case 'host':
            // Always reported: a forget makes the worker look the address up again.
            out.hosts.push(c.addr)
            break
          case 'interfaces':
            addIfChanges(out, c.exporter, s.interfaces.get(c.exporter), c.ifs)
            break
          case 'prefixes':
            if (!samePrefixes(s.prefixes.get(c.exporter), c.prefixes)) out.prefixes.push(c.exporter)
            break
        }
        s.apply(c)
      }
    }
    this.#renewSets(out)
    return out
  }

  #diff(before: DynamicState, after: DynamicState, out: DynamicChanges): void {
    for (const [k, v] of before.hosts) if (after.hosts.get(k) !== v) out.hosts.push(k)
    for (const k of after.hosts.keys()) if (!before.hosts.has(k)) out.hosts.push(k)
    const exporters = new Set([...before.interfaces.keys(), ...after.interfaces.keys()])
    for (const e of exporters)
      addIfChanges(out, e, before.interfaces.get(e), after.interfaces.get(e))
    const withPrefixes = new Set([...before.prefixes.keys(), ...after.prefixes.keys()])
    for (const e of withPrefixes)
      if (!samePrefixes(before.prefixes.get(e), after.prefixes.get(e))) out.prefixes.push(e)
  }

  #renewSets(out: DynamicChanges): void {
    for (const e of new Set(out.prefixes)) {
      const list = this.#state.prefixes.get(e)
      if (!list) {
        this.#sets.delete(e)
        continue
      }
      this.#sets.set(e, { id: this.#nextSetId++, prefixes: new LocalPrefixes(list) })
    }
    if (this.#nextSetId > this.#maxSetId) {
      this.#nextSetId = 1
      for (const s of this.#sets.values()) s.id = this.#nextSetId++
      out.renumbered = true
    }
  }
}

function addIfChanges(
  out: DynamicChanges,
  exporter: string,
  before: ReadonlyMap<number, InterfaceInfo> | undefined,
  after: ReadonlyMap<number, InterfaceInfo> | undefined,
): void {
  const changed: number[] = []
  for (const [k, v] of before ?? []) if (!sameInterface(v, after?.get(k))) changed.push(k)
  for (const k of after?.keys() ?? []) if (!before?.has(k)) changed.push(k)
  if (changed.length > 0) out.interfaces.set(exporter, changed)
}
