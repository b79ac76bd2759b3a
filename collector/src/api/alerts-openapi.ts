// The OpenAPI description of /api/alerts (merged into openapi.ts).
import { ALERT_KINDS } from '../alerts/index.js'

const str = { type: 'string' }
const int = { type: 'integer' }
const ALERT = {
  type: 'object',
  properties: {
    id: str,
    raised_at: { ...int, description: 'Unix seconds' },
    kind: { type: 'string', enum: ALERT_KINDS },
    event_key: { ...str, description: 'The condition: a lasting one raises one alert' },
    subject: { ...str, description: 'The device or exporter, an address' },
    subject_name: { ...str, description: 'Its name from the flows, or empty' },
    title: str,
    message: str,
    details: { type: 'object', description: 'What the rule found (docs/alerts.md)' },
    resolved_at: { ...int, description: 'Unix seconds the condition ended; 0 while it lasts' },
    delivery: {
      type: 'string',
      enum: ['pending', 'sent', 'failed', 'rate_limited', 'dropped', 'none'],
      description: 'The webhook outcome (none: no webhook configured)',
    },
  },
}
const error = (description: string): object => ({
  description,
  content: {
    'application/json': {
      schema: { type: 'object', properties: { error: str }, required: ['error'] },
    },
  },
})
const query = (name: string, description: string, schema: object = str): object => ({
  name,
  in: 'query',
  description,
  schema,
})

export const ALERT_PATHS = {
  '/api/alerts': {
    get: {
      summary: 'Alerts raised: new destinations, device volume, silent exporters (newest first)',
      parameters: [
        query('kind', 'Only this kind', { type: 'string', enum: ALERT_KINDS }),
        query('subject', 'Only alerts about this device or exporter (an IP address)'),
        query(
          'from',
          'Raised at or after: unix seconds, ISO 8601 (UTC unless it gives an offset), "now" or an offset like -1d',
        ),
        query('to', 'Raised before, same forms as from'),
        query('open', 'true: only conditions that still last', { type: 'boolean' }),
        query('limit', 'At most this many (default 100)', { ...int, minimum: 1, maximum: 10000 }),
      ],
      responses: {
        '200': {
          description: 'The alerts',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { alerts: { type: 'array', items: ALERT } },
              },
            },
          },
        },
        '400': error('A bad parameter'),
        '404': error('Alerts are turned off (alerts.enabled)'),
      },
    },
  },
}
