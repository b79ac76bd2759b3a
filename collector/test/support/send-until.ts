// Flows sent to a running test collector in rounds until the stored rows show what a
// test waits for (names still being learned, say): each round has its own source port.
import { sendUdp } from './exporters.js'
import { v5Now, type TestFlow } from './netflow5.js'
import { eventually, type TestService } from './service.js'

export interface Row {
  src: string
  dst: string
  src_host: string
  dst_host: string
  direction: string
}

/** Rows of one round (flows of a round share their source port). */
export async function round(svc: TestService, port: number): Promise<Map<string, Row>> {
  const rows = await svc.query<Row>(
    `SELECT IPv6NumToString(src_addr) AS src, IPv6NumToString(dst_addr) AS dst, src_host,
      dst_host, toString(direction) AS direction FROM flows WHERE src_port = ${port}`,
  )
  const out = new Map<string, Row>()
  for (const r of rows)
    out.set(`${r.src.replace('::ffff:', '')}>${r.dst.replace('::ffff:', '')}`, r)
  return out
}

/**
 * Send the flows again (a new source port each round) until a round's stored rows pass
 * `ok`; the first rounds may miss names that are still being learned.
 */
export async function sendUntil(
  svc: TestService,
  flows: TestFlow[],
  ok: (rows: Map<string, Row>) => boolean,
  firstPort: number,
): Promise<Map<string, Row>> {
  let port = firstPort
  let last = new Map<string, Row>()
  await eventually(
    async () => {
      port++
      await sendUdp(svc.netflowPort, [v5Now(flows.map((f) => ({ ...f, srcPort: port })))])
      await eventually(async () => (await round(svc, port)).size === flows.length, 5000)
      last = await round(svc, port)
      return ok(last)
    },
    20_000,
    200,
  )
  return last
}
