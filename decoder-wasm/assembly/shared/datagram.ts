// What the batch loop knows about the datagram being decoded, shared with the
// protocol decoders. Set once per datagram by batch.ts.
import {
  F_DATAGRAM,
  F_EXPORTER,
  F_EXPORTER_PORT,
  F_FLOW_TYPE,
  F_TIME_RECEIVED,
} from '../generated/record'
import { putIPv6 } from '../output/record'
import { capRate } from './sampling-cap'

export let dgIndex: u32 = 0
export let dgRecvMs: u64 = 0
export let dgExporter: usize = 0 // 16 bytes, IPv6 / IPv4-mapped
export let dgExporterPort: u32 = 0
export let dgSamplingDefault: u32 = 0 // from configuration, 0 = none
export let dgSamplingOverride: u32 = 0 // from configuration, 0 = none
// Samples or records of this datagram left undecoded (unknown format, other enterprise).
export let dgSkipped: u32 = 0

export function setDatagram(
  index: u32,
  recvMs: u64,
  exporter: usize,
  port: u32,
  samplingDefault: u32,
  samplingOverride: u32,
): void {
  dgIndex = index
  dgRecvMs = recvMs
  dgExporter = exporter
  dgExporterPort = port
  dgSamplingDefault = samplingDefault
  dgSamplingOverride = samplingOverride
  dgSkipped = 0
}

@inline export function noteSkipped(): void {
  dgSkipped++
}

/** Fill the fields every record of this datagram shares. */
export function fillCommon(rec: usize, flowType: u8): void {
  store<u64>(rec + F_TIME_RECEIVED, dgRecvMs)
  putIPv6(rec, F_EXPORTER, dgExporter)
  store<u16>(rec + F_EXPORTER_PORT, <u16>dgExporterPort)
  store<u32>(rec + F_DATAGRAM, dgIndex)
  store<u8>(rec + F_FLOW_TYPE, flowType)
}

/**
 * The sampling rate to apply: the configured override wins, then what the exporter
 * said, then the configured default, then 1. An announced rate above the cap gives
 * RATE_REFUSED (0): the caller drops the flow and calls refuseFlow().
 */
export function effectiveRate(announced: u32): u32 {
  return rateWith(announced, dgSamplingDefault, dgSamplingOverride)
}

/** effectiveRate() for a datagram other than the current one (held data decoded later). */
@inline export function rateWith(announced: u32, samplingDefault: u32, samplingOverride: u32): u32 {
  if (samplingOverride != 0) return samplingOverride
  if (announced != 0) return capRate(announced)
  if (samplingDefault != 0) return samplingDefault
  return 1
}

/**
 * Convert a sysUptime-relative timestamp (ms) to unix ms, given the export time in
 * unix ms and the exporter's sysUptime at export. Works across the 32-bit uptime wrap
 * and for timestamps slightly after the export's uptime.
 */
@inline export function uptimeToUnixMs(exportMs: u64, sysUptime: u32, t: u32): u64 {
  const delta: i32 = <i32>(sysUptime - t)
  return <u64>(<i64>exportMs - <i64>delta)
}
