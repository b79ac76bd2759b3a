// The OpenAPI description of /api/usage/cycle (merged into openapi.ts).
import { CAP_KINDS, CAP_LEVELS, PERIODS } from '../usage/index.js'

const int = { type: 'integer' }
const str = { type: 'string' }
const inOut = {
  type: 'object',
  properties: { in_bytes: int, out_bytes: int },
  description: 'in: bytes from the internet to the devices; out: from them to the internet',
}
const byPeriod = (item: object, description: string): object => ({
  type: 'object',
  description,
  properties: Object.fromEntries(PERIODS.map((p) => [p, item])),
})
const span = {
  type: 'object',
  properties: { from: int, to: int },
  description: '[from, to), unix seconds',
}
const CAP = {
  type: 'object',
  properties: {
    id: { ...str, description: 'total, device:NAME or group:NAME (the metrics label)' },
    kind: { type: 'string', enum: CAP_KINDS },
    name: str,
    cap_bytes: int,
    used_bytes: { ...int, description: 'Bytes in and out in the current cycle' },
    in_bytes: int,
    out_bytes: int,
    percent: { type: 'number' },
    level: { type: 'integer', enum: [0, ...CAP_LEVELS], description: 'Highest level reached' },
    devices: {
      type: 'array',
      items: str,
      description: 'The addresses counted (none: every device)',
    },
    unmatched: {
      type: 'array',
      items: str,
      description: 'Device names that matched no address in the last day',
    },
    cycle: span,
  },
}
const query = (name: string, description: string, schema: object = str): object => ({
  name,
  in: 'query',
  description,
  schema,
})
const error = (description: string): object => ({
  description,
  content: {
    'application/json': {
      schema: { type: 'object', properties: { error: str }, required: ['error'] },
    },
  },
})

export const USAGE_CYCLE_PATHS = {
  '/api/usage/cycle': {
    get: {
      summary:
        'Bytes in and out of the internet per device and in total over today, this week, the current and the previous billing cycle (usage.cycle_start_day, usage.timezone), from the per-hour rollup; and each data cap in the current cycle',
      parameters: [
        query('device', 'Only this device (an IP address) and the caps that count it'),
        query('limit', 'At most this many devices, most bytes in the cycle first (default 100)', {
          ...int,
          minimum: 1,
          maximum: 10000,
        }),
        query(
          'at',
          'As of this time: unix seconds, ISO 8601 (UTC unless it gives an offset) or an offset like -1d (default now)',
        ),
      ],
      responses: {
        '200': {
          description: 'Usage and caps',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  now: int,
                  timezone: str,
                  cycle_start_day: int,
                  periods: byPeriod(span, 'Each period'),
                  total: byPeriod(inOut, 'Every device together'),
                  devices: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        device: str,
                        name: {
                          ...str,
                          description: 'From the flows or enrich.host_aliases, or empty',
                        },
                        ...Object.fromEntries(PERIODS.map((p) => [p, inOut])),
                      },
                    },
                  },
                  caps: { type: 'array', items: CAP },
                },
              },
            },
          },
        },
        '400': error('A bad parameter'),
        '404': error('Usage is not available'),
      },
    },
  },
}
