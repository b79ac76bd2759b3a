// Synthetic flow rows for storage tests and measurements: a subset of the flows columns
// (the rest take their defaults), timestamps of now (a TTL drops rows that are already
// expired at insert), a unique `sequence` per row so duplicates can be counted.
import { DIRECTIONS } from '@flowloft/decoder-wasm'

export const FIXTURE_COLUMNS = [
  'time_received',
  'flow_start',
  'flow_end',
  'exporter',
  'flow_type',
  'sequence',
  'sampling_rate',
  'src_addr',
  'dst_addr',
  'src_port',
  'dst_port',
  'proto',
  'in_if',
  'out_if',
  'src_as',
  'dst_as',
  'src_country',
  'dst_country',
  'direction',
  'bytes',
  'packets',
] as const

export interface FixtureBatch {
  tsv: Buffer
  rows: number
  bytes: number
  packets: number
}

const COUNTRIES = ['', 'DE', 'US', 'FR', 'NL', 'CN', 'BR']

/** Deterministic rows `first .. first+rows-1`; `timeSec` is time_received (unix seconds). */
export function fixtureRows(first: number, rows: number, timeSec: number): FixtureBatch {
  const lines: string[] = []
  let bytes = 0
  let packets = 0
  for (let k = 0; k < rows; k++) {
    const i = first + k
    const h = Math.imul(i, 2654435761) >>> 0 // spread values without a PRNG state
    const pk = 1 + (h % 50)
    const by = pk * (40 + (h % 1400))
    bytes += by
    packets += pk
    const local = `10.0.${(h >>> 8) % 4}.${1 + ((h >>> 12) % 200)}`
    const remote = `${1 + ((h >>> 3) % 220)}.${(h >>> 11) % 256}.${(h >>> 19) % 256}.${1 + (h % 250)}`
    const out = (h & 1) === 0
    const service = [443, 80, 53, 22, 123, 8080][(h >>> 5) % 6] ?? 443
    const eph = 32768 + ((h >>> 7) % 28000)
    const startMs = timeSec * 1000 - ((h >>> 4) % 60_000)
    lines.push(
      [
        timeSec,
        `${Math.floor(startMs / 1000)}.${String(startMs % 1000).padStart(3, '0')}`,
        `${timeSec}.000`,
        `::ffff:192.0.2.${1 + (i % 3)}`,
        'ipfix',
        i,
        1,
        `::ffff:${out ? local : remote}`,
        `::ffff:${out ? remote : local}`,
        out ? eph : service,
        out ? service : eph,
        [6, 17, 1][(h >>> 9) % 3] ?? 6,
        1 + ((h >>> 2) % 4),
        1 + ((h >>> 6) % 4),
        out ? 0 : 64500 + ((h >>> 13) % 40),
        out ? 64500 + ((h >>> 13) % 40) : 0,
        out ? '' : (COUNTRIES[(h >>> 10) % COUNTRIES.length] ?? ''),
        out ? (COUNTRIES[(h >>> 10) % COUNTRIES.length] ?? '') : '',
        DIRECTIONS[(h >>> 1) % DIRECTIONS.length] ?? 'unknown',
        by,
        pk,
      ].join('\t'),
    )
  }
  return { tsv: Buffer.from(`${lines.join('\n')}\n`), rows, bytes, packets }
}
