// Follows a growing log file by polling: new lines as they are appended, from the start
// again when the file is truncated, and across rotation by rename (the rest of the old
// file is read before the new one is opened). A file that does not exist yet is waited
// for. At start only the last `backlogBytes` are read.
import { open, stat, type FileHandle } from 'node:fs/promises'
import { StringDecoder } from 'node:string_decoder'

export interface FollowEvents {
  lines(lines: string[]): void
  reopened(reason: 'rotated' | 'truncated'): void
  /** A line longer than the limit was cut off (its start dropped). */
  overlong(): void
  error(err: unknown): void
}

const CHUNK = 1 << 20
const LINE_MAX = 64 << 10

export class LogFollower {
  readonly #path: string
  readonly #ev: FollowEvents
  readonly #backlog: number
  #fh: FileHandle | null = null
  #ino = -1
  #pos = 0
  #partial = ''
  #decoder = new StringDecoder('utf8')
  /** Starting mid-file: the first (partial) line is skipped. */
  #skipFirst = false
  #first = true
  #running: Promise<void> | null = null
  #closed = false
  #failing = false

  constructor(path: string, events: FollowEvents, backlogBytes = 1 << 20) {
    this.#path = path
    this.#ev = events
    this.#backlog = backlogBytes
  }

  /** Read what is new; a poll while one runs waits for that one. */
  poll(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#running ??= this.#guarded().finally(() => (this.#running = null))
    return this.#running
  }

  /** Stop following (after the read under way, if any). */
  async close(): Promise<void> {
    this.#closed = true
    await this.#running
    await this.#closeFile()
  }

  async #guarded(): Promise<void> {
    try {
      await this.#poll()
      this.#failing = false
    } catch (err) {
      // Reported once per failing spell (a missing directory stays quiet after that).
      if (!this.#failing) this.#ev.error(err)
      this.#failing = true
    }
  }

  async #closeFile(): Promise<void> {
    const fh = this.#fh
    this.#fh = null
    await fh?.close()
  }

  async #poll(): Promise<void> {
    let st: { ino: number; size: number } | null = null
    try {
      st = await stat(this.#path)
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'ENOENT') throw err
    }
    if (this.#fh && st && st.ino !== this.#ino) {
      await this.#drain() // rotated: finish the old file first
      await this.#closeFile()
      this.#ev.reopened('rotated')
    }
    if (!st) return
    if (!this.#fh) {
      this.#fh = await open(this.#path, 'r')
      this.#ino = st.ino
      this.#pos = this.#first ? Math.max(0, st.size - this.#backlog) : 0
      this.#restart(this.#pos > 0)
      this.#first = false
    } else if (st.size < this.#pos) {
      this.#pos = 0
      this.#restart(false)
      this.#ev.reopened('truncated')
    }
    await this.#drain()
  }

  async #drain(): Promise<void> {
    const fh = this.#fh
    if (!fh) return
    const buf = Buffer.allocUnsafe(CHUNK)
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, this.#pos)
      if (bytesRead === 0) return
      this.#pos += bytesRead
      this.#emit(this.#decoder.write(buf.subarray(0, bytesRead)))
    }
  }

  #restart(skipFirst: boolean): void {
    this.#partial = ''
    this.#decoder = new StringDecoder('utf8')
    this.#skipFirst = skipFirst
  }

  #emit(text: string): void {
    const parts = (this.#partial + text).split('\n')
    this.#partial = parts.pop() ?? ''
    if (this.#skipFirst && parts.length > 0) {
      parts.shift()
      this.#skipFirst = false
    }
    if (this.#partial.length > LINE_MAX) {
      this.#partial = ''
      this.#ev.overlong()
    }
    if (parts.length > 0) this.#ev.lines(parts)
  }
}
