// An append-only text file rotated by size: `name`, `name.1` (the previous one) ...
// `name.<files-1>`; older ones are deleted. Chunks of whole lines are queued and written
// in order off the caller's path; a chunk that would take the file past its size is cut
// at a line end and the rest goes to the next file, so every file stays within the size
// (a single line longer than that gets a file of its own). The queue is bounded: a full
// queue refuses the chunk and the caller counts it.
import { mkdirSync } from 'node:fs'
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'

export interface RotatingFileOptions {
  path: string
  /** Size a file is rotated at, bytes. */
  maxBytes: number
  /** Files kept, the current one included (1: the current file is truncated at the size). */
  files: number
  /** Bytes waiting to be written past which write() refuses a chunk. */
  maxQueueBytes: number
  /** First line of every new file, e.g. the column names (without the newline). */
  header?: string
  /** A write or rotation failed: the chunk is lost, the next write reopens the file. */
  onError(err: Error): void
  onRotate?(): void
}

export interface RotatingFile {
  /** Queue whole lines (ending in a newline); false when refused (queue full or closed). */
  write(chunk: Buffer): boolean
  /** Resolves once everything queued so far is written. */
  flush(): Promise<void>
  /** Flush, then close; later writes are refused. */
  close(): Promise<void>
  readonly queuedBytes: number
}

const NEWLINE = 0x0a

export function rotatedPath(path: string, k: number): string {
  return k === 0 ? path : `${path}.${k}`
}

export function createRotatingFile(o: RotatingFileOptions): RotatingFile {
  mkdirSync(dirname(o.path), { recursive: true })
  const header = o.header === undefined ? undefined : Buffer.from(`${o.header}\n`)
  const queue: Buffer[] = []
  let queued = 0
  let closed = false
  let handle: FileHandle | undefined
  /** Bytes in the current file, and how many of them are lines (not the header). */
  let size = 0
  let lines = 0
  let draining: Promise<void> | undefined

  const append = async (b: Buffer): Promise<void> => {
    if (!handle) throw new Error('rotating file not open')
    let off = 0
    while (off < b.length) off += (await handle.write(b, off, b.length - off)).bytesWritten
    size += b.length
  }

  const ensureOpen = async (): Promise<void> => {
    if (handle) return
    handle = await open(o.path, 'a')
    size = (await stat(o.path)).size
    lines = size
    if (size === 0 && header) {
      await append(header)
      lines = 0
    }
  }

  const rotate = async (): Promise<void> => {
    await handle?.close()
    handle = undefined
    if (o.files <= 1) await rm(o.path, { force: true })
    else
      for (let k = o.files - 1; k >= 1; k--)
        await rename(rotatedPath(o.path, k - 1), rotatedPath(o.path, k)).catch((err: unknown) => {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        })
    o.onRotate?.()
    await ensureOpen()
  }

  const writeChunk = async (chunk: Buffer): Promise<void> => {
    let rest = chunk
    while (rest.length > 0) {
      await ensureOpen()
      const room = o.maxBytes - size
      if (rest.length <= room) {
        await append(rest)
        lines += rest.length
        return
      }
      const cut = room > 0 ? rest.lastIndexOf(NEWLINE, room - 1) : -1
      let end = cut + 1
      // Nothing fits and the file holds no line yet: that one line gets the file alone.
      if (end === 0 && lines === 0) {
        const nl = rest.indexOf(NEWLINE)
        end = nl < 0 ? rest.length : nl + 1
      }
      if (end > 0) {
        await append(rest.subarray(0, end))
        lines += end
        rest = rest.subarray(end)
      }
      // Rotated when more is to come, so a file is never left empty.
      if (rest.length > 0) await rotate()
    }
  }

  const drain = async (): Promise<void> => {
    for (let chunk = queue.shift(); chunk; chunk = queue.shift()) {
      queued -= chunk.length
      try {
        await writeChunk(chunk)
      } catch (err) {
        o.onError(err as Error)
        await handle?.close().catch(() => undefined)
        handle = undefined
      }
    }
  }

  const kick = (): Promise<void> => {
    draining ??= drain().finally(() => {
      draining = undefined
    })
    return draining
  }

  const flush = async (): Promise<void> => {
    while (queue.length > 0 || draining) await kick()
  }

  return {
    write(chunk) {
      if (closed || queued + chunk.length > o.maxQueueBytes) return false
      if (chunk.length === 0) return true
      queue.push(chunk)
      queued += chunk.length
      void kick()
      return true
    },
    flush,
    async close() {
      closed = true
      await flush()
      await handle?.close()
      handle = undefined
    },
    get queuedBytes() {
      return queued
    },
  }
}
