// One read of usage: the periods around `now`, every device's figures (figures.ts) with
// its name, the total of all devices, and where each cap stands (caps.ts). Devices are
// ordered by their bytes in the current cycle, largest first.
import { capStates, type CapState } from './caps.js'
import type { UsageConfig } from './config.js'
import { addUp, deviceFigures, type DeviceFigures, type PeriodBytes } from './figures.js'
import { localNames } from './names.js'
import { periodsAt, type Periods } from './periods.js'
import type { Reader } from './reader.js'

export interface DeviceUsage extends DeviceFigures {
  /** Its name from the flows or the aliases, or ''. */
  name: string
}

export interface UsageReport {
  now: number
  timezone: string
  cycle_start_day: number
  periods: Periods
  total: PeriodBytes
  devices: DeviceUsage[]
  caps: CapState[]
}

const cycleBytes = (d: DeviceFigures): number => d.cycle.in_bytes + d.cycle.out_bytes

export async function readUsage(
  read: Reader,
  config: Pick<UsageConfig, 'timezone' | 'cycleStartDay' | 'caps'>,
  aliases: Readonly<Record<string, string>>,
  now: number,
): Promise<UsageReport> {
  const periods = periodsAt(now, config.timezone, config.cycleStartDay)
  const [figures, names] = await Promise.all([
    deviceFigures(read, periods, now),
    localNames(read, now, aliases),
  ])
  const devices = figures
    .map((f) => ({ ...f, name: names.get(f.key) ?? '' }))
    .sort((a, b) => cycleBytes(b) - cycleBytes(a) || a.device.localeCompare(b.device))
  return {
    now,
    timezone: config.timezone,
    cycle_start_day: config.cycleStartDay,
    periods,
    total: addUp(figures),
    devices,
    caps: capStates(config.caps, figures, names, periods.cycle),
  }
}
