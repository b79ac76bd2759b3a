// Templates are keyed by transport session (address and source port) and bounded per
// exporter address: a real exporter (softflowd exporting a synthetic capture) keeps
// decoding every flow exactly as it does alone while another port of its own address
// sends a conflicting template under the same ID, or while other addresses flood
// templates. Each real datagram goes in its own decode call, with or without the noise
// between them, so the rows compare one to one with the clean decode.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { syntheticTraffic } from './builders/traffic.js'
import { writePcap } from './builders/pcap-write.js'
import { FlowHarness, type FlowRow } from './harness/flow-harness.js'
import { buildIpfix } from './builders/ipfix.js'
import { buildV9 } from './builders/netflow9.js'
import type { TemplateDef } from './builders/flow-fields.js'
import { softflowdExport } from './oracles/oracle-tools.js'
import { requireTools } from './oracles/tools.js'
import { eventSlices, parseEvent } from '../../dist/flow-events.js'

const REAL = '192.0.2.10'
const PORT = 40001

interface RealExport {
  datagrams: Uint8Array[]
  /** Template IDs and domain the exporter used (from its own template events). */
  templates: { id: number; domain: number }[]
  /** Each datagram's rows decoded alone, the reference. */
  clean: string[]
}

const rowKey = (r: FlowRow): string => JSON.stringify({ ...r, datagram: 0 })

async function realExport(version: 9 | 10): Promise<RealExport> {
  const dir = mkdtempSync(join(tmpdir(), 'fl-sessions-'))
  try {
    const pcap = join(dir, 'traffic.pcap')
    writePcap(pcap, syntheticTraffic({ flows: 2000, seed: 40 + version, ipv6: 0.2 }))
    const exp = await softflowdExport(pcap, dir, ['-v', String(version)])
    const datagrams = exp.datagrams.map((d) => d.payload)
    const h = new FlowHarness()
    const clean = datagrams.flatMap((d) => h.decode([d], { exporter: REAL, port: PORT }).rows)
    const templates = [...eventSlices(h.decoder.takeEvents())]
      .map(parseEvent)
      .flatMap((e) =>
        e?.kind === 'template' || e?.kind === 'optionsTemplate'
          ? [{ id: e.templateId, domain: e.domain }]
          : [],
      )
    return { datagrams, templates, clean: clean.map(rowKey) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A layout unlike softflowd's: decoding the exporter's data with it corrupts every flow. */
const conflicting = (id: number): TemplateDef => ({
  id,
  fields: [
    { id: 12, length: 4 },
    { id: 8, length: 4 },
    { id: 2, length: 4 },
    { id: 1, length: 4 },
  ],
})

function spoofDatagram(version: 9 | 10, id: number, domain: number): Uint8Array {
  const t = conflicting(id)
  const sets = [
    { templates: [t] },
    { template: t, records: [['203.0.113.9', '198.51.100.1', 1, 66]] },
  ]
  return version === 9
    ? buildV9({ sysUptime: 5_000, unixSecs: 1_700_000_000, sourceId: domain }, sets)
    : buildIpfix({ exportTime: 1_700_000_000, domain }, sets)
}

/** `count` templates in datagrams of 160, IDs 256.. (domain 0), from one address. */
function floodDatagrams(count: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < count; i += 160) {
    const ts = Array.from({ length: Math.min(160, count - i) }, (_, k) => conflicting(256 + i + k))
    out.push(
      buildV9({ sysUptime: 5_000, unixSecs: 1_700_000_000, sourceId: 0 }, [{ templates: ts }]),
    )
  }
  return out
}

const tools = ['softflowd']

for (const version of [9, 10] as const) {
  void test(`spoof (${version === 9 ? 'NetFlow v9' : 'IPFIX'}): another port of the exporter's address redefines its template ID; the real session decodes every flow as alone`, async (t) => {
    if (!requireTools(t, tools, 'softflowd')) return
    const real = await realExport(version)
    assert.ok(real.clean.length >= 1500, `${real.clean.length} flows`)
    const h = new FlowHarness()
    const got: FlowRow[] = []
    let spoofRows = 0
    real.datagrams.forEach((d, i) => {
      got.push(...h.decode([d], { exporter: REAL, port: PORT }).rows)
      // After the exporter's templates, before each of its data datagrams: the spoofer
      // sends the same IDs and domains with another layout, and data for it.
      if (i === 0 || i % 3 === 0) {
        for (const tpl of real.templates) {
          const r = h.decode([spoofDatagram(version, tpl.id, tpl.domain)], {
            exporter: REAL,
            port: PORT + 1,
          })
          spoofRows += r.rows.length
          assert.deepEqual(r.statuses, ['ok'])
        }
      }
    })
    assert.deepEqual(got.map(rowKey), real.clean)
    assert.ok(spoofRows > 0, 'the spoofer decodes under its own template')
    const c = h.decoder.flowCounters()
    assert.equal(c.newSessions, 1)
    t.diagnostic(
      `v${version}: ${got.length}/${real.clean.length} flows as alone; ${spoofRows} spoofer rows decoded under its own session`,
    )
  })
}

void test('template flood: one address, then 50 addresses, next to a real exporter; its flows decode as alone and refusals are counted', async (t) => {
  if (!requireTools(t, tools, 'softflowd')) return
  const real = await realExport(9)
  for (const addresses of [1, 50]) {
    const h = new FlowHarness()
    const perAddress = addresses === 1 ? 10_000 : 200
    const floods = Array.from({ length: addresses }, () => floodDatagrams(perAddress))
    const got: FlowRow[] = []
    let k = 0
    real.datagrams.forEach((d, i) => {
      got.push(...h.decode([d], { exporter: REAL, port: PORT }).rows)
      if (i === 0) {
        // Straight after the exporter's templates: the whole flood, round robin.
        for (let n = 0; n < Math.max(...floods.map((f) => f.length)); n++) {
          floods.forEach((f, a) => {
            const dg = f[n]
            if (!dg) return
            h.decode([dg], { exporter: `198.51.100.${a + 1}`, port: 9995 })
            k++
          })
        }
      }
    })
    assert.deepEqual(got.map(rowKey), real.clean)
    const c = h.decoder.flowCounters()
    const sent = addresses * perAddress
    const refused = c.templatesRefusedQuota + c.templatesRefusedFull
    // Every flood template was stored or refused; what was stored fits the bounds.
    assert.equal(c.templatesLearned - real.templates.length + refused, sent)
    if (addresses === 1) assert.equal(c.templatesRefusedQuota, sent - 512)
    else assert.ok(c.templatesRefusedFull > 0 && c.templatesRefusedQuota === 0)
    t.diagnostic(
      `${addresses} address(es) x ${perAddress} templates in ${k} datagrams: real exporter ${got.length}/${real.clean.length} flows; refused ${c.templatesRefusedQuota} (quota) + ${c.templatesRefusedFull} (store full), evicted ${c.templateTableFull}`,
    )
  }
})
