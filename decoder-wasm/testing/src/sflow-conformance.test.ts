import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readCaptureFile } from '../../dist/capture-file.js'
import { sflowBuilderFixtures } from './fixtures/sflow-fixtures.js'
import { runConformance } from './harness/conformance.js'
import { capturePath } from './fixtures/flow-fixtures.js'

const PMACCT_CAPTURE = capturePath('sflow-pmacct.pcap')

void test(
  'sFlow conformance: builder fixtures survive truncation, hostile words and 100k mutations each',
  { timeout: 55_000 },
  () => {
    const fixtures = sflowBuilderFixtures()
    const r = runConformance(fixtures, { flowType: 20, seed: 5 })
    assert.ok(r.sameType > 250_000, `${r.sameType} datagrams still sFlow`)
    assert.ok(r.records > 100_000, `decoded ${r.records} records`)
    assert.ok(r.counters > 10_000, `decoded ${r.counters} counter records`)
    assert.ok((r.statuses.get('ok') ?? 0) > 0)
    assert.ok((r.statuses.get('truncated_sample') ?? 0) > 0)
  },
)

void test(
  'sFlow conformance: pmacct capture datagrams survive the same treatment',
  { timeout: 55_000 },
  () => {
    const captured = readCaptureFile(PMACCT_CAPTURE).map((d) => d.payload)
    assert.ok(captured.length >= 5)
    const r = runConformance(captured, { flowType: 20, seed: 9 })
    assert.ok(r.records > 100_000)
    assert.ok((r.statuses.get('ok') ?? 0) > 0)
  },
)
