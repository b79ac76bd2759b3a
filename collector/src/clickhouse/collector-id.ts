// collector.id: this collector's name among several writing to one ClickHouse. It is
// written into SQL (a table comment, a setting), so only a plain name is taken.
import { hostname } from 'node:os'
import { ConfigError } from '../config/index.js'

const COLLECTOR_ID = /^[A-Za-z0-9_.-]{1,64}$/

/** The configured id, or this host's name when it is empty. */
export function collectorId(id: string, host = hostname()): string {
  const name = id === '' ? host.slice(0, 64).replace(/[^A-Za-z0-9_.-]/g, '-') : id
  if (!COLLECTOR_ID.test(name))
    throw new ConfigError(
      `collector.id must be 1-64 letters, digits, '.', '_' or '-', got ${JSON.stringify(id)}`,
    )
  return name
}
