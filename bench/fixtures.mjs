// Benchmark fixtures: real exporter datagrams. NetFlow v9 and IPFIX come from the recorded
// softflowd captures (their template datagram once, then many data datagrams re-packed from
// the recorded data sets with varied field values); sFlow is the recorded pmacct capture;
// v5 is exported by softflowd from synthetic traffic when it is installed, else built.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readCaptureFile } from '@flowloft/decoder-wasm'
import {
  buildV5,
  capturePath,
  findTool,
  prng,
  softflowdExport,
  syntheticTraffic,
  writePcap,
} from '@flowloft/decoder-wasm/testing'

const capture = (name) => readCaptureFile(capturePath(name))

/**
 * @typedef {object} Fixture
 * @property {string} protocol
 * @property {string} source where the datagrams come from
 * @property {Uint8Array[]} prime decoded once before timing (templates), not counted
 * @property {Uint8Array[]} data cycled through by the timed loops
 */

// Fields whose values vary between the copies of a recorded record (id -> kind).
const VARY = new Map([
  [1, 'counter'], // octets
  [2, 'counter'], // packets
  [7, 'port'], // source port
  [11, 'port'], // destination port
  [8, 'addr'], // IPv4 source
  [12, 'addr'], // IPv4 destination
  [27, 'addr'], // IPv6 source
  [28, 'addr'], // IPv6 destination
])

/** Template id -> {size, vary: [{at, len, kind}]} from v9 (set 0) or IPFIX (set 2) templates. */
function templatesOf(payload, ipfix) {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  const out = new Map()
  for (const set of setsOf(payload, ipfix)) {
    if (set.id !== (ipfix ? 2 : 0)) continue
    let p = set.at + 4
    while (p + 4 <= set.at + set.length) {
      const id = dv.getUint16(p)
      const count = dv.getUint16(p + 2)
      p += 4
      let size = 0
      const vary = []
      for (let f = 0; f < count; f++) {
        const type = dv.getUint16(p)
        const len = dv.getUint16(p + 2)
        p += ipfix && type & 0x8000 ? 8 : 4
        const kind = VARY.get(type)
        if (kind !== undefined && !(ipfix && type & 0x8000)) vary.push({ at: size, len, kind })
        size += len
      }
      out.set(id, { size, vary })
    }
  }
  return out
}

function setsOf(payload, ipfix) {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  const sets = []
  let p = ipfix ? 16 : 20
  while (p + 4 <= payload.byteLength) {
    const length = dv.getUint16(p + 2)
    if (length < 4 || p + length > payload.byteLength) break
    sets.push({ id: dv.getUint16(p), at: p, length })
    p += length
  }
  return sets
}

function vary(bytes, at, field, rnd) {
  const p = at + field.at
  if (field.kind === 'addr') {
    bytes[p + field.len - 1] = 1 + Math.floor(rnd() * 254)
    return
  }
  const value =
    field.kind === 'port' ? 1024 + Math.floor(rnd() * 64000) : 1 + Math.floor(rnd() * 1e6)
  for (let k = 0; k < field.len; k++) {
    bytes[p + field.len - 1 - k] = k < 4 ? Math.floor(value / 2 ** (8 * k)) & 0xff : 0
  }
}

/**
 * NetFlow v9 / IPFIX: the first recorded datagram primes the templates; then `count` data
 * datagrams of about `perDatagram` records each, built from the recorded flow data sets
 * (in recorded order, cycled) with counters, ports and address low bytes varied.
 */
