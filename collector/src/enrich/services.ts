// Well-known service names of transport ports (IANA keywords, the ones seen in practice).
const TCP_UDP: Record<number, string> = {
  20: 'ftp-data',
  21: 'ftp',
  22: 'ssh',
  23: 'telnet',
  25: 'smtp',
  53: 'domain',
  67: 'bootps',
  68: 'bootpc',
  69: 'tftp',
  80: 'http',
  88: 'kerberos',
  110: 'pop3',
  123: 'ntp',
  135: 'epmap',
  137: 'netbios-ns',
  138: 'netbios-dgm',
  139: 'netbios-ssn',
  143: 'imap',
  161: 'snmp',
  162: 'snmptrap',
  179: 'bgp',
  389: 'ldap',
  443: 'https',
  445: 'microsoft-ds',
  465: 'submissions',
  500: 'isakmp',
  514: 'syslog',
  515: 'printer',
  520: 'rip',
  546: 'dhcpv6-client',
  547: 'dhcpv6-server',
  587: 'submission',
  631: 'ipp',
  636: 'ldaps',
  853: 'domain-s',
  873: 'rsync',
  993: 'imaps',
  995: 'pop3s',
  1194: 'openvpn',
  1812: 'radius',
  1883: 'mqtt',
  1900: 'ssdp',
  2049: 'nfs',
  2055: 'netflow',
  3306: 'mysql',
  3389: 'ms-wbt-server',
  3478: 'stun',
  4500: 'ipsec-nat-t',
  4739: 'ipfix',
  5060: 'sip',
  5353: 'mdns',
  5432: 'postgresql',
  5900: 'vnc',
  6343: 'sflow',
  6379: 'redis',
  8080: 'http-alt',
  8123: 'clickhouse-http',
  8443: 'https-alt',
  8883: 'secure-mqtt',
  9000: 'clickhouse',
  9100: 'jetdirect',
  51820: 'wireguard',
}

/** The ports with a well-known name, for SQL (the service of a flow, api/sides-sql.ts). */
export const WELL_KNOWN_PORTS: readonly number[] = Object.keys(TCP_UDP).map(Number)

/** Service name of a port for TCP (6), UDP (17) or SCTP (132); '' when not well known. */
export function serviceName(proto: number, port: number): string {
  if (proto !== 6 && proto !== 17 && proto !== 132) return ''
  return TCP_UDP[port] ?? ''
}

/** The service of a flow: the well-known name of its lower-numbered known port. */
export function flowService(proto: number, srcPort: number, dstPort: number): string {
  const d = serviceName(proto, dstPort)
  const s = serviceName(proto, srcPort)
  if (d && s) return dstPort <= srcPort ? d : s
  return d || s
}
