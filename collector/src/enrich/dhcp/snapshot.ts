// Reads a lease file (with the files that hold the rest of its state: Kea's cleanup
// leaves older leases in `.2`, `.1` or `.completed` beside a fresh file) whole whenever
// one of them changes. Lease files are small and their servers rewrite them (dnsmasq in
// place, dhcpd and Kea's lfc by rename) as well as append, so a whole read is the one
// way that is right after every kind of change. A read is used once the files have
// stayed the same for one more poll: a file caught mid-rewrite (empty, or half written)
// is never taken for the truth.
import { readFile, stat } from 'node:fs/promises'

/** Larger sets of files are not read (counted): no home lease file comes near. */
export const FILE_MAX = 32 << 20

export type SnapshotResult =
  | { kind: 'unchanged' }
  | { kind: 'missing' }
  | { kind: 'too_large'; size: number }
  /** The texts of the files that exist, in the order given. */
  | { kind: 'read'; texts: Array<{ path: string; text: string }> }

const MISSING = 'missing'

export class FileSnapshot {
  readonly #paths: readonly string[]
  #pending: { sig: string; texts: Array<{ path: string; text: string }> } | null = null
  #used = ''

  constructor(paths: readonly string[]) {
    this.#paths = paths
  }

  async poll(): Promise<SnapshotResult> {
    const sigs: string[] = []
    const present: string[] = []
    let size = 0
    for (const p of this.#paths) {
      try {
        const st = await stat(p)
        sigs.push(`${st.ino} ${st.size} ${st.mtimeMs} ${st.ctimeMs}`)
        present.push(p)
        size += st.size
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'ENOENT') throw err
        sigs.push('-')
      }
    }
    if (present.length === 0) {
      const was = this.#used
      this.#used = MISSING
      this.#pending = null
      return was === MISSING ? { kind: 'unchanged' } : { kind: 'missing' }
    }
    const sig = sigs.join('|')
    if (sig === this.#used) return { kind: 'unchanged' }
    if (this.#pending && this.#pending.sig === sig) {
      const { texts } = this.#pending
      this.#pending = null
      this.#used = sig
      return { kind: 'read', texts }
    }
    if (size > FILE_MAX) {
      this.#pending = null
      this.#used = sig
      return { kind: 'too_large', size }
    }
    const texts: Array<{ path: string; text: string }> = []
    for (const path of present) {
      try {
        texts.push({ path, text: await readFile(path, 'utf8') })
      } catch (err) {
        // Renamed away between stat and read: the next poll sees new signatures.
        if ((err as { code?: unknown }).code !== 'ENOENT') throw err
      }
    }
    this.#pending = { sig, texts }
    return { kind: 'unchanged' }
  }
}
