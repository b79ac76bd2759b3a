// Host names learned at run time, main-thread side: reverse DNS of the addresses the
// workers report without a name (enrich.dns.*) and the names clients asked for, from a
// Pi-hole / dnsmasq query log (enrich.pihole.log), and device names from DHCP leases
// (enrich.dhcp.leases). All are published through the dynamic enrichment channel; DHCP
// names beat asked names, which beat PTR answers.
import type { EnrichConfig } from './config.js'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { LocalPrefixes } from '../addresses/local-prefixes.js'
import { createReverseDns } from './dns/reverse-dns.js'
import type { DynamicPublisher } from './dynamic/index.js'
import { HostNames } from './host-names.js'
import { createPiholeLog } from './pihole/index.js'
import { createDhcpLeases } from './dhcp/index.js'

/** Addresses a worker reports per batch when reverse DNS is on. */
export const REPORT_PER_BATCH = 1024

export interface LearnedNames {
  /** Addresses the workers saw without a host name (with how many they dropped). */
  unnamed(addrs: readonly string[], dropped: number): void
  /** What the workers are told to report per batch (0: nothing). */
  readonly reportPerBatch: number
  start(): void
  stop(): void
}

export function createLearnedNames(
  config: EnrichConfig,
  deps: { log: Logger; metrics: Registry; dynamic: DynamicPublisher },
): LearnedNames {
  const names = new HostNames(deps.dynamic, config.dns.maxEntries)
  const global = new LocalPrefixes(config.localPrefixes)
  const dns = config.dns.enabled
    ? createReverseDns(config.dns, {
        log: deps.log,
        metrics: deps.metrics,
        isLocal: (a) => global.contains(a) || deps.dynamic.inExporterPrefixes(a),
        onName: (addr, name) => names.set('ptr', addr, name),
      })
    : null
  const pihole =
    config.pihole.log === ''
      ? null
      : createPiholeLog(config.pihole.log, {
          log: deps.log,
          metrics: deps.metrics,
          onName: (addr, name) => names.set('asked', addr, name),
        })
  const dhcp =
    config.dhcp.leases.length === 0
      ? null
      : createDhcpLeases(config.dhcp, {
          log: deps.log,
          metrics: deps.metrics,
          onName: (addr, name) => names.set('dhcp', addr, name),
        })
  return {
    reportPerBatch: dns ? REPORT_PER_BATCH : 0,
    unnamed: (addrs, dropped) => dns?.request(addrs, dropped),
    start() {
      dns?.start()
      pihole?.start()
      dhcp?.start()
    },
    stop() {
      dns?.stop()
      void pihole?.stop()
      dhcp?.stop()
    },
  }
}
