// Reads a lease file whole whenever it changes. Lease files are small and their servers
// rewrite them (dnsmasq in place, dhcpd and Kea's lfc by rename) as well as append, so a
// whole read is the one way that is right after every kind of change. A read is used
// once the file has stayed the same for one more poll: a file caught mid-rewrite (empty,
// or half written) is never taken for the truth.
import { readFile, stat } from 'node:fs/promises'

/** Larger files are not read (counted): no home lease file comes near. */
export const FILE_MAX = 32 << 20

export type SnapshotResult =
  | { kind: 'unchanged' }
  | { kind: 'missing' }
  | { kind: 'too_large'; size: number }
  | { kind: 'read'; text: string }

export class FileSnapshot {
  readonly #path: string
  #pending: { sig: string; text: string } | null = null
  #used = ''

  constructor(path: string) {
    this.#path = path
  }

  async poll(): Promise<SnapshotResult> {
    let sig: string
    let size: number
    try {
      const st = await stat(this.#path)
      sig = `${st.ino} ${st.size} ${st.mtimeMs} ${st.ctimeMs}`
      size = st.size
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'ENOENT') throw err
      const was = this.#used
      this.#used = 'missing'
      this.#pending = null
      return was === 'missing' ? { kind: 'unchanged' } : { kind: 'missing' }
    }
    if (sig === this.#used) return { kind: 'unchanged' }
    if (this.#pending && this.#pending.sig === sig) {
      const { text } = this.#pending
      this.#pending = null
      this.#used = sig
      return { kind: 'read', text }
    }
    if (size > FILE_MAX) {
      this.#pending = null
      this.#used = sig
      return { kind: 'too_large', size }
    }
    this.#pending = { sig, text: await readFile(this.#path, 'utf8') }
    return { kind: 'unchanged' }
  }
}
