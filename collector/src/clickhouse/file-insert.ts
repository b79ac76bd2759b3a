// Embedded inserts through a file. chdb parses a TabSeparated body it reads from a file
// in about half the CPU it spends on the same bytes given as an INSERT's inline data
// (its raw insert): on the bench's 48-column v9 rows, into a Null table, 280k against
// 137k rows per CPU-second; into flows with the rollup views, 185k against 100-120k
// (bench/writer.mjs prints both paths). RowBinary bodies (the decoder's rows) can only
// come this way: chdb's raw insert is not binary-safe. The file lives for one insert,
// under the data directory, and is written and deleted long before the kernel would
// flush it to disk. A write that fails (a full disk, no file descriptors left) removes
// what it wrote and throws an IoError (op insert_file): the writer counts it and retries.
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { open, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { RowsInsert } from './engine.js'
import { IoError, SchemaError } from './insert-errors.js'

export interface FileInsertOptions {
  /** Where the files go; emptied at start (a crash can leave one behind). */
  dir: string
  /** Runs one statement on the writer's session. */
  query(sql: string): Promise<void>
  /** The table's columns and their ClickHouse types, read once per table. */
  columnTypes(table: string): Promise<Map<string, string>>
}

export interface FileInsert {
  /** Insert `req.body` (its chunks written to the file as they are, not joined). */
  insert(req: RowsInsert): Promise<void>
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/

export function fileInsert(o: FileInsertOptions): FileInsert {
  mkdirSync(o.dir, { recursive: true })
  for (const f of readdirSync(o.dir)) rmSync(join(o.dir, f), { force: true })
  const structures = new Map<string, Promise<Map<string, string>>>()
  let seq = 0

  const typesOf = (table: string): Promise<Map<string, string>> => {
    let p = structures.get(table)
    if (!p) {
      p = o.columnTypes(table).then((types) => {
        // No columns: the table is missing (detached, say) for now, not for good.
        if (types.size === 0) throw new Error(`file insert: ${table} has no columns (missing?)`)
        return types
      })
      structures.set(table, p)
      // A failed read is retried by the next insert.
      p.catch(() => structures.delete(table))
    }
    return p
  }

  return {
    async insert(req) {
      const parts = req.table.split('.')
      if (parts.length > 2 || !parts.every((p) => IDENT.test(p))) {
        throw new Error(`file insert: bad table name ${JSON.stringify(req.table)}`)
      }
      const types = await typesOf(req.table)
      for (const c of req.columns) {
        if (!IDENT.test(c) || !types.has(c)) {
          // Read again at the next try: the table may have been migrated meanwhile.
          structures.delete(req.table)
          throw new SchemaError(`file insert: ${req.table} has no column ${JSON.stringify(c)}`)
        }
      }
      const settings = Object.entries(req.settings).map(([k, v]) => {
        if (!IDENT.test(k)) throw new Error(`file insert: bad setting name ${JSON.stringify(k)}`)
        return `${k} = ${typeof v === 'number' ? String(v) : quote(v)}`
      })
      const path = join(
        o.dir,
        `${process.pid}-${seq++}.${req.format === 'RowBinary' ? 'bin' : 'tsv'}`,
      )
      try {
        await writeChunks(path, req.body)
      } catch (err) {
        await unlink(path).catch(() => undefined)
        throw new IoError('insert_file', err)
      }
      try {
        // FROM INFILE is read by the engine's client side and needs no file grant, so
        // the users file can deny file() to every session (engine-config.ts).
        await o.query(
          `INSERT INTO ${req.table} (${req.columns.join(', ')}) FROM INFILE ${quote(path)}` +
            (settings.length > 0 ? ` SETTINGS ${settings.join(', ')}` : '') +
            ` FORMAT ${req.format}`,
        )
      } finally {
        await unlink(path).catch(() => undefined)
      }
    },
  }
}

/** Write `chunks` to a new file at `path`, in order, however the kernel splits the writes. */
async function writeChunks(path: string, chunks: readonly Buffer[]): Promise<void> {
  const f = await open(path, 'w')
  try {
    let i = 0
    let head: Buffer | undefined
    while (i < chunks.length) {
      // Up to IOV_MAX buffers per call; a short write resumes inside the chunk it ended in.
      const batch = chunks.slice(i, i + 1024)
      if (head) batch[0] = head
      let { bytesWritten: n } = await f.writev(batch)
      head = undefined
      for (const c of batch) {
        if (n < c.byteLength) {
          head = c.subarray(n)
          break
        }
        n -= c.byteLength
        i++
      }
    }
  } finally {
    await f.close()
  }
}

/** A ClickHouse string literal. */
function quote(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}
