// Applies a learned data template to the records of a data set: each record starts as a
// copy of a per-set prototype (the fields every record of the set shares), the plan's
// steps fill it, and the finisher resolves times, sampling, ICMP and biflow reverse.
import { rateWith, uptimeToUnixMs } from '../shared/datagram'
import {
  exportMs,
  fcDomain,
  fcExporter,
  fcExporterAddr,
  fcFlowType,
  fcIndex,
  fcPort,
  fcRecvMs,
  fcSamplingDefault,
  fcSamplingOverride,
  fcSequence,
  fcSysUptime,
  fcVersion,
} from './context'
import {
  OV_DOMAIN_RATE,
  OV_FIRST_SAMPLER_RATE,
  OV_SAMPLER_RATE,
  OV_SELECTOR_RATE,
  OV_SYS_INIT,
  getOptionValue,
} from './option-values'
import { outCount, reserveRecord, rewindTo } from '../output/records'
import {
  FL_DELTA_END,
  FL_DELTA_START,
  FL_DURATION,
  FL_END,
  FL_FAMILY_BOTH,
  FL_HAS_V4,
  FL_HAS_V6,
  FL_ICMP_FROM_PORT,
  FL_POINT,
  FL_RATE_IN_RECORD,
  FL_REVERSE,
  FL_SAMPLER_REF,
  FL_SELECTOR_REF,
  FL_START,
  FL_SYS_INIT,
  FL_TIMES,
  FL_UP_END,
  FL_UP_START,
  FL_VLAN_COPY,
  S_DELTA_END,
  S_DELTA_START,
  S_DURATION_MS,
  S_DURATION_US,
  S_INTERVAL,
  S_PKT_INTERVAL,
  S_PKT_SPACE,
  S_SAMPLER_ID,
  S_SELECTOR_ID,
  S_SYS_INIT,
  S_UP_END,
  S_UP_START,
} from './plan-ops'
import {
  F_DATAGRAM,
  F_DST_ADDR,
  F_DST_PORT,
  F_EXPORTER,
  F_EXPORTER_PORT,
  F_FLOW_END,
  F_FLOW_START,
  F_FLOW_TYPE,
  F_ICMP_CODE,
  F_ICMP_TYPE,
  F_IP_VERSION,
  F_OBSERVATION_DOMAIN,
  F_PROTO,
  F_SEQUENCE,
  F_SRC_ADDR,
  F_SRC_VLAN,
  F_TIME_RECEIVED,
  F_VLAN,
  REC_SIZE,
  beginRecord,
} from '../generated/record'
import { applySampling, putIPv6 } from '../output/record'
import { emitReverse } from './reverse-record'
import { RATE_REFUSED, refuseFlow } from '../shared/sampling-cap'
import { clearScratch, isPadding, runSteps, scratchAt } from './steps'
import { OK, TOO_MANY_RECORDS, TRUNCATED_RECORD } from '../generated/status'
import { T_FLAGS, T_MIN_LEN, T_PLAN, T_STEPS } from './slot'

const proto = memory.data(<i32>REC_SIZE)
const PER_RECORD: u32 = FL_TIMES | FL_SYS_INIT | FL_RATE_IN_RECORD | FL_SAMPLER_REF | FL_REVERSE

let setAnnounced: u32 = 0 // rate the exporter announced for the domain (0 = none)
let setRate: u32 = 0 // effective rate for records that carry no rate of their own
let setSysInit: u64 = 0 // exporter init time from options data (IPFIX)

function prepareSet(flags: u32): void {
  beginRecord(proto)
  store<u64>(proto + F_TIME_RECEIVED, fcRecvMs)
  putIPv6(proto, F_EXPORTER, fcExporterAddr)
  store<u16>(proto + F_EXPORTER_PORT, <u16>fcPort)
  store<u32>(proto + F_DATAGRAM, fcIndex)
  store<u8>(proto + F_FLOW_TYPE, fcFlowType)
  store<u32>(proto + F_SEQUENCE, fcSequence)
  store<u32>(proto + F_OBSERVATION_DOMAIN, fcDomain)
  const fam = flags & (FL_HAS_V4 | FL_HAS_V6)
  if (fam == FL_HAS_V4) store<u8>(proto + F_IP_VERSION, 4)
  else if (fam == FL_HAS_V6) store<u8>(proto + F_IP_VERSION, 6)

  let announced = getOptionValue(fcExporter, fcVersion, fcDomain, OV_DOMAIN_RATE, 0)
  if (announced == 0) {
    announced = getOptionValue(fcExporter, fcVersion, fcDomain, OV_FIRST_SAMPLER_RATE, 0)
  }
  setAnnounced = clampRate(announced)
  setRate = rateWith(setAnnounced, fcSamplingDefault, fcSamplingOverride)
  setSysInit = 0
  if (fcVersion == 10 && (flags & (FL_UP_START | FL_UP_END)) != 0) {
    setSysInit = getOptionValue(fcExporter, fcVersion, fcDomain, OV_SYS_INIT, 0)
  }
}

