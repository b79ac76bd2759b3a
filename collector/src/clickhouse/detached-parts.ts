// Parts of flowloft's tables that ClickHouse has detached: at start it moves a part it
// cannot load (a file missing or damaged, after a crash or a full disk) to the table's
// detached/ folder as `broken-on-start_...`, and its rows drop out of every query
// without a word. Read once at start from system.detached_parts (chdb has it too): one
// warn line per table (parts, rows where the part's count.txt can be read, bytes,
// reasons) and the gauge flowloft_clickhouse_detached_parts{table,reason}.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { DATABASE, type Engine } from './engine.js'

export interface DetachedTable {
  table: string
  parts: number
  /** Rows of the parts whose count.txt could be read (embedded engine only). */
  rows: number
  bytes: number
  reasons: Record<string, number>
}

interface Row {
  table: string
  reason: string
  bytes_on_disk: number | string
  path: string
}

export async function reportDetachedParts(
  engine: Pick<Engine, 'client' | 'kind'>,
  d: { log: Logger; metrics: Registry },
): Promise<DetachedTable[]> {
  const gauge = d.metrics.gauge(
    'flowloft_clickhouse_detached_parts',
    'Parts of flowloft tables ClickHouse had detached at start (system.detached_parts), by reason',
    ['table', 'reason'],
  )
  let rows: Row[]
  try {
    const rs = await engine.client.query({
      query: `SELECT table, reason, bytes_on_disk, path FROM system.detached_parts WHERE database = '${DATABASE}' ORDER BY table, name`,
      format: 'JSONEachRow',
    })
    rows = await rs.json<Row>()
  } catch (err) {
    d.log.warn('clickhouse: could not list detached parts', { error: (err as Error).message })
    return []
  }
  const tables = new Map<string, DetachedTable>()
  for (const r of rows) {
    let t = tables.get(r.table)
    if (!t) {
      t = { table: r.table, parts: 0, rows: 0, bytes: 0, reasons: {} }
      tables.set(r.table, t)
    }
    // An empty reason: detached by a person (ALTER TABLE ... DETACH PART).
    const reason = r.reason === '' ? 'user' : r.reason
    t.parts++
    t.bytes += Number(r.bytes_on_disk)
    t.reasons[reason] = (t.reasons[reason] ?? 0) + 1
    // The embedded engine's paths are on this machine; a server's are not.
    if (engine.kind === 'embedded') t.rows += countOf(r.path)
    gauge.inc({ table: r.table, reason })
  }
  for (const t of tables.values()) {
    d.log.warn('clickhouse: detached parts found; their rows are not queried', {
      table: `${DATABASE}.${t.table}`,
      parts: t.parts,
      ...(engine.kind === 'embedded' ? { rows: t.rows } : {}),
      bytes: t.bytes,
      reasons: t.reasons,
      hint: `see system.detached_parts; ALTER TABLE ${DATABASE}.${t.table} ATTACH PART or DROP DETACHED PART`,
    })
  }
  return [...tables.values()]
}

function countOf(partPath: string): number {
  try {
    const n = Number(readFileSync(join(partPath, 'count.txt'), 'utf8').trim())
    return Number.isSafeInteger(n) ? n : 0
  } catch {
    return 0
  }
}
