// NetFlow v5 datagrams exported "now" for tests that send flows to a running collector:
// the decoder's test builder with a current export time and flows that ended 1 s ago.
import { buildV5, type V5Record } from '@flowloft/decoder-wasm/testing'

export type TestFlow = Partial<V5Record> & Pick<V5Record, 'src' | 'dst'>

export function v5Now(flows: TestFlow[], count?: number): Uint8Array {
  const header = { sysUptime: 60_000, unixSecs: Math.floor(Date.now() / 1000) }
  return buildV5(
    count === undefined ? header : { ...header, count },
    flows.map((f) => ({
      packets: 1,
      bytes: 100,
      first: 50_000,
      last: 59_000,
      srcPort: 0,
      dstPort: 0,
      proto: 17,
      ...f,
    })),
  )
}
