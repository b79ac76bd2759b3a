// What the template decoders (NetFlow v9, IPFIX) know about the message being decoded:
// the exporter, its header fields and the datagram it came in. Held data sets carry a
// copy so they can be decoded later under the context they arrived with.

export let fcVersion: u32 = 0 // 9 or 10
export let fcFlowType: u8 = 0
export let fcExporter: u32 = 0 // session slot (sessions/sessions.ts)
export let fcExporterAddr: usize = 0 // 16 bytes
export let fcDomain: u32 = 0 // v9 source ID / IPFIX observation domain
export let fcExportSecs: u32 = 0 // unix seconds of export
export let fcSysUptime: u32 = 0 // v9 header sysUptime (ms); 0 for IPFIX
export let fcSequence: u32 = 0
export let fcRecvMs: u64 = 0
export let fcPort: u32 = 0
export let fcIndex: u32 = 0 // datagram index in the batch; NO_DATAGRAM outside a batch
export let fcSamplingDefault: u32 = 0
export let fcSamplingOverride: u32 = 0

@inline export function exportMs(): u64 {
  return <u64>fcExportSecs * 1000
}

export function setFlowContext(
  version: u32,
  flowType: u8,
  exporter: u32,
  exporterAddr: usize,
  domain: u32,
  exportSecs: u32,
  sysUptime: u32,
  sequence: u32,
): void {
  fcVersion = version
  fcFlowType = flowType
  fcExporter = exporter
  fcExporterAddr = exporterAddr
  fcDomain = domain
  fcExportSecs = exportSecs
  fcSysUptime = sysUptime
  fcSequence = sequence
}

export function setFlowDatagram(
  index: u32,
  recvMs: u64,
  port: u32,
  samplingDefault: u32,
  samplingOverride: u32,
): void {
  fcIndex = index
  fcRecvMs = recvMs
  fcPort = port
  fcSamplingDefault = samplingDefault
  fcSamplingOverride = samplingOverride
}

// One saved context: held data is decoded from inside a datagram's decode.
let sVersion: u32 = 0
let sFlowType: u8 = 0
let sExporter: u32 = 0
let sExporterAddr: usize = 0
let sDomain: u32 = 0
let sExportSecs: u32 = 0
let sSysUptime: u32 = 0
let sSequence: u32 = 0
let sRecvMs: u64 = 0
let sPort: u32 = 0
let sIndex: u32 = 0
let sDefault: u32 = 0
let sOverride: u32 = 0

export function saveFlowContext(): void {
  sVersion = fcVersion
  sFlowType = fcFlowType
  sExporter = fcExporter
  sExporterAddr = fcExporterAddr
  sDomain = fcDomain
  sExportSecs = fcExportSecs
  sSysUptime = fcSysUptime
  sSequence = fcSequence
  sRecvMs = fcRecvMs
  sPort = fcPort
  sIndex = fcIndex
  sDefault = fcSamplingDefault
  sOverride = fcSamplingOverride
}

export function restoreFlowContext(): void {
  setFlowContext(
    sVersion,
    sFlowType,
    sExporter,
    sExporterAddr,
    sDomain,
    sExportSecs,
    sSysUptime,
    sSequence,
  )
  setFlowDatagram(sIndex, sRecvMs, sPort, sDefault, sOverride)
}
