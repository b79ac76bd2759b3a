// The new-destination rule: a device that talks to a remote country or AS it has never
// used raises one alert per run, listing what is new. Everything a device uses is learned
// (flowloft.alert_seen); what is on an allow-list, and everything a device does during its
// learning period (counted from its first flow), is learned without an alert. The first
// run learns the hourly rollup's history, so enabling alerts on an install with history
// starts from what its devices already do.
import type { ClickHouseClient } from '@clickhouse/client'
import type { Raised } from './alert.js'
import { named } from './alert.js'
import type { AlertsConfig } from './config.js'
import {
  devicesFirstSeen,
  learnHistory,
  learnWindow,
  nothingLearned,
  unseenUses,
  type Use,
} from './destinations-sql.js'
import { asNames, deviceNames, shown } from './names.js'

/** Uses passed over, by reason: counted on /metrics. */
export interface Quieted {
  learning: number
  allowed: number
}

export interface DestinationsResult {
  raised: Raised[]
  quieted: Quieted
}

/** The most new destinations an alert lists (the rest are counted in its message). */
const LISTED = 10

export async function newDestinations(
  c: ClickHouseClient,
  config: AlertsConfig,
  window: { from: number; to: number; firstRun: boolean },
): Promise<DestinationsResult> {
  if (window.firstRun && (await nothingLearned(c))) await learnHistory(c, window.from)
  const unseen = await unseenUses(c, window)
  await learnWindow(c, window)
  const quieted: Quieted = { learning: 0, allowed: 0 }
  if (unseen.length === 0) return { raised: [], quieted }
  const firstSeen = await devicesFirstSeen(c, [...new Set(unseen.map((u) => u.device))])
  const learning = config.learningDays * 86_400
  const allowedCountries = new Set(config.allowCountries)
  const allowedAsns = new Set(config.allowAsns)
  const byDevice = new Map<string, Use[]>()
  for (const u of unseen) {
    const first = firstSeen.get(u.device) ?? u.first_seen
    if (u.first_seen - first < learning) quieted.learning++
    else if (
      u.kind === 'country' ? allowedCountries.has(u.value) : allowedAsns.has(Number(u.value))
    )
      quieted.allowed++
    else byDevice.set(u.device, [...(byDevice.get(u.device) ?? []), u])
  }
  if (byDevice.size === 0) return { raised: [], quieted }
  const names = await deviceNames(c, [...byDevice.keys()], window.from - 3600)
  const asns = [...byDevice.values()].flat().filter((u) => u.kind === 'as')
  const asName = await asNames(
    c,
    asns.map((u) => Number(u.value)),
  )
  // Countries first, then ASes, each largest first (unseenUses orders by bytes).
  const order = (u: Use): number => (u.kind === 'country' ? 0 : 1)
  const raised = [...byDevice].map(([device, all]): Raised => {
    const uses = [...all].sort((x, y) => order(x) - order(y))
    const addr = shown(device)
    const name = names.get(device) ?? ''
    const label = (u: Use): string => {
      if (u.kind === 'country') return `country ${u.value}`
      const n = asName.get(Number(u.value)) ?? ''
      return n === '' ? `AS${u.value}` : `AS${u.value} ${n}`
    }
    const listed = uses.slice(0, LISTED).map(label)
    const more = uses.length > LISTED ? ` and ${uses.length - LISTED} more` : ''
    return {
      kind: 'new_destination',
      event_key: `${addr}:${uses.map((u) => `${u.kind}=${u.value}`).join(',')}`,
      subject: addr,
      subject_name: name,
      title: `${name || addr} talked to somewhere new`,
      message: `${named(addr, name)} talked for the first time to ${listed.join(', ')}${more}.`,
      details: {
        new: uses.map((u) => ({
          kind: u.kind,
          value: u.kind === 'as' ? Number(u.value) : u.value,
          ...(u.kind === 'as' ? { name: asName.get(Number(u.value)) ?? '' } : {}),
          first_seen: u.first_seen,
          bytes: u.bytes,
        })),
      },
    }
  })
  return { raised, quieted }
}
