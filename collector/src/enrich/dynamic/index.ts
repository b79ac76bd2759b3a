// Dynamic enrichment: what other components learn at run time (host names from reverse
// DNS and the Pi-hole log, interface names from SNMP, local prefixes per exporter)
// reaches every decode worker through a shared journal, and each worker forgets only
// the cache entries a change touches.
export {
  createDynamicPublisher,
  type DynamicEnrichment,
  type DynamicPublisher,
} from './publisher.js'
export type { InterfaceInfo } from './state.js'
export { DynamicView, type DynamicChanges, type PrefixSet } from './worker-view.js'
