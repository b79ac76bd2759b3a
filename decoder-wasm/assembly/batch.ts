// The batch loop: walks the datagrams the host wrote into the input region, picks the
// decoder by version, records one status entry per datagram and fills the output.
import { be16, be32, fits } from './shared/reader'
import { dgSkipped, setDatagram } from './shared/datagram'
import { outCount, resetOutput, rewindTo } from './output/records'
import { counterCount, resetCounters, rewindCountersTo } from './output/counter-records'
import { decodeNetflow1 } from './netflow/v1'
import { decodeNetflow5 } from './netflow/v5'
import { decodeNetflow6 } from './netflow/v6'
import { decodeNetflow7 } from './netflow/v7'
import { decodeSflow } from './sflow/sflow'
import { decodeNetflow9 } from './netflow/v9'
import { decodeIpfix } from './ipfix/ipfix'
import { eventsNearlyFull } from './templates/events'
import {
  FT_IPFIX,
  FT_NETFLOW1,
  FT_NETFLOW5,
  FT_NETFLOW6,
  FT_NETFLOW7,
  FT_NETFLOW9,
  FT_SFLOW5,
} from './generated/flows'
import { EMPTY, TOO_MANY_RECORDS, TRUNCATED_HEADER, UNKNOWN_VERSION } from './generated/status'
import {
  IN_EXPORTER,
  IN_HDR,
  IN_LEN,
  IN_PORT,
  IN_RECV_MS,
  IN_SAMPLING_DEFAULT,
  IN_SAMPLING_OVERRIDE,
  ST_FLOW_TYPE,
  ST_RECORDS,
  ST_REFUSED,
  ST_SKIPPED,
  ST_STATUS,
} from './generated/abi'
import { beginStatus, statusEntry } from './output/status-table'

let inBase: usize = 0
let inCap: usize = 0
let inEnd: usize = 0
let maxDatagrams: u32 = 0
let total: u32 = 0
let done: u32 = 0
let cursor: usize = 0

/** Allocate the input region: `bytes` of packed datagrams, at most `datagrams` of them. */
export function initInput(bytes: u32, datagrams: u32): void {
  inCap = <usize>bytes
  inBase = heap.alloc(inCap)
  inEnd = inBase + inCap
  maxDatagrams = datagrams
}
export function inputRegion(): usize {
  return inBase
}
export function inputCapacity(): u32 {
  return <u32>inCap
}
export function datagramCapacity(): u32 {
  return maxDatagrams
}

/** Start a batch of `count` datagrams the host wrote into the input region. */
export function begin(count: u32): void {
  total = count < maxDatagrams ? count : maxDatagrams
  beginStatus(total)
  done = 0
  cursor = inBase
}

/**
 * Decode datagrams until all are done or the output is full. Returns how many
 * datagrams are done so far; the host drains the output and calls again.
 */
export function run(): u32 {
  resetOutput()
  resetCounters()
  const first = done
  while (done < total) {
    // Template events are drained by the host between runs, like records.
    if (done > first && eventsNearlyFull()) break
    if (!fits(cursor, IN_HDR, inEnd)) {
      done = total // host wrote a bad batch: stop rather than read past the region
      break
    }
    const len = <usize>load<u32>(cursor + IN_LEN)
    const payload = cursor + IN_HDR
    if (!fits(payload, len, inEnd)) {
      done = total
      break
    }
    const st = statusEntry(done)
    const before = outCount
    const countersBefore = counterCount
    setDatagram(
      done,
      load<u64>(cursor + IN_RECV_MS),
      cursor + IN_EXPORTER,
      <u32>load<u16>(cursor + IN_PORT),
      load<u32>(cursor + IN_SAMPLING_DEFAULT),
      load<u32>(cursor + IN_SAMPLING_OVERRIDE),
    )
    store<u64>(st + ST_REFUSED, 0) // and ST_REFUSED_RATE (a retried datagram counts afresh)
    const status = decodeOne(payload, payload + len, st)
    if (status == TOO_MANY_RECORDS && (before > 0 || countersBefore > 0)) {
      // Did not fit behind earlier datagrams: hand those over and retry this one.
      rewindTo(before)
      rewindCountersTo(countersBefore)
      break
    }
    store<u16>(st + ST_STATUS, status)
    store<u32>(st + ST_RECORDS, outCount - before)
    store<u8>(st + ST_SKIPPED, <u8>(dgSkipped < 255 ? dgSkipped : 255))
    done++
    cursor = payload + ((len + 7) & ~(<usize>7))
  }
  return done
}

function decodeOne(p: usize, end: usize, st: usize): u16 {
  store<u8>(st + ST_FLOW_TYPE, 0)
  if (p == end) return EMPTY
  if (!fits(p, 4, end)) return TRUNCATED_HEADER
  const version = be16(p)
  let status: u16 = UNKNOWN_VERSION
  let ft: u8 = 0
  if (version == 5) {
    ft = FT_NETFLOW5
    status = decodeNetflow5(p, end)
  } else if (version == 9) {
    ft = FT_NETFLOW9
    status = decodeNetflow9(p, end)
  } else if (version == 10) {
    ft = FT_IPFIX
    status = decodeIpfix(p, end)
  } else if (version == 1) {
    ft = FT_NETFLOW1
    status = decodeNetflow1(p, end)
  } else if (version == 7) {
    ft = FT_NETFLOW7
    status = decodeNetflow7(p, end)
  } else if (version == 6) {
    ft = FT_NETFLOW6
    status = decodeNetflow6(p, end)
  } else if (be32(p) == 5) {
    ft = FT_SFLOW5
    status = decodeSflow(p, end)
  }
  store<u8>(st + ST_FLOW_TYPE, ft)
  return status
}