@inline function clampRate(v: u64): u32 {
  return v > 0xffffffff ? 0xffffffff : <u32>v
}

/** Rate from samplingPacketInterval (305) and samplingPacketSpace (306), rounded. */
@inline export function packetSpaceRate(interval: u64, space: u64): u64 {
  if (interval == 0 || interval > 0xffffffff || space > 0xffffffff) return 0
  return (interval + space + (interval >> 1)) / interval
}

function recordRate(flags: u32): u32 {
  let announced: u64 = 0
  if ((flags & FL_RATE_IN_RECORD) != 0) {
    announced = scratchAt(S_INTERVAL)
    if (announced == 0)
      announced = packetSpaceRate(scratchAt(S_PKT_INTERVAL), scratchAt(S_PKT_SPACE))
  }
  if (announced == 0 && (flags & FL_SAMPLER_REF) != 0) {
    announced =
      (flags & FL_SELECTOR_REF) != 0
        ? getOptionValue(
            fcExporter,
            fcVersion,
            fcDomain,
            OV_SELECTOR_RATE,
            scratchAt(S_SELECTOR_ID),
          )
        : getOptionValue(fcExporter, fcVersion, fcDomain, OV_SAMPLER_RATE, scratchAt(S_SAMPLER_ID))
  }
  const a = announced == 0 ? setAnnounced : clampRate(announced)
  return rateWith(a, fcSamplingDefault, fcSamplingOverride)
}

function finishTimes(rec: usize, flags: u32): void {
  const em = exportMs()
  if ((flags & (FL_UP_START | FL_UP_END)) != 0) {
    const upStart = <u32>scratchAt(S_UP_START)
    const upEnd = <u32>scratchAt(S_UP_END)
    if (fcVersion == 9) {
      if ((flags & FL_UP_START) != 0)
        store<u64>(rec + F_FLOW_START, uptimeToUnixMs(em, fcSysUptime, upStart))
      if ((flags & FL_UP_END) != 0)
        store<u64>(rec + F_FLOW_END, uptimeToUnixMs(em, fcSysUptime, upEnd))
    } else {
      let init = (flags & FL_SYS_INIT) != 0 ? scratchAt(S_SYS_INIT) : 0
      if (init == 0) init = setSysInit
      if (init != 0) {
        // Uptimes are 32-bit ms since init: take them around the uptime at export.
        const up = <u32>(em - init)
        if ((flags & FL_UP_START) != 0)
          store<u64>(rec + F_FLOW_START, uptimeToUnixMs(em, up, upStart))
        if ((flags & FL_UP_END) != 0) store<u64>(rec + F_FLOW_END, uptimeToUnixMs(em, up, upEnd))
      } else {
        // No init time (some MikroTik versions): the flow is taken to end at export.
        const anchor = (flags & FL_UP_END) != 0 ? upEnd : upStart
        if ((flags & FL_UP_START) != 0)
          store<u64>(rec + F_FLOW_START, uptimeToUnixMs(em, anchor, upStart))
        if ((flags & FL_UP_END) != 0) store<u64>(rec + F_FLOW_END, em)
      }
    }
  }
  if ((flags & FL_DELTA_START) != 0)
    store<u64>(rec + F_FLOW_START, msBefore(em, scratchAt(S_DELTA_START)))
  if ((flags & FL_DELTA_END) != 0)
    store<u64>(rec + F_FLOW_END, msBefore(em, scratchAt(S_DELTA_END)))
  if ((flags & FL_DURATION) != 0) {
    // A duration gives the missing end; with both ends (or none) it adds nothing.
    const has = flags & (FL_START | FL_END)
    if (has == FL_START) {
      store<u64>(rec + F_FLOW_END, load<u64>(rec + F_FLOW_START) + durationUs() / 1000)
    } else if (has == FL_END) {
      store<u64>(rec + F_FLOW_START, msBefore(load<u64>(rec + F_FLOW_END), durationUs()))
    }
  }
  if ((flags & FL_POINT) != 0) store<u64>(rec + F_FLOW_END, load<u64>(rec + F_FLOW_START))
}

