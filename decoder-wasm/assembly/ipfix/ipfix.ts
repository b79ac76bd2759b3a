// IPFIX (RFC 7011): a 16-byte message header (length, export time, sequence,
// observation domain) then sets: 2 templates, 3 options templates, 256+ data. Field
// specifiers may carry an enterprise number; a field count of 0 withdraws a template
// (template ID 2 / 3 withdraws all data / options templates of the domain).
import { be16, be32, fits } from '../shared/reader'
import { ALL_DATA, ALL_OPTIONS } from '../templates/events'
import { beginFlowDatagram, dataSet, finishFlowDatagram, noteLearned } from '../sets/datagram'
import { fcDomain, fcExporter } from '../templates/context'
import { learnTemplate, withdrawAll, withdrawTemplate } from '../templates/learn'
import { FT_IPFIX } from '../generated/flows'
import {
  BAD_LENGTH,
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

const SET_TEMPLATES: u32 = 2
const SET_OPTIONS: u32 = 3

/**
 * Read `n` field specifiers at `p` into the staging slot (the first MAX_FIELDS of them).
 * Returns the end of the last specifier, or 0 when they run past `end`.
 */
function stageFields(p: usize, end: usize, n: u32): usize {
  const t = templateStaging()
  for (let i: u32 = 0; i < n; i++) {
    if (end - p < 4) return 0
    const id = be16(p)
    const len = be16(p + 2)
    p += 4
    let pen: u32 = 0
    if ((id & 0x8000) != 0) {
      if (end - p < 4) return 0
      pen = be32(p)
      p += 4
    }
    if (i < MAX_FIELDS) {
      const spec = t + T_SPECS + <usize>i * SPEC_SIZE
      store<u16>(spec, <u16>id)
      store<u16>(spec + 2, <u16>len)
      store<u32>(spec + 4, pen)
    }
  }
  return p
}

function withdraw(setId: u32, id: u32): u16 {
  if (id == setId) {
    withdrawAll(fcExporter, 10, fcDomain, setId == SET_TEMPLATES ? ALL_DATA : ALL_OPTIONS)
  } else if (id >= 256) {
    withdrawTemplate(fcExporter, 10, fcDomain, id)
  } else {
    return BAD_TEMPLATE
  }
  noteLearned()
  return OK
}

function templateSet(setId: u32, p: usize, end: usize): u16 {
  const options = setId == SET_OPTIONS
  let status = OK
  while (end - p >= 4) {
    const id = be16(p)
    const n = be16(p + 2)
    if (n == 0) {
      if (id == 0) break // padding
      const st = withdraw(setId, id)
      if (st != OK) status = st
      p += 4
      continue
    }
    let scope: u32 = 0
    let q = p + 4
    if (options) {
      if (end - q < 2) return BAD_TEMPLATE
      scope = be16(q)
      q += 2
    }
    q = stageFields(q, end, n)
    if (q == 0) return BAD_TEMPLATE
    if (id < 256 || n > MAX_FIELDS || (options && (scope == 0 || scope > n))) {
      status = BAD_TEMPLATE
    } else {
      const t = templateStaging()
      store<u32>(t + T_VERSION, 10)
      store<u32>(t + T_KIND, options ? KIND_OPTIONS : KIND_DATA)
      store<u32>(t + T_FIELDS, n)
      store<u32>(t + T_SCOPE, scope)
      if (learnTemplate(fcExporter, fcDomain, id)) noteLearned()
      else status = BAD_TEMPLATE
    }
    p = q
  }
  return status
}

export function decodeIpfix(p: usize, end: usize): u16 {
  if (!fits(p, 16, end)) return TRUNCATED_HEADER
  const length = <usize>be16(p + 2)
  if (length < 16 || length > end - p) return BAD_LENGTH
  end = p + length
  if (!beginFlowDatagram(10, FT_IPFIX, be32(p + 4), 0, be32(p + 8), be32(p + 12))) return STATE_FULL
  let q = p + 16
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
    if (id == SET_TEMPLATES || id == SET_OPTIONS) st = templateSet(id, body, setEnd)
    else if (id >= 256) st = dataSet(id, body, setEnd)
    if (st == TOO_MANY_RECORDS) return finishFlowDatagram(st)
    if (st != OK && status == OK) status = st
    q = setEnd
  }
  return finishFlowDatagram(status)
}
