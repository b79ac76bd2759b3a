// The billing-cycle usage panel (collector/src/usage/, docs/usage.md): each device's bytes
// to and from the internet today, this week, in the current and the previous billing
// cycle, from flows_1h, as of the end of the dashboard's range. Grafana cannot read the
// collector's settings: the cycle's first day and time zone are the dashboard's text
// boxes `cycle_day` (usage.cycle_start_day) and `usage_tz` (usage.timezone; empty: the
// ClickHouse server's zone).
import { ADDR, DEVICE_NAMES, EXPORTER, HOST_ROLLUP } from './sql.mjs'

export const USAGE_VARIABLES = [
  {
    name: 'cycle_day',
    label: 'Billing cycle day',
    type: 'textbox',
    description: 'Day of the month the billing cycle starts (usage.cycle_start_day)',
    query: '1',
    current: { text: '1', value: '1' },
  },
  {
    name: 'usage_tz',
    label: 'Time zone',
    type: 'textbox',
    description:
      "Time zone days and cycles start in (usage.timezone), e.g. Europe/Berlin; empty: the ClickHouse server's",
    query: '',
    current: { text: '', value: '' },
  },
]

/** The cycle's first date in the month starting on date `m`. */
const cycleDay = (m) => `addDays(${m}, least(cd, toDayOfMonth(toLastDayOfMonth(${m}))) - 1)`

export function usageSql(limit) {
  return [
    "SELECT h.address AS address, if(n.name = '', h.address, n.name) AS name, h.today_bytes AS today_bytes, h.week_bytes AS week_bytes,",
    '  h.bytes_in AS bytes_in, h.bytes_out AS bytes_out, h.bytes_in + h.bytes_out AS cycle_bytes, h.previous_cycle_bytes AS previous_cycle_bytes',
    'FROM (',
    '  WITH',
    "    if('${usage_tz}' = '', timezone(), '${usage_tz}') AS tz,",
    "    greatest(1, least(31, toUInt8OrZero('${cycle_day}'))) AS cd,",
    '    toDate(toDateTime($__toTime, tz)) AS d,',
    '    toStartOfMonth(d) AS m0,',
    `    if(d >= ${cycleDay('m0')}, m0, addMonths(m0, -1)) AS cm,`,
    `    toDateTime(${cycleDay('cm')}, tz) AS cycle_from,`,
    `    toDateTime(${cycleDay('addMonths(cm, -1)')}, tz) AS prev_from,`,
    '    toDateTime(d, tz) AS today_from,',
    '    toDateTime(toMonday(d), tz) AS week_from',
    `  SELECT ${ADDR('local_addr')} AS address,`,
    '    sumIf(bytes, time >= today_from) AS today_bytes,',
    '    sumIf(bytes, time >= week_from) AS week_bytes,',
    "    sumIf(bytes, direction = 'inbound' AND time >= cycle_from) AS bytes_in,",
    "    sumIf(bytes, direction = 'outbound' AND time >= cycle_from) AS bytes_out,",
    '    sumIf(bytes, time < cycle_from) AS previous_cycle_bytes',
    '  FROM flowloft.flows_1h',
    "  WHERE time >= prev_from AND time <= $__toTime AND direction IN ('inbound', 'outbound')",
    `    AND ${EXPORTER} AND ${HOST_ROLLUP}`,
    '  GROUP BY local_addr',
    `  ORDER BY bytes_in + bytes_out DESC, address LIMIT ${limit}`,
    `) AS h\nLEFT JOIN (${DEVICE_NAMES}) AS n ON n.key = h.address`,
    'ORDER BY cycle_bytes DESC, address',
  ].join('\n')
}
