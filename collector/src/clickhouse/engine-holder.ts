// Which process holds the embedded engine's data directory. ClickHouse (chdb too) writes
// its pid to data_dir/clickhouse/status and holds flock() on that file while it runs; a
// clean stop removes the file, a crash leaves it behind unlocked. A second process that
// opens the directory gets "Cannot lock file ... status" from chdb, printed by the
// library itself beside a bare "Failed to create connection". Linux lists every flock in
// /proc/locks by device and inode, which tells a held file from one left behind; elsewhere
// the pid in the file is checked alive.
import { readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'

/** The embedded engine's data directory is held by another process. */
export class EngineInUse extends Error {
  readonly dataDir: string
  readonly pid: number
  constructor(dataDir: string, pid: number) {
    super(`data_dir ${dataDir} is in use by another process (pid ${pid})`)
    this.name = 'EngineInUse'
    this.dataDir = dataDir
    this.pid = pid
  }
}

/** The pid of another process holding data_dir's engine, or null when none does. */
export function engineHolder(dataDir: string, locks = '/proc/locks'): number | null {
  const status = resolve(dataDir, 'clickhouse', 'status')
  let st
  try {
    st = statSync(status, { bigint: true })
  } catch {
    return null
  }
  let table: string | undefined
  try {
    table = readFileSync(locks, 'utf8')
  } catch {
    table = undefined
  }
  const pid = table === undefined ? statusPid(status) : flockHolder(table, st.dev, st.ino)
  return pid === null || pid === process.pid ? null : pid
}

/** Throws EngineInUse when another process holds data_dir's engine. */
export function assertEngineFree(dataDir: string): void {
  const pid = engineHolder(dataDir)
  if (pid !== null) throw new EngineInUse(dataDir, pid)
}

/** The pid of a /proc/locks FLOCK line on that device and inode. */
function flockHolder(table: string, dev: bigint, ino: bigint): number | null {
  // Linux encodes a userspace dev_t as mmmM MMmm: 12 bits of major, 20 of minor.
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn)
  const where = `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}:${ino}`
  for (const line of table.split('\n')) {
    // "1: FLOCK  ADVISORY  WRITE 4504 fe:00:2154920 0 EOF" (blocked waiters start "1: ->")
    const f = line.trim().split(/\s+/)
    if (f[1] === 'FLOCK' && f[5] === where) return Number(f[4])
  }
  return null
}

/** The pid ClickHouse wrote to the status file, when that process is alive. */
function statusPid(status: string): number | null {
  let text: string
  try {
    text = readFileSync(status, 'utf8')
  } catch {
    return null
  }
  const pid = Number(/^PID: (\d+)$/m.exec(text)?.[1] ?? 0)
  if (pid <= 0) return null
  try {
    process.kill(pid, 0)
    return pid
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null
  }
}
