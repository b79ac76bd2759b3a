// Options data: each record may announce a sampling rate (samplingInterval 34,
// samplerRandomInterval 50, samplingPacketInterval/Space 305/306, samplingSize/Population
// 309/310), keyed by samplerId 48 / selectorId 302 or for the whole domain, and the
// exporter's init time (systemInitTimeMilliseconds 160).
import { C_OPTIONS_RECORDS } from '../generated/flow-counters'
import { count } from '../output/flow-counters'
import { fcDomain, fcExporter, fcVersion } from './context'
import { learnRate, learnSystemInit } from './learn'
import { OV_DOMAIN_RATE, OV_SAMPLER_RATE, OV_SELECTOR_RATE } from './option-values'
import {
  FL_SAMPLER_REF,
  FL_SELECTOR_REF,
  S_INTERVAL,
  S_PKT_INTERVAL,
  S_PKT_SPACE,
  S_POPULATION,
  S_SAMPLER_ID,
  S_SAMPLING_SIZE,
  S_SELECTOR_ID,
  S_SYS_INIT,
} from './plan-ops'
import { clearScratch, isPadding, runSteps, scratchAt } from './steps'
import { OK, TRUNCATED_RECORD } from '../generated/status'
import { packetSpaceRate } from './decode'
import { T_FLAGS, T_MIN_LEN, T_PLAN, T_STEPS } from './slot'

function announcedRate(): u64 {
  const interval = scratchAt(S_INTERVAL)
  if (interval != 0) return interval
  const spaced = packetSpaceRate(scratchAt(S_PKT_INTERVAL), scratchAt(S_PKT_SPACE))
  if (spaced != 0) return spaced
  const size = scratchAt(S_SAMPLING_SIZE)
  const population = scratchAt(S_POPULATION)
  if (size == 0 || size > 0xffffffff || population > 0xffffffff) return 0
  return (population + (size >> 1)) / size
}

function finishOptions(flags: u32): void {
  count(C_OPTIONS_RECORDS)
  const rate = announcedRate()
  if (rate != 0) {
    const r = rate > 0xffffffff ? 0xffffffff : <u32>rate
    if ((flags & FL_SELECTOR_REF) != 0) {
      learnRate(fcExporter, fcVersion, fcDomain, OV_SELECTOR_RATE, scratchAt(S_SELECTOR_ID), r)
    } else if ((flags & FL_SAMPLER_REF) != 0) {
      learnRate(fcExporter, fcVersion, fcDomain, OV_SAMPLER_RATE, scratchAt(S_SAMPLER_ID), r)
    } else {
      learnRate(fcExporter, fcVersion, fcDomain, OV_DOMAIN_RATE, 0, r)
    }
  }
  const init = scratchAt(S_SYS_INIT)
  if (init != 0) learnSystemInit(fcExporter, fcVersion, fcDomain, init)
}

/** Decode the records of an options data set with the options template in slot `t`. */
export function decodeOptionsSet(t: usize, p: usize, end: usize): u16 {
  const flags = load<u32>(t + T_FLAGS)
  const steps = t + T_PLAN
  const n = load<u32>(t + T_STEPS)
  const minLen = <usize>load<u32>(t + T_MIN_LEN)
  if (minLen == 0) return OK
  while (p <= end && end - p >= minLen) {
    clearScratch()
    const q = runSteps(steps, n, p, end, 0)
    if (q == 0) return isPadding(p, end) ? OK : TRUNCATED_RECORD
    finishOptions(flags)
    p = q
  }
  return OK
}
