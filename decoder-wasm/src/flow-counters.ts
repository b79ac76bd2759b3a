// Cumulative counters of the NetFlow v9 / IPFIX template decoders, in the order of
// assembly/flow-counters.ts. `heldCurrent` is a gauge; the rest only grow.
export const FLOW_COUNTERS = [
  'setsHeld',
  'heldDecoded',
  'heldRecords',
  'heldExpired',
  'heldOverflow',
  'heldRejected',
  'heldCurrent',
  'templatesLearned',
  'templatesWithdrawn',
  'templateTableFull',
  'optionTableFull',
  'exporterTableFull',
  'eventsDropped',
  'eventsImported',
  'eventsRejected',
  'optionsRecords',
  'ratesLearned',
  'heldRecordsDropped',
  'templatesRefusedQuota',
  'templatesRefusedFull',
  'templatesAged',
  'newSessions',
  'flowsRefused',
] as const

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
