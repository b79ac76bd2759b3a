// GET /api/usage/cycle: bytes in and out of the internet per device and in total over
// today, this week, the current and the previous billing cycle (usage.cycle_start_day,
// usage.timezone), from the per-hour rollup, and where each data cap stands (usage/).
//   ?device=ADDR  only that device, and the caps that count it (its page)
//   ?limit=N      the N devices with the most bytes in the cycle (default 100)
//   ?at=INSTANT   as of another time (unix seconds, ISO 8601, -1d; default now)
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { canonicalAddr } from '../addresses/ip.js'
import type { Engine } from '../clickhouse/engine.js'
import type { DeviceUsage, Usage, UsageReport } from '../usage/index.js'
import { nowSeconds, parseInstant, parseInteger } from './params.js'
import { isClickHouseError, statusForClickHouse } from './errors.js'

/** The part of a report about one device (canonical address `key`). */
function forDevice(r: UsageReport, key: string): UsageReport {
  return {
    ...r,
    devices: r.devices.filter((d) => d.key === key),
    // Compared as addresses: a cap lists a device as shown, or as its config wrote it.
    caps: r.caps.filter(
      (c) => c.kind === 'total' || c.devices.some((d) => canonicalAddr(d) === key),
    ),
  }
}

/** A device as answered: without its canonical key (an internal detail). */
const answered = (d: DeviceUsage): Omit<DeviceUsage, 'key'> =>
  Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'key')) as Omit<DeviceUsage, 'key'>

export function usageCycleRoutes(engine: Engine, usage: Usage | undefined): Hono {
  const app = new Hono()
  app.get('/api/usage/cycle', async (c) => {
    if (!usage) throw new HTTPException(404, { message: 'usage is not available' })
    const q = (k: string): string | undefined => c.req.query(k)
    const limit = parseInteger('limit', q('limit'), 100, 1, 10000)
    const at = q('at')
    const now = at === undefined || at === '' ? nowSeconds() : parseInstant('at', at, nowSeconds())
    const device = q('device')
    const key = device === undefined || device === '' ? undefined : canonicalAddr(device.trim())
    if (key === null) throw new HTTPException(400, { message: 'device must be an IP address' })
    let r: UsageReport
    try {
      r = await usage.read(now, (x) => engine.read(x))
    } catch (err) {
      if (isClickHouseError(err))
        throw new HTTPException(statusForClickHouse(err), { message: err.message, cause: err })
      throw err
    }
    const answer = key === undefined ? r : forDevice(r, key)
    return c.json({ ...answer, devices: answer.devices.slice(0, limit).map(answered) })
  })
  return app
}
