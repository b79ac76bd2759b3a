// Addresses a worker saw for the first time without a host name, waiting to go to the
// main thread (reverse DNS) with a batch result: a bounded backlog, so a burst of new
// addresses drains over a few batches; past the bound they are dropped and counted.
export class UnnamedBacklog {
  readonly #perBatch: number
  readonly #max: number
  #queue: string[] = []
  #dropped = 0

  /** perBatch 0 turns reporting off. */
  constructor(perBatch: number, max = 16_384) {
    this.#perBatch = perBatch
    this.#max = max
  }
  get enabled(): boolean {
    return this.#perBatch > 0
  }
  add(addr: string): void {
    if (this.#queue.length >= this.#max) this.#dropped++
    else this.#queue.push(addr)
  }
  /** Up to perBatch addresses and how many were dropped since the last take; null when none. */
  take(): { addrs: string[]; dropped: number } | null {
    if (this.#queue.length === 0 && this.#dropped === 0) return null
    const addrs = this.#queue.splice(0, this.#perBatch)
    const dropped = this.#dropped
    this.#dropped = 0
    return { addrs, dropped }
  }
}
