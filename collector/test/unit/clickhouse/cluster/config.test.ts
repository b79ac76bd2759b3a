import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigError } from '../../../../dist/config/index.js'
import { loadConfig } from '../../../../dist/settings.js'

const url = 'http://collector:pw@127.0.0.1:8123/flowloft'

void test('clickhouse.cluster: off by default, set from the environment with a server URL', () => {
  assert.equal(loadConfig({ flags: new Map(), env: {} }).clickhouse.cluster, '')
  const c = loadConfig({
    flags: new Map(),
    env: { FLOWLOFT_CLICKHOUSE_URL: url, FLOWLOFT_CLICKHOUSE_CLUSTER: 'flowloft' },
  })
  assert.equal(c.clickhouse.cluster, 'flowloft')
})

void test('clickhouse.cluster: needs a server and a plain name', () => {
  const refused = (env: Record<string, string>, start: string): void =>
    assert.throws(
      () => loadConfig({ flags: new Map(), env }),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith(start),
    )
  refused({ FLOWLOFT_CLICKHOUSE_CLUSTER: 'flowloft' }, 'clickhouse.cluster needs clickhouse.url')
  for (const bad of ['my-cluster', '1st', 'a b', "x'"])
    refused(
      { FLOWLOFT_CLICKHOUSE_URL: url, FLOWLOFT_CLICKHOUSE_CLUSTER: bad },
      'clickhouse.cluster must be a name',
    )
})
