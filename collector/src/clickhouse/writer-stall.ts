// Whether a writer makes progress: rows that wait while no insert has succeeded for
// longer than the bound make it `stalled`, with the last error as the reason. The clock
// starts at the last successful insert, or when rows began to wait after none did (a
// quiet night followed by an outage is not a stall until the bound has passed).
export class StallClock {
  readonly boundMs: number
  #since = Date.now()
  #lastError = ''

  constructor(boundMs: number) {
    this.boundMs = boundMs
  }

  /** An insert succeeded. */
  progressed(): void {
    this.#since = Date.now()
    this.#lastError = ''
  }
  /** Rows begin to wait after none did. */
  started(): void {
    this.#since = Date.now()
  }
  failed(reason: string): void {
    this.#lastError = reason
  }

  /** `stalled: ...` when `waiting` is true and the bound has passed; else undefined. */
  reason(what: string, waiting: boolean): string | undefined {
    if (!waiting) return undefined
    const waited = Date.now() - this.#since
    if (waited <= this.boundMs) return undefined
    return (
      `stalled: ${what}, no insert stored for ${Math.round(waited / 1000)} s` +
      (this.#lastError ? `; last error ${this.#lastError}` : '')
    )
  }
}