function templatedFixture(protocol, file, ipfix, count, perDatagram) {
  const recorded = capture(file).map((d) => d.payload)
  const first = recorded[0]
  if (!first) throw new Error(`${file}: no datagrams`)
  const templates = templatesOf(first, ipfix)
  const dataSets = recorded.flatMap((payload) =>
    setsOf(payload, ipfix)
      .filter((s) => templates.has(s.id))
      .map((s) => ({ id: s.id, body: payload.subarray(s.at + 4, s.at + s.length) })),
  )
  const hv = new DataView(first.buffer, first.byteOffset, first.byteLength)
  const rnd = prng(9)
  const data = []
  let next = 0
  let sequence = hv.getUint32(ipfix ? 8 : 12)
  for (let d = 0; d < count; d++) {
    const parts = []
    let records = 0
    let bytes = ipfix ? 16 : 20
    while (records < perDatagram) {
      const set = dataSets[next++ % dataSets.length]
      const t = templates.get(set.id)
      const n = Math.floor(set.body.byteLength / t.size)
      const body = new Uint8Array(4 + n * t.size)
      new DataView(body.buffer).setUint16(0, set.id)
      new DataView(body.buffer).setUint16(2, body.byteLength)
      body.set(set.body.subarray(0, n * t.size), 4)
      for (let r = 0; r < n; r++) for (const f of t.vary) vary(body, 4 + r * t.size, f, rnd)
      parts.push(body)
      records += n
      bytes += body.byteLength
    }
    const out = new Uint8Array(bytes)
    const dv = new DataView(out.buffer)
    out.set(first.subarray(0, ipfix ? 16 : 20))
    if (ipfix) {
      dv.setUint16(2, bytes)
      dv.setUint32(8, sequence)
      sequence = (sequence + records) >>> 0
    } else {
      dv.setUint16(2, records)
      dv.setUint32(12, ++sequence >>> 0)
    }
    let p = ipfix ? 16 : 20
    for (const part of parts) {
      out.set(part, p)
      p += part.byteLength
    }
    data.push(out)
  }
  return {
    protocol,
    source: `${file}: template datagram + ${count} data datagrams re-packed from its data sets`,
    prime: [first],
    data,
  }
}

/** v5 from softflowd (`-v 5`) over synthetic IPv4 traffic; built datagrams without it. */
async function v5Fixture(flows) {
  const packets = syntheticTraffic({ flows, seed: 5, ipv6: 0, maxPacketsPerFlow: 6 })
  if (findTool('softflowd')) {
    const dir = mkdtempSync(join(tmpdir(), 'flowloft-bench-v5-'))
    try {
      writePcap(`${dir}/traffic.pcap`, packets)
      const exp = await softflowdExport(`${dir}/traffic.pcap`, dir, ['-v', '5'])
      if (exp.datagrams.length > 0) {
        return {
          protocol: 'v5',
          source: `softflowd -v 5 export of ${flows} synthetic flows (${exp.datagrams.length} datagrams)`,
          prime: [],
          data: exp.datagrams.map((d) => d.payload),
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const rnd = prng(5)
  const data = []
  for (let d = 0; d * 30 < flows; d++) {
    const records = Array.from({ length: 30 }, () => ({
      src: `192.168.1.${10 + Math.floor(rnd() * 200)}`,
      dst: `93.184.216.${1 + Math.floor(rnd() * 250)}`,
      packets: 1 + Math.floor(rnd() * 100),
      bytes: 40 + Math.floor(rnd() * 100000),
      first: 1000,
      last: 2000,
      srcPort: 1024 + Math.floor(rnd() * 60000),
      dstPort: 443,
      proto: 6,
      tcpFlags: 0x1b,
    }))
    data.push(buildV5({ sysUptime: 5000, unixSecs: 1_700_000_000, sequence: d * 30 }, records))
  }
  return { protocol: 'v5', source: 'built v5 datagrams (softflowd not installed)', prime: [], data }
}

/** All four fixtures. */
export async function loadFixtures() {
  return [
    await v5Fixture(3000),
    templatedFixture('v9', 'softflowd-v9.pcap', false, 4096, 24),
    templatedFixture('ipfix', 'softflowd-ipfix.pcap', true, 4096, 24),
    {
      protocol: 'sflow',
      source: 'sflow-pmacct.pcap (pmacctd sfprobe export), recorded datagrams cycled',
      prime: [],
      data: capture('sflow-pmacct.pcap').map((d) => d.payload),
    },
  ]
}
