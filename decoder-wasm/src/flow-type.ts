// Flow types as numbered in the record and in the `flow_type` Enum8 column (FLOW_TYPES,
// generated from contract/flows.json).
import { FLOW_TYPES } from './generated/contract.js'

export { FLOW_TYPES }
export type FlowTypeCode = keyof typeof FLOW_TYPES
export type FlowTypeName = (typeof FLOW_TYPES)[FlowTypeCode]

export function flowTypeName(code: number): FlowTypeName | 'unknown' {
  return (FLOW_TYPES as Record<number, FlowTypeName | undefined>)[code] ?? 'unknown'
}
