// The flows contract (decoder-wasm/contract/flows.json) against the real engine after
// every migration: flowloft.flows has exactly the contract's columns with its types
// (Enum8 values included; the table's own column order may differ from the rows', which
// the insert names), plus the columns ClickHouse derives (MATERIALIZED: app, from the
// remote host name, schema/0006_apps.sql), and the rollups' columns of the same name have
// the same types. The rollup keys' definitions are checked in rollups.test.ts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FLOW_COLUMNS } from '@flowloft/decoder-wasm'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('flows-contract')

interface SystemColumn {
  table: string
  name: string
  type: string
  default_kind: string
}

async function columns(table: string): Promise<SystemColumn[]> {
  return ch.rows<SystemColumn>(
    `SELECT table, name, type, default_kind FROM system.columns
     WHERE database = 'flowloft' AND table = '${table}' ORDER BY position`,
  )
}

void test('flowloft.flows has the contract columns with the contract types', async () => {
  const all = await columns('flows')
  const got = all.filter((c) => c.default_kind !== 'MATERIALIZED').map((c) => `${c.name} ${c.type}`)
  const want = FLOW_COLUMNS.map((c) => `${c.name} ${c.type}`).sort()
  assert.deepEqual(got.sort(), want)
  const derived = all
    .filter((c) => c.default_kind === 'MATERIALIZED')
    .map((c) => `${c.name} ${c.type}`)
  assert.deepEqual(derived, ['app LowCardinality(String)'])
})

void test('the rollups type the flows columns they keep as the contract does', async () => {
  const types = new Map<string, string>(FLOW_COLUMNS.map((c) => [c.name, c.type]))
  for (const table of ['flows_1m', 'flows_1h']) {
    const shared = (await columns(table)).filter((c) => types.has(c.name))
    assert.ok(shared.length >= 10, `${table} keeps flows columns`)
    for (const c of shared) assert.equal(c.type, types.get(c.name), `${table}.${c.name}`)
  }
})
