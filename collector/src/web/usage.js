// Usage per billing cycle and data caps (/api/usage/cycle, docs/usage.md): on a device's
// page its bytes today, this week, in the current and the previous cycle and the caps
// that count it; the usage view lists every cap and every device by its bytes in the
// cycle. Bytes in and out of the internet, in the appliance's time zone.
import { api, qs } from './api.js'
import { $, el, fillTable, showError } from './dom.js'
import { pageHref, readState } from './state.js'
import { bytes } from './units.js'

const PERIODS = [
  ['today', 'today'],
  ['week', 'this week'],
  ['cycle', 'this cycle'],
  ['previous_cycle', 'previous cycle'],
]
const num = (label) => ({ label, num: true })
const sum = (p) => p.in_bytes + p.out_bytes

/** A day of the appliance's zone: 15 Mar. */
const day = (t, tz) =>
  new Date(t * 1000).toLocaleDateString([], { timeZone: tz, day: 'numeric', month: 'short' })

/** The current cycle as people say it: 15 Mar – 14 Apr (Europe/Berlin). */
function cycleText(r) {
  const c = r.periods.cycle
  return `${day(c.from, r.timezone)} – ${day(c.to - 1, r.timezone)} (${r.timezone})`
}

/** A cap's use: a meter (amber from 80%, red at 100%) and the numbers. */
function capUse(c) {
  const m = el('meter', {
    min: 0,
    max: 1,
    low: 0.8,
    high: 0.9999,
    optimum: 0,
    value: Math.min(1, c.used_bytes / c.cap_bytes),
    className: 'cap',
  })
  m.setAttribute('aria-label', `${c.name}: ${c.percent}% of the cap`)
  const text = el('span', {
    className: c.level >= 100 ? 'cap-text over' : c.level >= 80 ? 'cap-text near' : 'cap-text',
    textContent: `${bytes(c.used_bytes)} of ${bytes(c.cap_bytes)} · ${c.percent}%`,
  })
  return el('span', { className: 'cap-use' }, m, ' ', text)
}

const capName = (c) =>
  c.kind === 'total' ? 'all devices' : c.kind === 'group' ? `group ${c.name}` : c.name

function capsTable(table, caps) {
  fillTable(
    table,
    ['cap', 'devices', 'used this cycle'],
    caps.map((c) => [
      capName(c),
      c.kind === 'total'
        ? 'every device'
        : [...c.devices, ...c.unmatched.map((n) => `${n} (not seen)`)].join(', ') || '-',
      capUse(c),
    ]),
    'no data cap is set (usage.cap, usage.device_caps, usage.groups)',
  )
}

/** The usage card of a device's page. */
export async function loadDeviceUsage(device) {
  const box = $('#usage-facts')
  try {
    const r = await api(`/api/usage/cycle?${qs({ device })}`)
    const d = r.devices[0]
    $('#usage-note').textContent = `cycle ${cycleText(r)}`
    fillTable(
      $('#usage-periods'),
      ['', num('in'), num('out'), num('total')],
      PERIODS.map(([k, label]) => {
        const p = d?.[k] ?? { in_bytes: 0, out_bytes: 0 }
        return [label, bytes(p.in_bytes), bytes(p.out_bytes), bytes(sum(p))]
      }),
    )
    capsTable($('#usage-caps'), r.caps)
    box.replaceChildren()
  } catch (err) {
    showError(box)(err)
  }
}

/** The usage view: the caps, then the devices by bytes in the current cycle. */
export async function loadUsageList() {
  const box = $('#usage-list-error')
  try {
    const r = await api('/api/usage/cycle?limit=500')
    $('#usage-list-note').textContent = `cycle ${cycleText(r)}`
    capsTable($('#usage-list-caps'), r.caps)
    const s = readState()
    const capsOf = (device) =>
      r.caps.filter((c) => c.kind !== 'total' && c.devices.includes(device))
    const rows = [
      ['all devices', ...PERIODS.map(([k]) => bytes(sum(r.total[k]))), ''],
      ...r.devices.map((d) => [
        el('a', {
          href: pageHref(s, 'device', { device: d.device }),
          className: 'pick inline',
          textContent: d.name || d.device,
          title: d.device,
        }),
        ...PERIODS.map(([k]) => bytes(sum(d[k]))),
        // One line per cap, so a device in several caps does not widen the table.
        el(
          'span',
          {},
          ...capsOf(d.device).map((c) =>
            el(
              'div',
              { className: 'cap-line' },
              el('span', { className: 'muted', textContent: `${capName(c)} ` }),
              capUse(c),
            ),
          ),
        ),
      ]),
    ]
    fillTable(
      $('#usage-list'),
      ['device', ...PERIODS.map(([, label]) => num(label)), 'caps'],
      rows,
      'no device has used the internet in the last two cycles',
    )
    box.replaceChildren()
  } catch (err) {
    showError(box)(err)
  }
}
