// NetFlow v9 (RFC 3954): a 20-byte header (count, sysUptime, unix seconds, sequence,
// source ID) then flowsets: 0 templates, 1 options templates, 256+ data.
import { be16, be32, fits } from '../shared/reader'
import { beginFlowDatagram, dataSet, finishFlowDatagram, noteLearned } from '../sets/datagram'
import { fcDomain, fcExporter } from '../templates/context'
import { learnTemplate } from '../templates/learn'
import { FT_NETFLOW9 } from '../generated/flows'
import {
  BAD_SET_LENGTH,
  BAD_TEMPLATE,
  OK,
  STATE_FULL,
  TOO_MANY_RECORDS,
  TRUNCATED_HEADER,
  TRUNCATED_SET,
} from '../generated/status'
import {
  KIND_DATA,
  KIND_OPTIONS,
  MAX_FIELDS,
  SPEC_SIZE,
  T_FIELDS,
  T_KIND,
  T_SCOPE,
  T_SPECS,
  T_VERSION,
} from '../templates/slot'
import { templateStaging } from '../templates/store'

/** Stage `n` v9 field specifiers (type, length) read at `p` (already bounds-checked). */
function stage(kind: u32, n: u32, scope: u32, p: usize): usize {
  const t = templateStaging()
  store<u32>(t + T_VERSION, 9)
  store<u32>(t + T_KIND, kind)
  store<u32>(t + T_FIELDS, n)
  store<u32>(t + T_SCOPE, scope)
  for (let i: u32 = 0; i < n; i++) {
    const spec = t + T_SPECS + <usize>i * SPEC_SIZE
    store<u16>(spec, <u16>be16(p + ((<usize>i) << 2)))
    store<u16>(spec + 2, <u16>be16(p + ((<usize>i) << 2) + 2))
    store<u32>(spec + 4, 0)
  }
  return t
}

function templateSet(p: usize, end: usize): u16 {
  let status = OK
  while (end - p >= 4) {
    const id = be16(p)
    const n = be16(p + 2)
    if (n == 0) {
      if (id == 0) break // padding
      status = BAD_TEMPLATE
      p += 4
      continue
    }
    const size: usize = 4 + ((<usize>n) << 2)
    if (size > end - p) return BAD_TEMPLATE
    if (id < 256 || n > MAX_FIELDS) {
      status = BAD_TEMPLATE
    } else {
      stage(KIND_DATA, n, 0, p + 4)
      if (learnTemplate(fcExporter, fcDomain, id)) noteLearned()
      else status = BAD_TEMPLATE
    }
    p += size
  }
  return status
}

function optionsTemplateSet(p: usize, end: usize): u16 {
  let status = OK
  while (end - p >= 6) {
    const id = be16(p)
    const scopeLen = <usize>be16(p + 2)
    const optionLen = <usize>be16(p + 4)
    if (id == 0 && scopeLen == 0 && optionLen == 0) break // padding
    if ((scopeLen & 3) != 0 || (optionLen & 3) != 0) return BAD_TEMPLATE
    const size: usize = 6 + scopeLen + optionLen
    if (size > end - p) return BAD_TEMPLATE
    const n = <u32>((scopeLen + optionLen) >> 2)
    if (id < 256 || n == 0 || n > MAX_FIELDS) {
      status = BAD_TEMPLATE
    } else {
      stage(KIND_OPTIONS, n, <u32>(scopeLen >> 2), p + 6)
      if (learnTemplate(fcExporter, fcDomain, id)) noteLearned()
      else status = BAD_TEMPLATE
    }
    p += size
  }
  return status
}

export function decodeNetflow9(p: usize, end: usize): u16 {
  if (!fits(p, 20, end)) return TRUNCATED_HEADER
  if (!beginFlowDatagram(9, FT_NETFLOW9, be32(p + 8), be32(p + 4), be32(p + 12), be32(p + 16))) {
    return STATE_FULL
  }
  let q = p + 20
  let status = OK
  while (end - q >= 4) {
    const id = be16(q)
    const len = <usize>be16(q + 2)
    if (len < 4) {
      status = BAD_SET_LENGTH
      break
    }
    if (len > end - q) {
      status = TRUNCATED_SET
      break
    }
    const body = q + 4
    const setEnd = q + len
    let st = OK
    if (id == 0) st = templateSet(body, setEnd)
    else if (id == 1) st = optionsTemplateSet(body, setEnd)
    else if (id >= 256) st = dataSet(id, body, setEnd)
    if (st == TOO_MANY_RECORDS) return finishFlowDatagram(st)
    if (st != OK && status == OK) status = st
    q = setEnd
  }
  return finishFlowDatagram(status)
}
