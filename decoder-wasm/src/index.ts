export {
  Decoder,
  type DecoderOptions,
  type RecordSink,
  type CounterSink,
  type RowFormat,
} from './decoder.js'
export { DatagramBatch, type PackedBatch } from './datagram-batch.js'
export { RecordView, type FieldOffset, type StringSlot } from './record-view.js'
export { CounterView, type CounterFieldOffset } from './counter-view.js'
export {
  C,
  CREC_SIZE,
  ENRICH_FLAGS,
  F,
  IN_HDR,
  MAX_PREFIX_SET,
  Q_ADDRESS,
  Q_ANONYMISED,
  Q_EXPORTER,
  Q_PREFIX_SET,
  REC_SIZE,
  S,
} from './generated/contract.js'
export { FLOW_TYPES, flowTypeName, type FlowTypeName } from './flow-type.js'
export { STATUS_REASONS, statusReason, type StatusReason } from './status.js'
export { parseAddress, formatAddress, formatIPv6Column, isMappedV4 } from './ip.js'
export {
  readCapture,
  readCaptureFile,
  parseCapture,
  CaptureError,
  type Capture,
  type CapturedDatagram,
} from './capture-file.js'
export {
  TemplateRegistry,
  SnapshotError,
  DEFAULT_REGISTRY_LIMITS,
  snapshotBound,
  type DescribedExporter,
  type RegistryLimits,
  type RegistryStats,
} from './template-registry.js'
export type { RestoreReport } from './registry-snapshot.js'
export {
  parseEvent,
  eventSlices,
  eventsExcept,
  eventExporterKey,
  eventSessionKey,
  type FlowEvent,
  type TemplateField,
} from './flow-events.js'
export { FLOW_COUNTERS, type FlowCounters, type FlowCounterName } from './flow-counters.js'
export type { TemplateStateOptions } from './template-state.js'
export { StringTable, escapeTsv } from './string-table.js'
export { RowOutput, type RowChunks } from './row-output.js'
export {
  DIRECTIONS,
  FLOW_COLUMNS,
  INSERT_COLUMNS,
  LOCAL_SIDE,
  ROLLUP_LOCAL_ADDR_SQL,
  ROLLUP_SERVICE_PORT_SQL,
  SERVICE_PORT_BELOW,
  type ColumnText,
  type Direction,
  type FlowColumn,
} from './generated/contract.js'
export { protocolName } from './protocols.js'
