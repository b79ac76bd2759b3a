// Flows for the alert rules' tests: one device talking to one remote (a country and an
// AS) through one exporter, inbound or outbound, `ago` seconds before now.
import type { FixtureFlow } from './fixture-flows.js'

export interface Talk {
  device: string
  name?: string
  remote?: string
  country?: string
  as?: number
  asName?: string
  bytes?: number
  ago: number
  direction?: 'inbound' | 'outbound'
  exporter?: string
}

export function talk(t: Talk): FixtureFlow {
  const out = (t.direction ?? 'outbound') === 'outbound'
  const local = { addr: t.device, host: t.name ?? '', country: '', as: 0, asName: '' }
  const far = {
    addr: t.remote ?? '203.0.113.1',
    host: '',
    country: t.country ?? '',
    as: t.as ?? 0,
    asName: t.asName ?? '',
  }
  const [src, dst] = out ? [local, far] : [far, local]
  return {
    exporter: t.exporter ?? '192.168.1.1',
    flow_type: 'netflow9',
    sampling_rate: 1,
    src_addr: src.addr,
    dst_addr: dst.addr,
    src_host: src.host,
    dst_host: dst.host,
    src_port: out ? 50000 : 443,
    dst_port: out ? 443 : 50000,
    proto: 6,
    proto_name: 'TCP',
    src_as: src.as,
    dst_as: dst.as,
    src_as_name: src.asName,
    dst_as_name: dst.asName,
    src_country: src.country,
    dst_country: dst.country,
    direction: t.direction ?? 'outbound',
    in_if: out ? 2 : 1,
    out_if: out ? 1 : 2,
    bytes: t.bytes ?? 1000,
    packets: 10,
    ago: t.ago,
  }
}
