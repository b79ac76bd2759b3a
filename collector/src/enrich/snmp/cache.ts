// The last interface names each agent gave, kept in <data_dir>/snmp-interfaces.json so
// flows get names after a restart before the first poll answers (or while the agent is
// away). Written whole after a poll changed something: temp file, then rename.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import type { InterfaceInfo } from '../index.js'

export const CACHE_FILE = 'snmp-interfaces.json'

export interface CachedExporter {
  /** Unix seconds of the poll that gave these names. */
  polledAt: number
  interfaces: Map<number, InterfaceInfo>
}

interface FileInterface {
  name: string
  description: string
  alias: string
  speed_mbps: number
}
interface FileShape {
  version: 1
  exporters: Record<string, { polled_at: number; interfaces: Record<string, FileInterface> }>
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)

/**
 * The cached names by exporter. A missing file is an empty cache; a damaged one throws
 * (the caller logs it and starts empty). Entries that do not parse are skipped.
 */
export function readInterfaceCache(path: string): Map<string, CachedExporter> {
  const out = new Map<string, CachedExporter>()
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out
    throw err
  }
  const doc = JSON.parse(text) as unknown
  if (!isObject(doc) || doc['version'] !== 1 || !isObject(doc['exporters']))
    throw new Error('not a version 1 interface cache')
  for (const [exporter, e] of Object.entries(doc['exporters'])) {
    if (!isObject(e) || !isObject(e['interfaces'])) continue
    const interfaces = new Map<number, InterfaceInfo>()
    for (const [idx, i] of Object.entries(e['interfaces'])) {
      const n = Number(idx)
      if (!/^\d+$/.test(idx) || n < 1 || n > 0xffffffff || !isObject(i)) continue
      interfaces.set(n, {
        name: str(i['name']),
        description: str(i['description']),
        alias: str(i['alias']),
        speedMbps: num(i['speed_mbps']),
      })
    }
    out.set(exporter, { polledAt: num(e['polled_at']), interfaces })
  }
  return out
}

export function writeInterfaceCache(
  path: string,
  cache: ReadonlyMap<string, CachedExporter>,
): void {
  const doc: FileShape = { version: 1, exporters: {} }
  for (const [exporter, e] of cache) {
    const interfaces: Record<string, FileInterface> = {}
    for (const [idx, i] of e.interfaces)
      interfaces[String(idx)] = {
        name: i.name,
        description: i.description,
        alias: i.alias,
        speed_mbps: i.speedMbps,
      }
    doc.exporters[exporter] = { polled_at: e.polledAt, interfaces }
  }
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(doc)}\n`)
  renameSync(tmp, path)
}
