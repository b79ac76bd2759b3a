// sFlow v5 counter samples (sample formats 2 and 4). Generic interface counters (counter
// record 0:1) become counter records (generated/counter-record.ts); every other counter block
// (Ethernet, VLAN, processor, host ...) is skipped by its length and counted as skipped.
import { be32, be64, fits, u8at } from '../shared/reader'
import { dgExporter, dgExporterPort, dgIndex, dgRecvMs, noteSkipped } from '../shared/datagram'
import { nextCounterRecord } from '../output/counter-records'
import { afterPadding } from './xdr'
import {
  C_AGENT,
  C_DATAGRAM,
  C_EXPORTER,
  C_EXPORTER_PORT,
  C_FLOW_TYPE,
  C_IF_DIRECTION,
  C_IF_INDEX,
  C_IF_SPEED,
  C_IF_STATUS,
  C_IF_TYPE,
  C_IN_BCAST,
  C_IN_DISCARDS,
  C_IN_ERRORS,
  C_IN_MCAST,
  C_IN_OCTETS,
  C_IN_UCAST,
  C_IN_UNKNOWN_PROTOS,
  C_OUT_BCAST,
  C_OUT_DISCARDS,
  C_OUT_ERRORS,
  C_OUT_MCAST,
  C_OUT_OCTETS,
  C_OUT_UCAST,
  C_PROMISCUOUS,
  C_SEQUENCE,
  C_SOURCE_ID,
  C_SOURCE_ID_TYPE,
  C_SUB_AGENT,
  C_TIME_RECEIVED,
  C_UPTIME,
} from '../generated/counter-record'
import { putIPv6 } from '../output/record'
import { FT_SFLOW5 } from '../generated/flows'
import { BAD_COUNT, BAD_SAMPLE, OK, TOO_MANY_RECORDS, TRUNCATED_SAMPLE } from '../generated/status'

const CR_GENERIC: u32 = 1
const GENERIC_SIZE: usize = 88

// The datagram header fields every counter record carries, set by sflow.ts.
let agent: usize = 0 // 16 bytes IPv6 / IPv4-mapped
let subAgent: u32 = 0
let uptime: u32 = 0

export function setCounterAgent(agentAddress: usize, subAgentId: u32, uptimeMs: u32): void {
  agent = agentAddress
  subAgent = subAgentId
  uptime = uptimeMs
}

/** Decode the counter sample body at [p, end) into zero or more counter records. */
export function decodeCounterSample(p: usize, end: usize, expanded: bool): u16 {
  const head: usize = expanded ? 16 : 12
  if (!fits(p, head, end)) return BAD_SAMPLE
  const sequence = be32(p)
  let sourceType: u32, sourceIndex: u32, count: u32
  if (expanded) {
    sourceType = be32(p + 4)
    sourceIndex = be32(p + 8)
    count = be32(p + 12)
  } else {
    sourceType = u8at(p + 4)
    sourceIndex = be32(p + 4) & 0xffffff
    count = be32(p + 8)
  }
  let q = p + head
  if (<usize>count > (end - q) >> 3) return BAD_COUNT
  for (let i: u32 = 0; i < count; i++) {
    if (!fits(q, 8, end)) return TRUNCATED_SAMPLE
    const format = be32(q)
    const len = <usize>be32(q + 4)
    const body = q + 8
    if (len > end - body) return TRUNCATED_SAMPLE
    if (format == CR_GENERIC) {
      if (len < GENERIC_SIZE) return BAD_SAMPLE
      const rec = nextCounterRecord()
      if (rec == 0) return TOO_MANY_RECORDS
      writeGeneric(rec, body, sequence, sourceType, sourceIndex)
    } else {
      noteSkipped()
    }
    q = afterPadding(body + len, len, end)
  }
  return OK
}

// ifIndex, ifType, ifSpeed(u64), ifDirection, ifStatus, ifInOctets(u64), six u32 in
// counters, ifOutOctets(u64), five u32 out counters, ifPromiscuousMode (88 bytes).
function writeGeneric(rec: usize, g: usize, sequence: u32, sourceType: u32, index: u32): void {
  store<u64>(rec + C_TIME_RECEIVED, dgRecvMs)
  putIPv6(rec, C_EXPORTER, dgExporter)
  putIPv6(rec, C_AGENT, agent)
  store<u16>(rec + C_EXPORTER_PORT, <u16>dgExporterPort)
  store<u32>(rec + C_DATAGRAM, dgIndex)
  store<u8>(rec + C_FLOW_TYPE, FT_SFLOW5)
  store<u32>(rec + C_SUB_AGENT, subAgent)
  store<u32>(rec + C_UPTIME, uptime)
  store<u32>(rec + C_SEQUENCE, sequence)
  store<u32>(rec + C_SOURCE_ID, index)
  store<u8>(rec + C_SOURCE_ID_TYPE, <u8>sourceType)
  store<u32>(rec + C_IF_INDEX, be32(g))
  store<u32>(rec + C_IF_TYPE, be32(g + 4))
  store<u64>(rec + C_IF_SPEED, be64(g + 8))
  store<u8>(rec + C_IF_DIRECTION, <u8>be32(g + 16))
  store<u8>(rec + C_IF_STATUS, <u8>(be32(g + 20) & 3))
  store<u64>(rec + C_IN_OCTETS, be64(g + 24))
  store<u32>(rec + C_IN_UCAST, be32(g + 32))
  store<u32>(rec + C_IN_MCAST, be32(g + 36))
  store<u32>(rec + C_IN_BCAST, be32(g + 40))
  store<u32>(rec + C_IN_DISCARDS, be32(g + 44))
  store<u32>(rec + C_IN_ERRORS, be32(g + 48))
  store<u32>(rec + C_IN_UNKNOWN_PROTOS, be32(g + 52))
  store<u64>(rec + C_OUT_OCTETS, be64(g + 56))
  store<u32>(rec + C_OUT_UCAST, be32(g + 64))
  store<u32>(rec + C_OUT_MCAST, be32(g + 68))
  store<u32>(rec + C_OUT_BCAST, be32(g + 72))
  store<u32>(rec + C_OUT_DISCARDS, be32(g + 76))
  store<u32>(rec + C_OUT_ERRORS, be32(g + 80))
  store<u8>(rec + C_PROMISCUOUS, <u8>be32(g + 84))
}
