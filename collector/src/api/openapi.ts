// GET /api/openapi.json: an OpenAPI 3.1 description of every HTTP endpoint. A test checks
// that each route the app registers is listed here.
import { DIRECTIONS } from './params.js'
import { SOURCES } from './source.js'
import { TOP_BY } from './top.js'
import { ALERT_PATHS } from './alerts-openapi.js'
import { SENDER_PATHS, SENDER_SECURITY_SCHEMES } from './senders-openapi.js'
import { FILTER_PARAMETERS, SIDES_PATHS } from './sides-openapi.js'
import { USAGE_CYCLE_PATHS } from './usage-cycle-openapi.js'

const window = [
  {
    name: 'from',
    in: 'query',
    description:
      'Start: unix seconds, ISO 8601 (UTC unless it gives an offset), "now" or an offset like -1h (default: to - 1h)',
    schema: { type: 'string' },
  },
  {
    name: 'to',
    in: 'query',
    description: 'End (exclusive), same forms as from (default: now)',
    schema: { type: 'string' },
  },
]
const source = {
  name: 'source',
  in: 'query',
  description:
    'Table to read: auto (default) picks the coarsest that covers the window: raw flows, the per-minute rollup when the window is on whole minutes or longer than 6 h, the per-hour rollup when on whole hours or 7 days or longer, the per-day rollup when on whole days or 30 days or longer; flows_1m/_1h/_1d for what needs no remote address, flows_hosts_1m/_1h/_1d (both addresses, no exporter or interface) for src_addr and dst_addr, and flows_pairs_1d (flows_hosts_1d without protocol, service port and app) before flows_hosts_1d; rollups widen the window to their grain',
  schema: { type: 'string', enum: ['auto', ...SOURCES], default: 'auto' },
}
const sourceField = { type: 'string', enum: SOURCES, description: 'The table that answered' }
const field = (type: string) => (k: string) => [k, { type }] as const
/** One conversation of /api/summaries (summaries/conversations.ts). */
const CONVERSATION = {
  ...Object.fromEntries([
    ...['proto_name', 'client', 'client_host', 'server', 'server_host'].map(field('string')),
    ...[
      'proto',
      'client_port',
      'server_port',
      'request_bytes',
      'request_packets',
      'reply_bytes',
      'reply_packets',
      'flows',
    ].map(field('number')),
  ]),
  internal: {
    type: 'boolean',
    description:
      'Both sides are local (its flows were stored with direction internal); false in summaries read back from lines written before the field',
  },
}
const error = {
  description: 'Bad request or query error',
  content: {
    'application/json': {
      schema: { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] },
    },
  },
}
const json = (description: string, schema: object = { type: 'object' }): object => ({
  description,
  content: { 'application/json': { schema } },
})
const text = (description: string, type = 'text/plain'): object => ({
  description,
  content: { [type]: { schema: { type: 'string' } } },
})
const numbers = { type: 'array', items: { type: 'number' } }
const bySeries = {
  type: 'object',
  properties: Object.fromEntries(['total', ...DIRECTIONS].map((d) => [d, numbers])),
}

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'flowloft collector',
    version: '0.1.0',
    description: 'Flow analytics over NetFlow/IPFIX/sFlow stored in ClickHouse',
  },
  components: { securitySchemes: SENDER_SECURITY_SCHEMES },
  paths: {
    ...SENDER_PATHS,
    ...ALERT_PATHS,
    ...SIDES_PATHS,
    ...USAGE_CYCLE_PATHS,
    '/': { get: { summary: 'Web UI', responses: { '200': text('The UI page', 'text/html') } } },
    '/assets/{name}': {
      get: {
        summary: 'Web UI assets (cached for a year when requested with ?v=<hash>)',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': text('The asset'), '404': error },
      },
    },
    '/healthz': { get: { summary: 'Liveness', responses: { '200': text('ok') } } },
    '/readyz': {
      get: {
        summary:
          'Readiness: ClickHouse answers a ping, every listener is bound and the writers make progress',
        responses: {
          '200': json('Ready', {
            type: 'object',
            properties: {
              ready: { type: 'boolean' },
              clickhouse: { type: 'boolean' },
              schema: {
                type: 'string',
                description: '`ok`, or `not applied` while the server has not answered since start',
              },
              listeners: { type: 'boolean' },
              writer: {
                type: 'string',
                description:
                  '`ok`, or `stalled: ...` when rows have waited with no insert succeeding for longer than 3 x writer.batch_ms, 2 x writer.quiet_batch_ms or 60 s, whichever is largest',
              },
            },
          }),
          '503': json('Not ready, with `reason`: the first of the checks above that fails'),
        },
      },
    },
    '/metrics': {
      get: { summary: 'Prometheus metrics', responses: { '200': text('Text exposition format') } },
    },
    '/api/openapi.json': {
      get: { summary: 'This description', responses: { '200': json('OpenAPI 3.1 document') } },
    },
    '/api/status': {
      get: {
        summary:
          'Datagrams and flows per second, drops by reason, queue depths, insert latency; alerts: {enabled, learning_days}',
        responses: { '200': json('Status') },
      },
    },
    '/api/top': {
      get: {
        summary: 'Top keys by bytes in a window',
        parameters: [
          {
            name: 'by',
            in: 'query',
            schema: { type: 'string', enum: TOP_BY, default: 'src_addr' },
          },
          ...window,
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
          },
          { name: 'direction', in: 'query', schema: { type: 'string', enum: DIRECTIONS } },
          source,
        ],
        responses: {
          '200': json('Rows by bytes, largest first', {
            type: 'object',
            properties: {
              by: { type: 'string' },
              from: { type: 'integer' },
              to: { type: 'integer' },
              source: sourceField,
              rows: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    key: { type: 'string' },
                    label: { type: 'string' },
                    bytes: { type: 'number' },
                    packets: { type: 'number' },
                    flows: { type: 'number' },
                  },
                },
              },
            },
          }),
          '400': error,
        },
      },
    },
    '/api/timeseries': {
      get: {
        summary:
          'Bytes and packets per step, total and by direction (empty steps are 0); with filters, from raw flows, inbound and outbound being what the local devices received and sent',
        parameters: [
          ...window,
          {
            name: 'step',
            in: 'query',
            description: 'Seconds per point (default: about 120 points); at most 2000 points',
            schema: { type: 'integer', minimum: 1 },
          },
          source,
          ...FILTER_PARAMETERS,
        ],
        responses: {
          '200': json('Series aligned on t', {
            type: 'object',
            properties: {
              from: { type: 'integer' },
              to: { type: 'integer' },
              source: sourceField,
              step: { type: 'integer' },
              t: numbers,
              bytes: bySeries,
              packets: bySeries,
            },
          }),
          '400': error,
        },
      },
    },
    '/api/summaries': {
      get: {
        summary:
          'Latest top conversations per exporter for one summary window (requests and replies paired)',
        parameters: [
          {
            name: 'window',
            in: 'query',
            description:
              'Window in minutes, one of summaries.windows_minutes (default: the shortest)',
            schema: { type: 'integer' },
          },
          {
            name: 'exporter',
            in: 'query',
            description: 'Only this exporter (IP address)',
            schema: { type: 'string' },
          },
          {
            name: 'limit',
            in: 'query',
            description: 'Conversations per exporter (default: summaries.top)',
            schema: { type: 'integer', minimum: 1, maximum: 10000 },
          },
        ],
        responses: {
          '200': json('The latest run of the window (from/to null before the first)', {
            type: 'object',
            properties: {
              window_minutes: { type: 'integer' },
              from: { type: ['integer', 'null'] },
              to: { type: ['integer', 'null'] },
              exporters: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    exporter: { type: 'string' },
                    exporter_name: { type: 'string' },
                    conversations: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: CONVERSATION,
                      },
                    },
                  },
                },
              },
            },
          }),
          '400': error,
          '404': error,
        },
      },
    },
    '/api/exporters': {
      get: {
        summary:
          "Exporters: flow types, flows, bytes, sampling rates and last seen in a window; local_prefixes (their own, deciding direction) and learned_prefixes (enrich.learn_prefixes: prefix, evidence, learned_at, last_seen). From raw flows, or the coarsest rollup that covers the window (`source` says which, `?source=` forces one): then the name, flow type and sampling rate are each exporter's latest",
        parameters: [...window, source],
        responses: { '200': json('Exporters'), '400': error },
      },
    },
    '/api/exporters/{addr}/templates': {
      get: {
        summary: 'NetFlow v9/IPFIX templates and sampling rates learned from one exporter',
        parameters: [{ name: 'addr', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': json('Templates'), '400': error },
      },
    },
    '/api/query': {
      post: {
        summary: 'Run read-only SQL (time and row limits apply)',
        parameters: [
          {
            name: 'format',
            in: 'query',
            schema: { type: 'string', enum: ['json', 'csv', 'tsv'], default: 'json' },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'text/plain': { schema: { type: 'string' } },
            'application/json': {
              schema: {
                type: 'object',
                properties: { sql: { type: 'string' } },
                required: ['sql'],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'Rows',
            content: {
              'application/json': { schema: { type: 'object' } },
              'text/csv': { schema: { type: 'string' } },
              'text/tab-separated-values': { schema: { type: 'string' } },
            },
          },
          '400': error,
          '403': error,
          '408': error,
          '413': error,
          '503': error,
        },
      },
    },
    '/api/session': {
      get: {
        summary: 'Whether a login is needed and whether this client has one',
        responses: {
          '200': {
            description: 'Login state',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { auth: { type: 'boolean' }, loggedIn: { type: 'boolean' } },
                },
              },
            },
          },
        },
      },
    },
    '/api/login': {
      post: {
        summary: 'Log the console in with the API token (sets an HttpOnly session cookie)',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { token: { type: 'string' } },
                required: ['token'],
              },
            },
          },
        },
        responses: {
          '200': { description: 'Logged in (or no login needed)' },
          '401': error,
          '429': error,
        },
      },
    },
    '/api/logout': {
      post: {
        summary: 'Clear the console session cookie',
        responses: { '200': { description: 'Logged out' } },
      },
    },
  },
} as const
