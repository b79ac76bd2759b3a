// The enrich.* settings: GeoIP databases, your own networks, static names of addresses
// and interfaces, per-exporter prefixes, prefix learning and the Pi-hole log here; reverse
// DNS, DHCP leases and SNMP in their own folders (dns/, dhcp/, snmp/config.ts). One
// section, ENRICH, holds them all in the order `flowloft help settings` lists them.
import { bool, int, section, setting, text } from '../config/index.js'
import { parseCidrList, parseHostMap, parseInterfaceMap } from './address-maps.js'
import { DHCP, type DhcpConfig } from './dhcp/config.js'
import { DNS, type DnsConfig } from './dns/config.js'
import { parseExporterPrefixes } from './exporter-prefixes.js'
import { SNMP, type SnmpConfig } from './snmp/config.js'

/**
 * The networks on the inside of a home or small office: RFC 1918, the CGNAT range an ISP
 * may give the router (RFC 6598), link-local, and IPv6 unique-local (fd00::/8, the half of
 * fc00::/7 in use) and link-local. Flows between them and the internet get a direction
 * with no configuration.
 */
export const HOME_PREFIXES = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '169.254.0.0/16',
  'fd00::/8',
  'fe80::/10',
] as const

const countryDb = text({
  path: 'enrich.geoip.country_db',
  default: '',
  help: 'MaxMind-format country database (GeoLite2-Country, DB-IP); empty uses the bundled DB-IP Lite country data, "off" disables',
})
const asnDb = text({
  path: 'enrich.geoip.asn_db',
  default: '',
  help: 'MaxMind-format ASN database (GeoLite2-ASN); empty uses the bundled ip-location-db ASN ranges, "off" disables',
})
const required = bool({
  path: 'enrich.geoip.required',
  default: false,
  help: 'refuse to start when a configured GeoIP file is missing or unreadable',
})
const reloadSeconds = int({
  path: 'enrich.geoip.reload_seconds',
  default: 30,
  min: 1,
  max: 86400,
  help: 'how often GeoIP files are checked for changes (modification time) and reloaded',
})
const localPrefixes = setting({
  path: 'enrich.local_prefixes',
  default: [...HOME_PREFIXES],
  text: 'list',
  parse: (value, at) => parseCidrList(value, at.path, at.src),
  help: 'your own networks (IPv4 and IPv6 CIDRs): flows get direction inbound, outbound, internal or transit; the default is the private ranges homes use (RFC 1918, CGNAT, link-local, ULA); list your public prefixes too, or [] for no direction',
})
const hostAliases = setting({
  path: 'enrich.host_aliases',
  default: {},
  text: 'mapping',
  parse: (value, at) => parseHostMap(value, at.path, at.src),
  help: 'static names of addresses (IP: name), written to src_host/dst_host',
})
const interfaces = setting({
  path: 'enrich.interfaces',
  default: {},
  text: 'mapping',
  parse: (value, at) => parseInterfaceMap(value, at.path, at.src),
  help: 'interface names per exporter (exporter IP: {ifIndex: name}), written to in_if_name/out_if_name',
})
const exporterPrefixes = setting({
  path: 'enrich.exporter_prefixes',
  default: {},
  text: 'mapping',
  parse: (value, at) => parseExporterPrefixes(value, at.path, at.src),
  help: "each exporter's own local prefixes (exporter IP: [CIDR, ...]); its flows' direction uses them plus enrich.local_prefixes",
})
const learnPrefixes = bool({
  path: 'enrich.learn_prefixes',
  default: true,
  help: "learn the public prefixes delegated to the home from the flows, every 5 minutes: public sources entering on an inside interface (IPv6 as their /64, IPv4 as the address), the NAT'd address of inside flows and the exporter's own public address; kept in data_dir/learned-prefixes.json; an exporter with prefixes of its own (enrich.exporter_prefixes, a sender's prefixes) is not learned for",
})
const piholeLog = text({
  path: 'enrich.pihole.log',
  default: '',
  help: 'Pi-hole / dnsmasq query log (log-queries=extra) to follow: addresses get the name clients asked for (beats PTR names); empty disables',
})

export interface EnrichConfig {
  geoip: { countryDb: string; asnDb: string; required: boolean; reloadSeconds: number }
  localPrefixes: string[]
  hostAliases: Record<string, string>
  interfaces: Record<string, Record<string, string>>
  /** Interface names read over SNMP (enrich/snmp/). */
  snmp: SnmpConfig
  /** Exporter IP (canonical) -> its own local prefixes. */
  exporterPrefixes: Record<string, string[]>
  /** Learn the home's public prefixes from the flows (learned-prefixes/). */
  learnPrefixes: boolean
  /** Reverse DNS of flow addresses (enrich/dns/). */
  dns: DnsConfig
  /** Pi-hole / dnsmasq query log to learn names from (enrich/pihole/); '' off. */
  pihole: { log: string }
  /** DHCP lease files to name devices from (enrich/dhcp/). */
  dhcp: DhcpConfig
}

export const ENRICH = section(
  [
    countryDb,
    asnDb,
    required,
    reloadSeconds,
    localPrefixes,
    hostAliases,
    interfaces,
    exporterPrefixes,
    learnPrefixes,
    ...DNS.settings,
    piholeLog,
    ...DHCP.settings,
    ...SNMP.settings,
  ],
  (v): EnrichConfig => ({
    geoip: {
      countryDb: v.get(countryDb),
      asnDb: v.get(asnDb),
      required: v.get(required),
      reloadSeconds: v.get(reloadSeconds),
    },
    localPrefixes: v.get(localPrefixes),
    hostAliases: v.get(hostAliases),
    interfaces: v.get(interfaces),
    snmp: SNMP.read(v),
    exporterPrefixes: v.get(exporterPrefixes),
    learnPrefixes: v.get(learnPrefixes),
    dns: DNS.read(v),
    pihole: { log: v.get(piholeLog) },
    dhcp: DHCP.read(v),
  }),
)
