// /api/top over the rollups (flows_1m/_1h/_1d, flows_hosts_1m/_1h/_1d): the rollup form of each dimension they hold, and
// where its names come from (the rollups keep numbers and addresses, no names): AS names
// from flowloft.as_names, interface names from flowloft.interfaces, exporter names
// from flowloft.exporters, protocol names from the decoder's table.
import { LOCAL_SIDE, type Direction } from '@flowloft/decoder-wasm'
import { addrText } from './params.js'
import { rollupRows } from './sides-sql.js'
import type { RollupSource } from './source.js'
import type { TopBy } from './top.js'

export interface RollupDimension {
  key: string
  /** SQL yielding (name_key, name) for the keys, when the key has a name. */
  names?: string
  /** Only with these direction filters (where the rollups' local_addr is that side). */
  directions?: readonly Direction[]
}

const AS_NAMES = `SELECT toString(asn) AS name_key, argMax(as_name, last_seen) AS name
  FROM flowloft.as_names GROUP BY asn`
const IF_NAMES = `SELECT toString(if_index) AS name_key, argMax(if_name, last_seen) AS name
  FROM flowloft.interfaces WHERE if_name != '' GROUP BY if_index`
const EXPORTER_NAMES = `SELECT ${addrText('exporter')} AS name_key,
  argMax(exporter_name, last_seen) AS name FROM flowloft.exporters GROUP BY exporter`

/**
 * Dimensions the rollups hold. src_addr is the local side of outbound and internal flows
 * and dst_addr that of inbound ones, so with that direction filter they are local_addr.
 * Host names, single ports (they keep service_port only) are raw only.
 */
export const ROLLUP_DIMENSIONS: Partial<Record<TopBy, RollupDimension>> = {
  src_addr: { key: addrText('local_addr'), directions: LOCAL_SIDE.src_addr },
  dst_addr: { key: addrText('local_addr'), directions: LOCAL_SIDE.dst_addr },
  src_country: { key: 'src_country' },
  dst_country: { key: 'dst_country' },
  src_as: { key: 'toString(src_as)', names: AS_NAMES },
  dst_as: { key: 'toString(dst_as)', names: AS_NAMES },
  proto: { key: '{proto_names:Array(String)}[proto + 1]' },
  in_if: { key: 'toString(in_if)', names: IF_NAMES },
  out_if: { key: 'toString(out_if)', names: IF_NAMES },
  exporter: { key: addrText('exporter'), names: EXPORTER_NAMES },
  local_addr: { key: addrText('local_addr') },
  service_port: { key: 'toString(service_port)' },
}

/**
 * Dimensions flows_hosts_* hold and flows_1m/_1h/_1d do not (without a direction filter):
 * the flow's addresses, kept as raw flows have them.
 */
export const HOSTS_DIMENSIONS: Partial<Record<TopBy, RollupDimension>> = {
  src_addr: { key: addrText('src_addr') },
  dst_addr: { key: addrText('dst_addr') },
}

/** Top keys over a rollup; parameters from, to, limit, direction, proto_names. */
export function rollupTopSql(
  d: RollupDimension,
  table: RollupSource,
  byDirection: boolean,
): string {
  const top = `SELECT ${d.key} AS key, sum(bytes) AS bytes, sum(packets) AS packets,
      sum(flows) AS flows
    FROM ${rollupRows(table, true)}${byDirection ? ' WHERE direction = {direction:String}' : ''}
    GROUP BY key ORDER BY bytes DESC, key LIMIT {limit:UInt32}`
  if (!d.names)
    return `SELECT key, '' AS label, bytes, packets, flows FROM (${top}) ORDER BY bytes DESC, key`
  return `SELECT t.key AS key, n.name AS label, t.bytes AS bytes, t.packets AS packets,
      t.flows AS flows
    FROM (${top}) AS t LEFT JOIN (${d.names}) AS n ON n.name_key = t.key
    ORDER BY bytes DESC, key`
}
