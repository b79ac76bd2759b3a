// sFlow v5 (sflow.org/sflow_version_5.txt): a datagram header naming the agent, then
// samples, each `data_format` (enterprise << 12 | format) + length + body. Flow samples
// (formats 1 and 3) become flow records (flow-samples.ts); counter samples (2 and 4) become
// counter records (counter-samples.ts); other samples, and samples of other enterprises,
// are skipped by their length and counted as skipped.
//
// Records from samples decoded before a bad one are kept; the datagram's status names
// the first problem.
import { be32, fits } from '../shared/reader'
import { noteSkipped } from '../shared/datagram'
import { decodeFlowSample } from './flow-samples'
import { decodeCounterSample, setCounterAgent } from './counter-samples'
import { afterPadding } from './xdr'
import { putIPv4, putIPv6 } from '../output/record'
import {
  BAD_AGENT_ADDRESS,
  BAD_COUNT,
  OK,
  TRUNCATED_HEADER,
  TRUNCATED_SAMPLE,
} from '../generated/status'

const SAMPLE_FLOW: u32 = 1
const SAMPLE_COUNTERS: u32 = 2
const SAMPLE_FLOW_EXPANDED: u32 = 3
const SAMPLE_COUNTERS_EXPANDED: u32 = 4

const agent = memory.data(16)

export function decodeSflow(p: usize, end: usize): u16 {
  if (!fits(p, 8, end)) return TRUNCATED_HEADER
  const addressType = be32(p + 4)
  let q = p + 8
  if (addressType == 1) {
    if (!fits(q, 4, end)) return TRUNCATED_HEADER
    putIPv4(agent, 0, q)
    q += 4
  } else if (addressType == 2) {
    if (!fits(q, 16, end)) return TRUNCATED_HEADER
    putIPv6(agent, 0, q)
    q += 16
  } else if (addressType == 0) {
    memory.fill(agent, 0, 16)
  } else {
    return BAD_AGENT_ADDRESS
  }
  // sub_agent_id, sequence_number, uptime, num_samples
  if (!fits(q, 16, end)) return TRUNCATED_HEADER
  setCounterAgent(agent, be32(q), be32(q + 8))
  const count = be32(q + 12)
  q += 16
  if (<usize>count > (end - q) >> 3) return BAD_COUNT
  for (let i: u32 = 0; i < count; i++) {
    if (!fits(q, 8, end)) return TRUNCATED_SAMPLE
    const format = be32(q)
    const len = <usize>be32(q + 4)
    const body = q + 8
    if (len > end - body) return TRUNCATED_SAMPLE
    const bodyEnd = body + len
    let status: u16 = OK
    if (format == SAMPLE_FLOW) status = decodeFlowSample(body, bodyEnd, false)
    else if (format == SAMPLE_FLOW_EXPANDED) status = decodeFlowSample(body, bodyEnd, true)
    else if (format == SAMPLE_COUNTERS) status = decodeCounterSample(body, bodyEnd, false)
    else if (format == SAMPLE_COUNTERS_EXPANDED) status = decodeCounterSample(body, bodyEnd, true)
    else noteSkipped()
    if (status != OK) return status
    q = afterPadding(bodyEnd, len, end)
  }
  return OK
}
