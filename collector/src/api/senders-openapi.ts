// The OpenAPI description of /api/senders (merged into openapi.ts).
import { PERIODS } from '../senders/index.js'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from './auth.js'

const error = (description: string): object => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { error: { type: 'string' }, field: { type: 'string' } },
        required: ['error'],
      },
    },
  },
})
const sender = {
  type: 'object',
  properties: {
    address: { type: 'string', description: 'IPv4 or IPv6 address, canonical' },
    name: { type: 'string', maxLength: 128 },
    prefixes: {
      type: 'array',
      items: { type: 'string', description: 'CIDR' },
      description: "Monitored prefixes; they also give the direction of this sender's flows",
    },
    enabled: { type: 'boolean' },
    created: { type: 'string', format: 'date-time' },
    updated: { type: 'string', format: 'date-time' },
  },
}
const input = {
  type: 'object',
  additionalProperties: false,
  properties: {
    address: { type: 'string' },
    name: { type: 'string', maxLength: 128 },
    prefixes: { type: 'array', items: { type: 'string' }, maxItems: 256 },
    enabled: { type: 'boolean', default: true },
  },
}
const ok = (description: string, schema: object = sender): object => ({
  description,
  content: { 'application/json': { schema } },
})
const addr = [{ name: 'addr', in: 'path', required: true, schema: { type: 'string' } }]
const body = { required: true, content: { 'application/json': { schema: input } } }
const security = [{ hmac: [], bearer: [] }]
/** The answers every changing request may get besides its own. */
const refusals = {
  '400': error('A field is not valid (`field` names it)'),
  '401': error(
    `Missing or bad credentials: sign with ${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER}, or send the bearer token`,
  ),
  '403': error('No credentials are configured (api.hmac_key, api.bearer_token): changes are off'),
  '413': error('Body larger than http.max_body_bytes'),
}
const counts = {
  type: 'object',
  properties: Object.fromEntries(
    ['bytes', 'packets', 'flows'].map((k) => [k, { type: 'array', items: { type: 'number' } }]),
  ),
}

export const SENDER_SECURITY_SCHEMES = {
  hmac: {
    type: 'apiKey',
    in: 'header',
    name: SIGNATURE_HEADER,
    description: `hex HMAC-SHA256(api.hmac_key, METHOD\\npath?query\\ntimestamp\\nbody), with the unix time in ${TIMESTAMP_HEADER}; each signature is accepted once, within api.hmac_window_seconds`,
  },
  bearer: { type: 'http', scheme: 'bearer', description: 'api.bearer_token' },
}

export const SENDER_PATHS = {
  '/api/senders': {
    get: {
      summary: 'Registered senders, and whether only they are accepted (senders.authorized_only)',
      responses: {
        '200': ok('Senders', {
          type: 'object',
          properties: {
            authorized_only: { type: 'boolean' },
            senders: { type: 'array', items: sender },
          },
        }),
      },
    },
    post: {
      summary: 'Register a sender (authenticated)',
      security,
      requestBody: body,
      responses: { '201': ok('Registered'), ...refusals, '409': error('Already registered') },
    },
  },
  '/api/senders/{addr}': {
    get: {
      summary: 'One sender',
      parameters: addr,
      responses: {
        '200': ok('The sender'),
        '400': error('Not an address'),
        '404': error('Unknown'),
      },
    },
    put: {
      summary: "Replace a sender's name, prefixes and enabled flag (authenticated)",
      security,
      parameters: addr,
      requestBody: body,
      responses: { '200': ok('Replaced'), ...refusals, '404': error('Unknown') },
    },
    patch: {
      summary: "Change some of a sender's fields (authenticated)",
      security,
      parameters: addr,
      requestBody: body,
      responses: { '200': ok('Changed'), ...refusals, '404': error('Unknown') },
    },
    delete: {
      summary: 'Remove a sender (authenticated)',
      security,
      parameters: addr,
      responses: { '200': ok('The removed sender'), ...refusals, '404': error('Unknown') },
    },
  },
  '/api/senders/{addr}/stats': {
    get: {
      summary:
        "Bytes, packets and flows in (inbound) and out (outbound) per UTC bucket, for all of a sender's traffic and per prefix",
      parameters: [
        ...addr,
        { name: 'period', in: 'query', schema: { type: 'string', enum: PERIODS, default: 'hour' } },
        {
          name: 'from',
          in: 'query',
          description:
            'Start (rounded down to its bucket): unix seconds, ISO 8601 (UTC unless it gives an offset), now, -1h',
          schema: { type: 'string' },
        },
        { name: 'to', in: 'query', description: 'End (exclusive)', schema: { type: 'string' } },
        {
          name: 'prefix',
          in: 'query',
          description: "Only this one of the sender's prefixes",
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': ok("Series aligned on t (series[0] has prefix null: all of the sender's traffic)", {
          type: 'object',
          properties: {
            address: { type: 'string' },
            period: { type: 'string' },
            from: { type: 'integer' },
            to: { type: 'integer' },
            t: { type: 'array', items: { type: 'integer' } },
            series: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  prefix: { type: ['string', 'null'] },
                  in: counts,
                  out: counts,
                  total: { type: 'object' },
                },
              },
            },
          },
        }),
        '400': error('Bad parameter'),
        '404': error('Unknown sender'),
      },
    },
  },
}
