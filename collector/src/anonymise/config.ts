// The anonymise.* settings: which addresses of stored flows are replaced by their
// Crypto-PAn form (none, local, remote or both) and the key (given, or a file in data_dir
// made on first use). Messages name the key.
import { choice, ConfigError, int, section, setting, text } from '../config/index.js'
import { KEY_BYTES } from './crypto-pan.js'

export const ANONYMISE_MODES = ['none', 'local', 'remote', 'both'] as const
export type AnonymiseMode = (typeof ANONYMISE_MODES)[number]

export interface AnonymiseConfig {
  addresses: AnonymiseMode
  /** The key as 64 hex digits, or '' to use the key file. */
  key: string
  /** The key file; '' is data_dir/anonymise.key. */
  keyFile: string
  /** Days flows are also kept in clear (flowloft.flows_clear); 0 = none. */
  clearDays: number
}

const HEX_KEY = new RegExp(`^[0-9a-fA-F]{${KEY_BYTES * 2}}$`)

/** Whether text is a key: 64 hex digits (32 bytes), surrounding white space ignored. */
export function isHexKey(s: string): boolean {
  return HEX_KEY.test(s.trim())
}

const addresses = choice({
  path: 'anonymise.addresses',
  default: 'none',
  choices: ANONYMISE_MODES,
  help: 'store flow addresses anonymised (Crypto-PAn, prefix-preserving): none, local (your own networks, enrich.local_prefixes), remote (the others) or both; country, AS and direction are taken from the clear address first; see docs/anonymisation.md',
})
const key = setting({
  path: 'anonymise.key',
  default: '',
  secret: true,
  help: 'the anonymisation key: 64 hex digits (32 bytes); empty reads anonymise.key_file, made on first use',
  parse(value, at) {
    if (typeof value !== 'string')
      throw new ConfigError(`${at.where} must be a string of 64 hex digits`)
    if (value !== '' && !isHexKey(value))
      throw new ConfigError(
        `${at.where} must be ${KEY_BYTES * 2} hex digits (${KEY_BYTES} bytes), got ${value.trim().length} characters`,
      )
    return value.trim()
  },
})
const keyFile = text({
  path: 'anonymise.key_file',
  default: '',
  help: 'file holding the anonymisation key (64 hex digits) when anonymise.key is empty; empty is data_dir/anonymise.key; made with mode 0600 when missing',
})

const clearDays = int({
  path: 'anonymise.clear_days',
  default: 0,
  min: 0,
  max: 3650,
  help: 'with anonymise.addresses on, also keep the flows of the last N days in clear (table flows_clear, with host names) while flows holds every flow anonymised; 0 = none; see docs/anonymisation.md',
})

export const ANONYMISE = section([addresses, key, keyFile, clearDays], (v): AnonymiseConfig => ({
  addresses: v.get(addresses),
  key: v.get(key),
  keyFile: v.get(keyFile),
  clearDays: v.get(clearDays),
}))
