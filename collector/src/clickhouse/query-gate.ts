// A fair gate in front of users' queries: at most `slots` run at once, the rest wait in
// arrival order, and at most `maxWaiting` wait; past that a request is refused at once.
// A slot is given back only when its query has settled, so a session never takes a new
// query while the engine still works on an old one (an answer cannot reach the wrong
// request).
export class GateFull extends Error {
  constructor(waiting: number) {
    super(`too many queries waiting (${waiting}); try again shortly`)
  }
}

export class QueryGate<S> {
  readonly #free: S[]
  readonly #waiting: ((s: S) => void)[] = []
  readonly #maxWaiting: number

  constructor(slots: readonly S[], maxWaiting: number) {
    this.#free = [...slots]
    this.#maxWaiting = maxWaiting
  }

  get waiting(): number {
    return this.#waiting.length
  }

  get free(): number {
    return this.#free.length
  }

  /** Run `fn` on a free slot, waiting for one in arrival order. */
  async run<T>(fn: (slot: S) => Promise<T>): Promise<T> {
    const slot = await this.#take()
    try {
      return await fn(slot)
    } finally {
      const next = this.#waiting.shift()
      if (next) next(slot)
      else this.#free.push(slot)
    }
  }

  #take(): Promise<S> {
    const s = this.#free.pop()
    if (s !== undefined) return Promise.resolve(s)
    if (this.#waiting.length >= this.#maxWaiting)
      return Promise.reject(new GateFull(this.#waiting.length))
    return new Promise((resolve) => this.#waiting.push(resolve))
  }
}
