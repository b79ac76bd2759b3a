// The usage-cap rule: a data cap (usage.cap, usage.device_caps, usage.groups) whose
// devices used 80% and then 100% of it in the current billing cycle. Each level of each
// cap is a condition of its own, keyed by the cycle's start: it raises one alert per
// cycle, recorded in flowloft.alerts, so a restart does not raise it again; it ends when
// the cycle does (or when a larger cap puts the usage back under the level). A cap with
// a device name that matched no address (a device quiet for a day: names come from the
// last day's flows) has usage that is not all known: its alerts stay as they are
// (capsNotKnown), rather than end and be raised again when the device is back.
import { CAP_LEVELS, type CapState, type UsageReport } from '../usage/index.js'
import { named, type Raised } from './alert.js'
import { bytesText } from './volume.js'

/** The cycle's first day, as a date in the appliance's time zone. */
function day(t: number, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone }).format(new Date(t * 1000))
}

function what(c: CapState): { subject: string; subject_name: string; label: string } {
  if (c.kind === 'total') return { subject: 'total', subject_name: '', label: 'All devices' }
  if (c.kind === 'group') return { subject: c.name, subject_name: c.name, label: `Group ${c.name}` }
  const [addr] = c.devices
  const byName = addr !== undefined && addr !== c.name && c.devices.length === 1
  return {
    subject: byName ? addr : c.name,
    subject_name: byName ? c.name : '',
    label: byName ? named(addr, c.name) : c.name,
  }
}

/** The event key of a cap's level in the report's cycle. */
const levelKey = (c: CapState, level: number, report: UsageReport): string =>
  `${c.id}:${level}:${report.periods.cycle.from}`

/** The cap levels reached in the report's cycle, one Raised per cap and level. */
export function capsOverLevels(report: UsageReport): Raised[] {
  const since = day(report.periods.cycle.from, report.timezone)
  return report.caps.flatMap((c) =>
    CAP_LEVELS.filter((level) => c.level >= level).map((level): Raised => {
      const w = what(c)
      return {
        kind: 'usage_cap',
        event_key: levelKey(c, level, report),
        subject: w.subject,
        subject_name: w.subject_name,
        title: `${w.label} ${level === 100 ? 'reached' : 'used 80% of'} the data cap`,
        message: `${w.label} used ${bytesText(c.used_bytes)} (${bytesText(c.in_bytes)} in, ${bytesText(c.out_bytes)} out) of the ${bytesText(c.cap_bytes)} cap in the billing cycle that began ${since}: ${c.percent}%.`,
        details: {
          cap: c.id,
          level,
          used_bytes: c.used_bytes,
          in_bytes: c.in_bytes,
          out_bytes: c.out_bytes,
          cap_bytes: c.cap_bytes,
          percent: c.percent,
          devices: c.devices,
          cycle_from: c.cycle.from,
          cycle_to: c.cycle.to,
        },
      }
    }),
  )
}

/**
 * The event keys of every level of the caps whose usage is not all known this cycle: a
 * device name among them matched no address, so their bytes are missing.
 */
export function capsNotKnown(report: UsageReport): string[] {
  return report.caps
    .filter((c) => c.unmatched.length > 0)
    .flatMap((c) => CAP_LEVELS.map((level) => levelKey(c, level, report)))
}
