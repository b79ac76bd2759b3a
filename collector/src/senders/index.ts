// Authorized senders: the registry (data_dir/senders.json), the listeners' source check
// in authorized-only mode, and each sender's prefixes handed to enrichment so they
// decide the direction of that sender's flows. Inert until start().
import { join } from 'node:path'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import type { SendersConfig } from './config.js'
import { canonicalSender } from './address.js'
import { createSenderFilter, type SourceCheck } from './filter.js'
import { senderMetrics } from './metrics.js'
import { SenderRegistry } from './registry.js'

export { canonicalPrefix, canonicalSender, prefixBounds } from './address.js'
export { parseSenderSeed, type SendersConfig } from './config.js'
export {
  parseSenderFields,
  quote,
  SenderFieldError,
  type Sender,
  type SenderFields,
} from './fields.js'
export { PERIOD, PERIODS, type Period } from './periods.js'
export { MAX_SENDERS, SenderError, SenderRegistry } from './registry.js'
export type { SourceCheck } from './filter.js'

/** The part of dynamic enrichment senders use (enrich/ DynamicEnrichment). */
export interface ExporterPrefixSink {
  setExporterPrefixes(exporter: string, prefixes: readonly string[]): void
}

export interface Senders {
  readonly registry: SenderRegistry
  readonly authorizedOnly: boolean
  /** The listeners' source check; undefined when every source is accepted. */
  readonly accept: SourceCheck | undefined
  /** Add the seeded senders that are missing, publish prefixes, begin checking sources. */
  start(): void
  stop(): void
}

export function createSenders(
  config: SendersConfig,
  deps: {
    dataDir: string | null
    log: Logger
    metrics: Registry
    dynamic?: ExporterPrefixSink
    /** enrich.exporter_prefixes: kept for an exporter beside its sender's prefixes. */
    configPrefixes?: Readonly<Record<string, readonly string[]>>
  },
): Senders {
  const log = deps.log.child({ component: 'senders' })
  // A registry file that is not valid stops start-up here, naming the file.
  const registry = new SenderRegistry(
    deps.dataDir === null ? null : join(deps.dataDir, 'senders.json'),
  )
  const m = senderMetrics(deps.metrics, () => registry.size, config.authorizedOnly)
  const filter = createSenderFilter(m, log)
  const fromConfig = new Map<string, readonly string[]>()
  for (const [addr, prefixes] of Object.entries(deps.configPrefixes ?? {})) {
    const key = canonicalSender(addr)
    if (key !== null) fromConfig.set(key, prefixes)
  }
  const publish = (address: string, prefixes: readonly string[]): void => {
    // A sender's prefixes add to the configured ones; removing it leaves those.
    const both = [...new Set([...(fromConfig.get(address) ?? []), ...prefixes])]
    try {
      deps.dynamic?.setExporterPrefixes(address, both)
    } catch (err) {
      log.error("could not hand a sender's prefixes to enrichment", {
        address,
        error: (err as Error).message,
      })
    }
  }
  let started = false
  return {
    registry,
    authorizedOnly: config.authorizedOnly,
    accept: config.authorizedOnly ? filter.accept : undefined,
    start() {
      if (started) return
      started = true
      for (const s of config.seed) {
        if (registry.get(s.address)) continue
        registry.add(s)
        log.info('sender seeded from the configuration', { address: s.address })
      }
      filter.reload(registry.list())
      for (const s of registry.list()) if (s.enabled) publish(s.address, s.prefixes)
      registry.onChange((address, s) => {
        filter.reload(registry.list())
        publish(address, s?.enabled ? s.prefixes : [])
      })
      if (config.authorizedOnly && registry.list().every((s) => !s.enabled))
        log.warn(
          'senders.authorized_only is on and no sender is registered: every datagram is dropped',
        )
    },
    stop() {
      started = false
    },
  }
}
