// Where flowloft's CPU goes in bench/home-rate.mjs: CPU seconds by thread name (from
// /proc/PID/task/*, so Node's main thread, the decode workers, libuv and V8 threads and
// ClickHouse's own pools each show), and what the embedded engine did meanwhile (its
// system.events counters: inserts, merges, parts written).
import { readdirSync, readFileSync } from 'node:fs'

/** CPU seconds per thread name of a process; threads that exited count as `(exited)`. */
export function threadSample(pid) {
  const by = {}
  let sum = 0
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    let stat
    try {
      stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8')
    } catch {
      continue
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const cpu = (Number(f[11]) + Number(f[12])) / 100
    // Numbered pools (`QueryPipelineEx`, `BgSchPool`, `MergeMutate`) and workers read
    // as one line each.
    // Node's main thread is the one whose id is the process's; its decode workers, libuv
    // and V8 threads are all `node`.
    const key = t === String(pid) ? 'node main' : name.replace(/[\d]+$/, '').trim()
    by[key] = (by[key] ?? 0) + cpu
    sum += cpu
  }
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ')
  const total = (Number(f[11]) + Number(f[12])) / 100
  by['(exited)'] = Math.max(0, total - sum)
  return by
}

/** What each thread name spent between two samples, largest first, over 0.01 s. */
export function threadDelta(a, b) {
  const out = {}
  for (const k of Object.keys(b)) {
    const d = b[k] - (a[k] ?? 0)
    if (d >= 0.01) out[k] = Number(d.toFixed(2))
  }
  return Object.fromEntries(Object.entries(out).sort((x, y) => y[1] - x[1]))
}

const EVENTS = [
  'InsertQuery',
  'InsertedRows',
  'InsertedBytes',
  'MergedRows',
  'MergedUncompressedBytes',
  'Merge',
  'MergeTreeDataWriterBlocks',
  'MergeTreeDataWriterRows',
  'SelectQuery',
  'Query',
  'OSCPUVirtualTimeMicroseconds',
  'UserTimeMicroseconds',
  'SystemTimeMicroseconds',
]

/** The engine's cumulative counters that say what it did. */
export async function engineEvents(query) {
  const rows = await query(
    `SELECT event, value FROM system.events WHERE event IN (${EVENTS.map((e) => `'${e}'`).join(', ')})`,
  )
  return Object.fromEntries(rows.map((r) => [r.event, Number(r.value)]))
}

/** Active parts per flowloft table. */
export async function engineParts(query) {
  const rows = await query(
    `SELECT table, count() AS parts, sum(rows) AS rows FROM system.parts WHERE database = 'flowloft' AND active GROUP BY table ORDER BY table`,
  )
  return Object.fromEntries(
    rows.map((r) => [r.table, { parts: Number(r.parts), rows: Number(r.rows) }]),
  )
}

/**
 * What a process's resident memory is made of (/proc/PID/smaps): anonymous pages (its
 * heaps, V8's, the engine's caches and buffers) and pages of mapped files, for the two
 * largest files by name (chdb's library, the node binary): their code and read-only
 * data, which the kernel can drop and read again, and shares with the page cache.
 */
export function memorySplit(pid) {
  const kb = { anon: 0, file: 0 }
  const files = {}
  let file = null
  for (const l of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(l)
    if (head) {
      file = head[1] !== '0' && head[2]?.startsWith('/') ? head[2].split('/').pop() : null
      continue
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(l)
    if (!rss) continue
    const n = Number(rss[1])
    if (file) {
      kb.file += n
      files[file] = (files[file] ?? 0) + n
    } else kb.anon += n
  }
  const top = Object.entries(files)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([name, n]) => ({ name, bytes: n * 1024 }))
  return { anonBytes: kb.anon * 1024, fileBytes: kb.file * 1024, largestFiles: top }
}

export function eventDelta(a, b) {
  const out = {}
  for (const k of Object.keys(b)) {
    const d = b[k] - (a[k] ?? 0)
    if (d !== 0) out[k] = d
  }
  return out
}
