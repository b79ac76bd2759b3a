// deploy/cluster/compose.yaml, the cluster example of docs/scaling.md, as Compose reads
// it (`docker-compose config`) and as flowloft needs it: three Keeper nodes in one Raft
// group, two shards of two replicas whose macros, remote_servers and service names
// agree, two collectors with their own identities on that cluster, each server
// reachable from its collector. Nothing here starts a container: the example is checked
// by the parsers only (docs/scaling.md says which parts ran).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { loadConfig } from '../../dist/settings.js'
import { requireTools } from '../support/tools.js'

const ROOT = new URL('../../../', import.meta.url).pathname
const DIR = 'deploy/cluster/'
const read = (p: string): string => readFileSync(ROOT + p, 'utf8')

type Service = {
  image?: string
  environment?: Record<string, string>
  volumes?: string[]
  ports?: string[]
  depends_on?: Record<string, { condition?: string }>
  network_mode?: string
}
const compose = parse(read(`${DIR}compose.yaml`), { merge: true }) as {
  services: Record<string, Service>
}
const services = Object.entries(compose.services)
const named = (re: RegExp): [string, Service][] => services.filter(([n]) => re.test(n))
const servers = (): [string, Service][] => named(/^ch-/)
const clusterXml = read(`${DIR}clickhouse/config.d/cluster.xml`)
const keeperXml = read(`${DIR}keeper/keeper_config.xml`)

void test('docker-compose config accepts deploy/cluster/compose.yaml', (t) => {
  if (!requireTools(t, 'docker-compose')) return
  const r = spawnSync('docker-compose', ['-f', `${ROOT}${DIR}compose.yaml`, 'config', '-q'], {
    encoding: 'utf8',
  })
  assert.equal(r.status, 0, r.stderr)
})

void test('XML files are well-formed (xmllint)', (t) => {
  if (!requireTools(t, 'xmllint')) return
  const files = [
    'clickhouse/config.d/cluster.xml',
    'clickhouse/users.d/flowloft.xml',
    'keeper/keeper_config.xml',
  ]
  const r = spawnSync('xmllint', ['--noout', ...files.map((f) => ROOT + DIR + f)])
  assert.equal(r.status, 0, String(r.stderr))
})

void test('three Keeper nodes, each its own id, all in the Raft group and in every server', () => {
  const keepers = named(/^keeper-/)
  assert.equal(keepers.length, 3)
  const raft = [...keeperXml.matchAll(/<id>(\d+)<\/id><hostname>([\w-]+)<\/hostname>/g)]
  assert.deepEqual(
    raft.map((m) => `${m[1]}:${m[2]}`),
    keepers.map(([n, s]) => `${s.environment?.['KEEPER_SERVER_ID']}:${n}`),
  )
  const zk = [...clusterXml.matchAll(/<node><host>([\w-]+)<\/host><port>9181<\/port><\/node>/g)]
  assert.deepEqual(
    zk.map((m) => m[1]),
    keepers.map(([n]) => n),
  )
  for (const [n, s] of keepers) {
    assert.match(s.image ?? '', /^clickhouse\/clickhouse-keeper:26\.3$/, n)
    assert.ok(
      s.volumes?.some((v) => v.includes('keeper_config.xml')),
      `${n} mounts its config`,
    )
  }
})

void test('two shards of two replicas: macros, remote_servers and services agree', () => {
  const servers = named(/^ch-/)
  assert.equal(servers.length, 4)
  const shards = [...clusterXml.matchAll(/<shard>([\s\S]*?)<\/shard>/g)].map((m) =>
    [...(m[1] ?? '').matchAll(/<host>([\w-]+)<\/host>/g)].map((h) => h[1]),
  )
  assert.equal(shards.length, 2)
  assert.ok(/<internal_replication>true<\/internal_replication>/.test(clusterXml))
  const replicas = new Set<string>()
  for (const [n, s] of servers) {
    const env = s.environment ?? {}
    const shard = Number(env['CH_SHARD'])
    assert.ok(shards[shard - 1]?.includes(n), `${n} is in shard ${shard} of remote_servers`)
    assert.equal(env['CH_REPLICA'], n, `${n}: its replica macro is its name`)
    replicas.add(env['CH_REPLICA'] ?? '')
    for (const f of ['config.d/cluster.xml', 'users.d/flowloft.xml', 'config.d/flowloft.xml'])
      assert.ok(
        s.volumes?.some((v) => v.includes(f)),
        `${n} mounts ${f}`,
      )
    assert.equal(Object.keys(s.depends_on ?? {}).length, 3, `${n} waits for Keeper`)
  }
  assert.equal(replicas.size, 4, 'replica names are unique in the cluster')
  assert.match(read(`${DIR}clickhouse/users.d/flowloft.xml`), /GRANT CLUSTER ON \*\.\*/)
})

void test('two collectors: own ids, the cluster of remote_servers, a server each, valid config', () => {
  const cluster = /<remote_servers>\s*<(\w+)>/.exec(clusterXml)?.[1]
  const collectors = named(/^collector-/)
  assert.equal(collectors.length, 2)
  const ids = new Set<string>()
  const ports = new Set<string>()
  for (const [n, s] of collectors) {
    const env = s.environment ?? {}
    assert.equal(env['FLOWLOFT_CLICKHOUSE_CLUSTER'], cluster, n)
    ids.add(env['FLOWLOFT_COLLECTOR_ID'] ?? '')
    const port = /@127\.0\.0\.1:(\d+)\//.exec(env['FLOWLOFT_CLICKHOUSE_URL'] ?? '')?.[1]
    const server = servers().find(([, c]) =>
      c.ports?.some((p) => p.startsWith(`127.0.0.1:${port}:`)),
    )
    assert.ok(server, `${n} reaches a server on 127.0.0.1:${port}`)
    assert.ok(s.depends_on?.[server[0]], `${n} waits for ${server[0]}`)
    assert.equal(s.network_mode, 'host')
    // The collector itself takes the environment as given.
    const c = loadConfig({ flags: new Map(), env })
    assert.equal(c.clickhouse.cluster, cluster)
    for (const l of [c.listen.netflow, c.listen.ipfix, c.listen.sflow, c.http.listen])
      ports.add(String(l?.port))
  }
  assert.equal(ids.size, 2, 'each collector has its own id')
  assert.equal(ports.size, 8, 'the two collectors on one host listen on different ports')
})
