// Usage on /metrics, from the latest read (index.ts): each cap's size and what its
// devices used in the current billing cycle (one series per configured cap: the
// configuration bounds them), the cycle's bytes of every device together, and per device
// for the first usage.metrics_max_devices devices seen, the rest added up as
// device="other" (observability/label-cap.ts).
import { createLabelCap } from '../observability/label-cap.js'
import type { Registry } from '../observability/metrics.js'
import type { UsageReport } from './report.js'

export function usageMetrics(
  r: Registry,
  maxDevices: number,
  latest: () => UsageReport | undefined,
) {
  const devices = createLabelCap(maxDevices)
  r.gauge(
    'flowloft_usage_cap_bytes',
    'Size of each data cap per billing cycle (usage.cap, usage.device_caps, usage.groups), by cap (total, device:NAME, group:NAME)',
    ['cap'],
    (g) => {
      g.reset()
      for (const c of latest()?.caps ?? []) g.set({ cap: c.id }, c.cap_bytes)
    },
  )
  r.gauge(
    'flowloft_usage_cap_used_bytes',
    'Bytes in and out of the internet the devices of each cap moved in the current billing cycle, by cap',
    ['cap'],
    (g) => {
      g.reset()
      for (const c of latest()?.caps ?? []) g.set({ cap: c.id }, c.used_bytes)
    },
  )
  r.gauge(
    'flowloft_usage_cycle_bytes',
    'Bytes of every device together in the current billing cycle, by direction (in: from the internet, out: to it)',
    ['direction'],
    (g) => {
      const t = latest()?.total.cycle
      if (!t) return
      g.set({ direction: 'in' }, t.in_bytes)
      g.set({ direction: 'out' }, t.out_bytes)
    },
  )
  r.gauge(
    'flowloft_usage_device_cycle_bytes',
    'Bytes of each device in the current billing cycle, by device and direction; devices past usage.metrics_max_devices are added up as device="other"',
    ['device', 'direction'],
    (g) => {
      g.reset()
      // Largest first, so the first read keeps the heaviest devices' own series.
      for (const d of latest()?.devices ?? []) {
        if (d.cycle.in_bytes + d.cycle.out_bytes === 0) continue
        const device = devices.label(d.device)
        g.inc({ device, direction: 'in' }, d.cycle.in_bytes)
        g.inc({ device, direction: 'out' }, d.cycle.out_bytes)
      }
    },
  )
  r.gauge(
    'flowloft_usage_cycle_start_seconds',
    'When the current billing cycle started (unix seconds; usage.cycle_start_day, usage.timezone)',
    [],
    (g) => {
      const p = latest()?.periods.cycle
      if (p) g.set({}, p.from)
    },
  )
  return {
    reads: r.counter(
      'flowloft_usage_reads_total',
      'Reads of the usage figures and caps, by result (ok, failed)',
      ['result'],
    ),
  }
}
