// The `senders` configuration section: authorized-only mode and senders seeded from the
// file (`senders.seed`, a mapping of address: {name, prefixes, enabled}). Seeded senders
// are added when their address is not in the registry yet; after that the registry
// (changed through the API) is what counts.
import { bool, ConfigError, isMapping, section, setting } from '../config/index.js'
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
  if (!isMapping(value))
    throw new ConfigError(`${path} must be a mapping of address: {name, prefixes, enabled}${src}`)
  return Object.entries(value).map(([addr, fields]) => {
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

const authorizedOnly = bool({
  path: 'senders.authorized_only',
  default: false,
  help: 'accept datagrams only from registered, enabled senders (others are counted and dropped)',
})
const seed = setting({
  path: 'senders.seed',
  default: {},
  text: 'mapping',
  parse: (value, at) => parseSenderSeed(value, at.path, at.src),
  show: (_seed, written) => written ?? {},
  help: 'senders added to the registry (data_dir/senders.json) when absent: {address: {name, prefixes, enabled}}',
})

export const SENDERS = section([authorizedOnly, seed], (v): SendersConfig => ({
  authorizedOnly: v.get(authorizedOnly),
  seed: v.get(seed),
}))