const MAX_MS: u64 = <u64>-1 / 1000

/**
 * Unix ms `us` microseconds before unix ms `ms`, truncated (1.5 ms before T is T - 2);
 * 0 when that is before 1970 or `ms` is out of range (the receive time is used then).
 */
@inline function msBefore(ms: u64, us: u64): u64 {
  if (ms > MAX_MS) return 0
  const at = ms * 1000
  return us <= at ? (at - us) / 1000 : 0
}

/** flowDurationMilliseconds (161) or flowDurationMicroseconds (162), in microseconds. */
@inline function durationUs(): u64 {
  return scratchAt(S_DURATION_MS) * 1000 + scratchAt(S_DURATION_US)
}

function finishRecord(rec: usize, flags: u32): u16 {
  if ((flags & FL_TIMES) != 0) finishTimes(rec, flags)
  const rate = (flags & (FL_RATE_IN_RECORD | FL_SAMPLER_REF)) != 0 ? recordRate(flags) : setRate
  if (rate == RATE_REFUSED) {
    rewindTo(outCount - 1) // `rec` is the last record reserved
    refuseFlow(fcIndex)
    return OK
  }
  applySampling(rec, rate)
  if ((flags & FL_ICMP_FROM_PORT) != 0) {
    const proto = load<u8>(rec + F_PROTO)
    if (proto == 1 || proto == 58) {
      const dport = load<u16>(rec + F_DST_PORT)
      store<u8>(rec + F_ICMP_TYPE, <u8>(dport >> 8))
      store<u8>(rec + F_ICMP_CODE, <u8>dport)
    }
  }
  if ((flags & FL_FAMILY_BOTH) != 0 && load<u8>(rec + F_IP_VERSION) == 0) {
    store<u8>(rec + F_IP_VERSION, familyOf(rec + F_SRC_ADDR, rec + F_DST_ADDR))
  }
  if ((flags & FL_VLAN_COPY) != 0) store<u16>(rec + F_SRC_VLAN, load<u16>(rec + F_VLAN))
  if ((flags & FL_REVERSE) != 0) return emitReverse(rec, rate)
  return OK
}

function familyOf(a: usize, b: usize): u8 {
  if (load<u64>(a) == 0 && load<u32>(a + 8) == 0xffff0000) return 4
  if (load<u64>(a) != 0 || load<u64>(a + 8) != 0) return 6
  if (load<u64>(b) == 0 && load<u32>(b + 8) == 0xffff0000) return 4
  if (load<u64>(b) != 0 || load<u64>(b + 8) != 0) return 6
  return 0
}

/**
 * Decode the records of a data set (`p`..`end`, set header excluded) with the data
 * template in slot `t`. Trailing bytes shorter than a record are padding.
 */
export function decodeDataSet(t: usize, p: usize, end: usize): u16 {
  const flags = load<u32>(t + T_FLAGS)
  const steps = t + T_PLAN
  const n = load<u32>(t + T_STEPS)
  const minLen = <usize>load<u32>(t + T_MIN_LEN)
  if (minLen == 0) return OK
  prepareSet(flags)
  const scratchy = (flags & PER_RECORD) != 0
  while (p <= end && end - p >= minLen) {
    const rec = reserveRecord()
    if (rec == 0) return TOO_MANY_RECORDS
    memory.copy(rec, proto, REC_SIZE)
    if (scratchy) clearScratch()
    const q = runSteps(steps, n, p, end, rec)
    if (q == 0) {
      rewindTo(outCount - 1)
      return isPadding(p, end) ? OK : TRUNCATED_RECORD
    }
    const st = finishRecord(rec, flags)
    if (st != OK) return st
    p = q
  }
  return OK
}
