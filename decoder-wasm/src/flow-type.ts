// Flow types as numbered in the record and in the `flow_type` Enum8 column.
export const FLOW_TYPES = {
  1: 'netflow1',
  5: 'netflow5',
  6: 'netflow6',
  7: 'netflow7',
  9: 'netflow9',
  10: 'ipfix',
  20: 'sflow5',
} as const

export type FlowTypeCode = keyof typeof FLOW_TYPES
export type FlowTypeName = (typeof FLOW_TYPES)[FlowTypeCode]

export function flowTypeName(code: number): FlowTypeName | 'unknown' {
  return (FLOW_TYPES as Record<number, FlowTypeName | undefined>)[code] ?? 'unknown'
}
