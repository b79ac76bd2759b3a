// A capture recorded long ago, its data sent before its template: `flowloft decode` and
// `flowloft import` age held data by the capture's own receive times, so every flow
// decodes, while the live path (wall clock) still drops what is truly stale.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CapturedDatagram, readCaptureFile } from '@flowloft/decoder-wasm'
import { capturePath, writePcap } from '@flowloft/decoder-wasm/testing'
import { BatchDecoder } from '../../../dist/decode/batch-decoder.js'
import type { HeldClock } from '../../../dist/decode/task.js'
import { datagramPacket } from '../../support/capture.js'
import { requireTools } from '../../support/tools.js'
import { captureBatches } from '../../../dist/cli/capture-batches.js'

const MAIN = new URL('../../../dist/cli/main.js', import.meta.url).pathname
const FIXTURE = capturePath('softflowd-v9.pcap')
const DAY_MS = 86_400_000

function flowloft(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Flows and bytes of `flowloft decode FILE`. */
function decoded(path: string): { flows: number; bytes: number } {
  const d = flowloft(['decode', path])
  assert.equal(d.status, 0, d.stderr)
  const rows = d.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
  return { flows: rows.length, bytes: rows.reduce((n, r) => n + Number(r['bytes']), 0) }
}

/** tshark's flows and bytes of the capture (cflow.octets, one per data record). */
function tsharkTotals(path: string): { flows: number; bytes: number } {
  const r = spawnSync(
    'tshark',
    ['-r', path, '-d', 'udp.port==2055,cflow', '-T', 'fields', '-e', 'cflow.octets'],
    { encoding: 'utf8' },
  )
  assert.equal(r.status, 0, r.stderr)
  const values = r.stdout.split(/[\n,]/).filter((v) => v.trim() !== '')
  return { flows: values.length, bytes: values.reduce((n, v) => n + Number(v), 0) }
}

/** The fixture's two datagrams: templates with data, then data only. */
function fixtureDatagrams(): { withTemplates: CapturedDatagram; dataOnly: CapturedDatagram } {
  const [withTemplates, dataOnly, ...rest] = readCaptureFile(FIXTURE)
  assert.ok(withTemplates && dataOnly && rest.length === 0, 'fixture layout changed')
  return { withTemplates, dataOnly }
}

/** The data-only datagram first at `at`, then the one with the templates `gapMs` later. */
function reordered(path: string, at: number, gapMs: number): void {
  const { withTemplates, dataOnly } = fixtureDatagrams()
  writePcap(path, [datagramPacket(dataOnly, at), datagramPacket(withTemplates, at + gapMs)])
}

void test('an old capture with data before its template decodes and imports whole', (t) => {
  if (!requireTools(t, 'tshark')) return
  const dir = mkdtempSync(join(tmpdir(), 'fl-old-'))
  try {
    const oracle = tsharkTotals(FIXTURE)
    const inOrder = decoded(FIXTURE)
    assert.deepEqual(inOrder, oracle)
    assert.ok(oracle.flows > 20, `fixture has ${oracle.flows} flows`)

    const old = join(dir, 'old.pcap')
    const dayAgo = Date.now() - DAY_MS
    reordered(old, dayAgo, 1_000)
    assert.deepEqual(decoded(old), oracle)

    const data = join(dir, 'data')
    const http = ['--data-dir', data, '--http', '127.0.0.1:1']
    const imp = flowloft(['import', old, ...http])
    assert.equal(imp.status, 0, imp.stderr)
    assert.match(imp.stdout, new RegExp(`^imported ${oracle.flows} flows from 2 datagrams$`, 'm'))
    const sql = 'SELECT count() AS flows, sum(bytes) AS bytes FROM flows'
    const q = flowloft(['query', sql, ...http])
    assert.equal(q.status, 0, q.stderr)
    assert.deepEqual(JSON.parse(q.stdout.trim()), oracle)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

void test('capture time still ages held data: a template two minutes late is too late', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-old-'))
  try {
    const whole = decoded(FIXTURE)
    const late = join(dir, 'late.pcap')
    reordered(late, Date.now() - DAY_MS, 120_000)
    const { flows, bytes } = decoded(late)
    // Only the datagram with the templates decodes; the data-only one expired (60 s bound).
    const onTime = join(dir, 'template-only.pcap')
    writePcap(onTime, [datagramPacket(fixtureDatagrams().withTemplates, Date.now() - DAY_MS)])
    assert.deepEqual({ flows, bytes }, decoded(onTime))
    assert.ok(flows > 0 && flows < whole.flows, `${flows} of ${whole.flows} flows`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

void test('live decoding ages held data by the wall clock: a day-old hold is dropped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-old-'))
  try {
    const old = join(dir, 'old.pcap')
    reordered(old, Date.now() - DAY_MS, 1_000)
    const live = (heldClock: HeldClock): { rows: number; held: number; expired: number } => {
      const d = new BatchDecoder(undefined, undefined, undefined, { rowBinary: false, tsv: true })
      let rows = 0
      let held = 0
      let expired = 0
      for (const b of captureBatches(old)) {
        const r = d.decode({ ...b, heldClock })
        rows += r.rows
        held = r.counters.setsHeld
        expired = r.counters.heldExpired
      }
      return { rows, held, expired }
    }
    const wall = live('wall')
    const capture = live('capture')
    // The data-only datagram's sets were held in both; only the wall clock expired them.
    assert.ok(wall.held > 0)
    assert.deepEqual([wall.held, wall.expired], [capture.held, capture.held])
    assert.equal(capture.expired, 0)
    assert.equal(capture.rows, decoded(FIXTURE).flows)
    assert.ok(wall.rows < capture.rows, `${wall.rows} < ${capture.rows}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
