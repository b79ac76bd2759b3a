// The registry of senders: kept in memory, saved to one JSON file under the data
// directory (written to a temporary file, synced, renamed over the old one), so a crash
// leaves the old or the new registry, never half of one. A change that cannot be saved
// is not made.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs'
import { dirname } from 'node:path'
import { canonicalSender } from './address.js'
import { parseStoredSender, type Sender, type SenderFields } from './fields.js'

export const MAX_SENDERS = 10_000

export type SenderErrorKind = 'not_found' | 'conflict' | 'limit' | 'storage'

/** A refused change: the kind maps to an HTTP status, the message names the sender. */
export class SenderError extends Error {
  override readonly name = 'SenderError'
  readonly kind: SenderErrorKind
  constructor(kind: SenderErrorKind, message: string, options?: ErrorOptions) {
    super(message, options)
    this.kind = kind
  }
}

/** Called after each change with the sender as it is now, or null once removed. */
export type SenderListener = (address: string, now: Sender | null) => void

interface FileShape {
  version: 1
  senders: Sender[]
}

function readRegistry(file: string): Sender[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new Error(`cannot read the sender registry ${file}: ${(err as Error).message}`, {
      cause: err,
    })
  }
  try {
    const doc = JSON.parse(text) as unknown
    const list =
      doc !== null && typeof doc === 'object' && 'senders' in doc ? doc.senders : undefined
    if (!Array.isArray(list)) throw new Error('it has no "senders" list')
    return list.map((s: unknown, k) => parseStoredSender(s, `senders[${k}]`))
  } catch (err) {
    throw new Error(
      `the sender registry ${file} is not valid (${(err as Error).message}); fix or remove it`,
      { cause: err },
    )
  }
}

function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.tmp-${process.pid}`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
  const dir = openSync(dirname(file), 'r')
  try {
    fsyncSync(dir)
  } finally {
    closeSync(dir)
  }
}

export class SenderRegistry {
  readonly #file: string | null
  readonly #now: () => Date
  #senders: Map<string, Sender>
  readonly #listeners: SenderListener[] = []

  /** Loads `file` (absent: empty); a file that is not a valid registry throws. */
  constructor(file: string | null, now: () => Date = () => new Date()) {
    this.#file = file
    this.#now = now
    const list = file === null ? [] : readRegistry(file)
    this.#senders = new Map(list.map((s) => [s.address, s]))
  }

  onChange(fn: SenderListener): void {
    this.#listeners.push(fn)
  }

  get size(): number {
    return this.#senders.size
  }

  list(): Sender[] {
    return [...this.#senders.values()].map((s) => ({ ...s, prefixes: [...s.prefixes] }))
  }

  /** The sender at an address in any spelling (IPv4-mapped IPv6 as IPv4). */
  get(address: string): Sender | undefined {
    const key = canonicalSender(address)
    const s = key === null ? undefined : this.#senders.get(key)
    return s && { ...s, prefixes: [...s.prefixes] }
  }

  add(f: SenderFields & { address: string }): Sender {
    if (this.#senders.has(f.address))
      throw new SenderError('conflict', `sender ${f.address} is already registered`)
    if (this.#senders.size >= MAX_SENDERS)
      throw new SenderError('limit', `at most ${MAX_SENDERS} senders can be registered`)
    const at = this.#now().toISOString()
    const s: Sender = {
      address: f.address,
      name: f.name ?? '',
      prefixes: f.prefixes ?? [],
      enabled: f.enabled ?? true,
      created: at,
      updated: at,
    }
    return this.#commit(s.address, s)
  }

  /** PUT: every field replaced (absent ones take their defaults). */
  replace(address: string, f: SenderFields): Sender {
    const old = this.#existing(address)
    return this.#commit(old.address, {
      ...old,
      name: f.name ?? '',
      prefixes: f.prefixes ?? [],
      enabled: f.enabled ?? true,
      updated: this.#now().toISOString(),
    })
  }

  /** PATCH: only the fields given change. */
  patch(address: string, f: SenderFields): Sender {
    const old = this.#existing(address)
    return this.#commit(old.address, {
      ...old,
      ...(f.name !== undefined && { name: f.name }),
      ...(f.prefixes !== undefined && { prefixes: f.prefixes }),
      ...(f.enabled !== undefined && { enabled: f.enabled }),
      updated: this.#now().toISOString(),
    })
  }

  remove(address: string): Sender {
    const old = this.#existing(address)
    this.#commit(old.address, null)
    return old
  }

  #existing(address: string): Sender {
    const key = canonicalSender(address)
    const s = key === null ? undefined : this.#senders.get(key)
    if (!s) throw new SenderError('not_found', `no sender ${key ?? address} is registered`)
    return s
  }

  #commit(address: string, s: Sender | null): Sender {
    const next = new Map(this.#senders)
    if (s) next.set(address, s)
    else next.delete(address)
    if (this.#file !== null) {
      const doc: FileShape = { version: 1, senders: [...next.values()] }
      try {
        writeAtomically(this.#file, `${JSON.stringify(doc, null, 2)}\n`)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error'
        throw new SenderError('storage', `the sender registry could not be saved (${code})`, {
          cause: err,
        })
      }
    }
    this.#senders = next
    for (const fn of this.#listeners) fn(address, s)
    const out = s ?? { address, name: '', prefixes: [], enabled: false, created: '', updated: '' }
    return { ...out, prefixes: [...out.prefixes] }
  }
}
