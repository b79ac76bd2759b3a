// The OpenAPI description of /api/devices, /api/remote, /api/usage and /api/interfaces
// (merged into openapi.ts), and the filters they share with /api/timeseries.
import { FILTER_KEYS, type FilterKey } from './filters.js'
import { REMOTE_BYS } from './sides.js'
import { SOURCES } from './source.js'

const FILTER_TEXT: Record<FilterKey, string> = {
  device: 'The local device: an IP address',
  remote: 'The remote side: an IP address or prefix (203.0.113.0/24, 2001:db8::/32)',
  as: 'The remote AS number',
  country: 'The remote country, two letters (- for unknown)',
  service: 'The service: proto/port (tcp/443), a port, or a name (https, quic, dns, ssh)',
  proto: 'The protocol: a name (tcp) or number',
  exporter: 'The exporter: an IP address',
  interface:
    "An exporter's interface, in or out: its index (with exporter= to name the exporter) or its name",
  direction:
    'in or out (what the local devices received or sent), or the flow direction: inbound, outbound, internal',
  app: "The remote side's app (YouTube, Steam; - for none), named from its host name (docs/apps.md)",
}

export const FILTER_PARAMETERS = FILTER_KEYS.map((name) => ({
  name,
  in: 'query',
  description: FILTER_TEXT[name],
  schema: { type: 'string' },
}))

const window = ['from', 'to'].map((name) => ({
  name,
  in: 'query',
  description: 'Window edge, as for /api/top (default: the last hour)',
  schema: { type: 'string' },
}))
const limit = {
  name: 'limit',
  in: 'query',
  schema: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
}
const source = {
  name: 'source',
  in: 'query',
  description:
    'Table to read: auto (default) picks raw flows or the coarsest rollup that covers the window, as for /api/top; flows_1m/_1h/_1d hold no remote address (by=host, remote=) and name only the sender of an internal flow (with a device filter, or by device, it counts for its sender only); flows_hosts_1m/_1h/_1d answer what needs a remote address, without exporter or interface filters, and flows_pairs_1d before flows_hosts_1d when no protocol, service or app is asked for',
  schema: { type: 'string', enum: ['auto', ...SOURCES], default: 'auto' },
}
const num = { type: 'number' }
/** A JSON answer: an object of these properties. */
const json = (description: string, properties: Record<string, object>): object => ({
  description,
  content: { 'application/json': { schema: { type: 'object', properties } } },
})
const windowed = {
  from: { type: 'integer' },
  to: { type: 'integer' },
  source: { type: 'string', description: 'The table that answered' },
  filters: { type: 'object' },
}
const rows = (properties: Record<string, object>): object =>
  json('Rows by bytes, largest first; in_bytes went to the local devices', {
    ...windowed,
    rows: { type: 'array', items: { type: 'object', properties } },
  })
const sums = { in_bytes: num, out_bytes: num, bytes: num, flows: num }
const usage = {
  first_seen: { type: ['integer', 'null'] },
  last_seen: { type: ['integer', 'null'] },
  usage: {
    type: 'array',
    description: 'Bytes in and out over the last 24h, 7d and 30d',
    items: {
      type: 'object',
      properties: { period: { type: 'string' }, in_bytes: num, out_bytes: num },
    },
  },
}
const error = { description: 'Bad parameter', content: { 'application/json': {} } }

export const SIDES_PATHS = {
  '/api/devices': {
    get: {
      summary:
        'Local devices by bytes (the destination of inbound flows, the source of outbound ones, both of internal ones), names from the flows',
      parameters: [...window, limit, source, ...FILTER_PARAMETERS],
      responses: {
        '200': rows({
          device: { type: 'string' },
          name: { type: 'string', description: 'Host name from the flows, or empty' },
          ...sums,
          first_seen: num,
          last_seen: num,
        }),
        '400': error,
      },
    },
  },
  '/api/devices/{addr}': {
    get: {
      summary:
        "One device's first and last seen and its bytes in and out over 24 h, 7 d and 30 d, from the rollups",
      parameters: [{ name: 'addr', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': json('The device', { device: { type: 'string' }, ...usage }),
        '400': error,
      },
    },
  },
  '/api/usage': {
    get: {
      summary:
        'What the filters select (a remote host, AS, country, service, exporter, interface...): bytes in and out of the window, first and last seen, bytes over the last 24 h, 7 d and 30 d; from the rollups unless they lack the dimension (a remote address: raw flows, as far back as they are kept)',
      parameters: [...window, source, ...FILTER_PARAMETERS],
      responses: {
        '200': json('Totals and usage', {
          ...windowed,
          ...sums,
          ...usage,
          sources: { type: 'array', items: { type: 'string' }, description: 'The usage tables' },
        }),
        '400': error,
      },
    },
  },
  '/api/interfaces': {
    get: {
      summary:
        "Exporters' interfaces by bytes, in being what the local devices received through the interface and out what they sent (a flow counts for the interface it came in by and the one it left by), names from flowloft.interfaces",
      parameters: [...window, limit, source, ...FILTER_PARAMETERS],
      responses: {
        '200': rows({
          exporter: { type: 'string' },
          if_index: { type: 'integer' },
          name: { type: 'string' },
          ...sums,
        }),
        '400': error,
      },
    },
  },
  '/api/remote': {
    get: {
      summary:
        'The remote side by bytes: hosts, ASes, countries, services (tcp/443 https, udp/443 quic), protocols or apps (key: the app, empty for none; label: its category); internal flows count only with a device filter',
      parameters: [
        { name: 'by', in: 'query', schema: { type: 'string', enum: REMOTE_BYS, default: 'host' } },
        ...window,
        limit,
        source,
        ...FILTER_PARAMETERS,
      ],
      responses: {
        '200': rows({
          key: { type: 'string' },
          label: { type: 'string' },
          ...sums,
          internal: {
            type: 'boolean',
            description:
              'Its flows were stored as internal: with a device filter, the other side is on the LAN (a host row is another device)',
          },
        }),
        '400': error,
      },
    },
  },
}
