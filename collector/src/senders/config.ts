// The `senders` configuration section: authorized-only mode and senders seeded from the
// file (`senders.seed`, a mapping of address: {name, prefixes, enabled}). Seeded senders
// are added when their address is not in the registry yet; after that the registry
// (changed through the API) is what counts.
import { ConfigError } from '../config/errors.js'
import { parseSenderFields, SenderFieldError, type SenderFields } from './fields.js'

export interface SendersConfig {
  authorizedOnly: boolean
  seed: (SenderFields & { address: string })[]
}

/** Checks `senders.seed`; messages name the entry and field. */
export function parseSenderSeed(
  value: unknown,
  path = 'senders.seed',
  src = '',
): (SenderFields & { address: string })[] {
  if (value === undefined || value === null) return []
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError(`${path} must be a mapping of address: {name, prefixes, enabled}${src}`)
  return Object.entries(value as Record<string, unknown>).map(([addr, fields]) => {
    const at = `${path}.${addr}`
    const body = fields ?? {}
    if (typeof body !== 'object' || Array.isArray(body) || 'address' in body)
      throw new ConfigError(`${at} must be a mapping of name, prefixes, enabled${src}`)
    try {
      const f = parseSenderFields({ ...body, address: addr }, `${at}.`)
      return { ...f, address: f.address ?? addr }
    } catch (err) {
      if (err instanceof SenderFieldError)
        throw new ConfigError(`${err.message.replace(`${at}.address`, at)}${src}`, { cause: err })
      throw err
    }
  })
}
