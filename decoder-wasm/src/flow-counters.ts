// Cumulative counters of the NetFlow v9 / IPFIX template decoders: FLOW_COUNTERS
// (generated from contract/abi.json) names the u64 array WASM keeps, in its order.
// `heldCurrent` is a gauge; the rest only grow.
import { FLOW_COUNTERS } from './generated/contract.js'

export { FLOW_COUNTERS }
export type FlowCounterName = (typeof FLOW_COUNTERS)[number]
export type FlowCounters = Record<FlowCounterName, number>

/** Read the counters from the u64 array at `at` in WASM memory. */
export function readFlowCounters(dv: DataView, at: number): FlowCounters {
  const out = {} as FlowCounters
  FLOW_COUNTERS.forEach((name, i) => {
    out[name] = Number(dv.getBigUint64(at + i * 8, true))
  })
  return out
}
