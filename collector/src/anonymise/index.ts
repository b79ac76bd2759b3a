// Anonymised storage (anonymise.*): what the decode workers need to store addresses in
// their Crypto-PAn form. The workers' enrichment answers each address once (enrich/
// enricher.ts) and WASM writes the answer over the record's address after enrichment
// used the clear one (decoder-wasm/assembly/enrich/cache.ts). docs/anonymisation.md.
import type { Logger } from '../observability/log.js'
import type { AnonymiseConfig } from './config.js'
import { loadAnonymiseKey } from './key.js'
import type { ClearStorage } from './clear.js'
import { ConfigError } from '../config/index.js'

export { ANONYMISE, ANONYMISE_MODES, type AnonymiseConfig, type AnonymiseMode } from './config.js'
export { CryptoPan, KEY_BYTES } from './crypto-pan.js'
export { anonymiseKeyFile, loadAnonymiseKey, type AnonymiseKey } from './key.js'
export { clearKeyLoaded, loadClearKey, prepareClearStorage, type ClearStorage } from './clear.js'

/** Handed to each decode worker with the enrichment's data (plain data, cloned). */
export interface AnonymiseWorkerData {
  /** The key, 64 hex digits. */
  key: string
  /** Anonymise local addresses (enrich.local_prefixes, an exporter's own prefixes). */
  local: boolean
  /** Anonymise the other addresses. */
  remote: boolean
}

/** The workers' data, or null when anonymise.addresses is none; a bad key throws (ConfigError). */
export function anonymiseWorkerData(
  cfg: AnonymiseConfig,
  dataDir: string,
  log: Logger,
): AnonymiseWorkerData | null {
  if (cfg.addresses === 'none') return null
  const key = loadAnonymiseKey(cfg, dataDir)
  log.info('anonymise: flow addresses are stored anonymised', {
    addresses: cfg.addresses,
    key: key.source,
    ...(key.created ? { created: true } : {}),
  })
  return {
    key: key.hex,
    local: cfg.addresses === 'local' || cfg.addresses === 'both',
    remote: cfg.addresses === 'remote' || cfg.addresses === 'both',
  }
}

/**
 * anonymise.clear_days as the collector applies it, or null when flows are stored in
 * one form only (clear_days 0, or nothing anonymised: then it is ignored, with a log line).
 * The view it needs is made on the one server the collector writes to: on a cluster it is
 * refused.
 */
export function clearStorage(
  cfg: AnonymiseConfig,
  data: AnonymiseWorkerData | null,
  cluster: string,
  log: Logger,
): ClearStorage | null {
  if (cfg.clearDays === 0) return null
  if (cfg.addresses === 'none' || !data) {
    log.info('anonymise: anonymise.clear_days is ignored while anonymise.addresses is none')
    return null
  }
  if (cluster !== '')
    throw new ConfigError(
      'anonymise.clear_days is not supported with clickhouse.cluster: set it to 0 on a cluster',
    )
  return { mode: cfg.addresses, key: data.key, days: cfg.clearDays }
}
