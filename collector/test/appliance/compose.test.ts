// compose.yaml, the Dockerfile and the ClickHouse server config: the structure the
// appliance relies on (pinned images, health checks, host network, non-root collector
// without the embedded engine, depends_on conditions, small-host tuning), and the
// file as Compose itself reads it (`docker-compose config`, Debian package
// docker-compose; in CI a missing validator fails the test).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { parse } from 'yaml'
import { BUNDLED_APP_LIST } from '../../dist/apps/list.js'
import { ENGINE_SERVER_SETTINGS, ENGINE_TASK_SLEEP } from '../../dist/clickhouse/engine-config.js'
import { NODE_RECOMMENDED } from '../../dist/cli/node-support.js'
import { loadConfig } from '../../dist/settings.js'
import { requireTools } from '../support/tools.js'

const ROOT = new URL('../../../', import.meta.url).pathname
const read = (p: string): string => readFileSync(ROOT + p, 'utf8')

type Service = Record<string, unknown> & {
  image?: string
  healthcheck?: { test?: string[] | string }
  depends_on?: Record<string, { condition?: string }> | string[]
  environment?: Record<string, string>
  volumes?: string[]
  profiles?: string[]
}
const compose = parse(read('compose.yaml'), { merge: true }) as {
  services: Record<string, Service>
  volumes: Record<string, unknown>
}
const svc = (name: string): Service => {
  const s = compose.services[name]
  assert.ok(s, `service ${name}`)
  return s
}
const healthcheck = (s: Service): string => {
  const t = s.healthcheck?.test
  return Array.isArray(t) ? t.join(' ') : (t ?? '')
}

void test('images are pinned: ClickHouse on the 26.3 LTS line, Grafana 11.6+, plugin 4.x', () => {
  for (const [name, s] of Object.entries(compose.services)) {
    if (s.image === undefined) continue
    assert.match(s.image, /:[\w.-]+$/, `${name}: image has a tag`)
    assert.doesNotMatch(s.image, /:latest$/, `${name}: not latest`)
  }
  assert.match(svc('clickhouse').image ?? '', /^clickhouse\/clickhouse-server:26\.3(\.|$)/)
  const g = /^grafana\/grafana:(\d+)\.(\d+)\.\d+$/.exec(svc('grafana').image ?? '')
  assert.ok(g, 'grafana image pinned to x.y.z')
  const [maj, min] = [Number(g[1]), Number(g[2])]
  assert.ok(maj > 11 || (maj === 11 && min >= 6), `grafana ${maj}.${min} >= 11.6`)
  assert.match(
    svc('grafana').environment?.['GF_PLUGINS_PREINSTALL_SYNC'] ?? '',
    /^grafana-clickhouse-datasource@4\.\d+\.\d+$/,
  )
})

void test('ClickHouse: health check, nofile, named volumes, mounted config and users', () => {
  const ch = svc('clickhouse')
  assert.match(healthcheck(ch), /wget --spider -q http:\/\/127\.0\.0\.1:8123\/ping/)
  assert.deepEqual(ch['ulimits'], { nofile: { soft: 262144, hard: 262144 } })
  const vols = ch.volumes ?? []
  assert.ok(vols.some((v) => v.startsWith('clickhouse-data:/var/lib/clickhouse')))
  assert.ok(vols.some((v) => v.includes('/etc/clickhouse-server/config.d/')))
  assert.ok(vols.some((v) => v.includes('/etc/clickhouse-server/users.d/')))
  for (const v of vols) {
    const src = v.split(':')[0] ?? ''
    if (src.startsWith('./'))
      read(src.slice(2)) // mounted files exist
    else assert.ok(src in compose.volumes, `${src} is a named volume`)
  }
})

void test('collector: built image, host network, non-root, /healthz, waits for a healthy ClickHouse', () => {
  const c = svc('collector')
  assert.ok(c['build'], 'built from the Dockerfile')
  assert.equal(c['network_mode'], 'host')
  assert.ok(c['user'] && c['user'] !== 'root' && c['user'] !== '0')
  assert.match(healthcheck(c), /\/healthz/)
  assert.deepEqual(c.depends_on, { clickhouse: { condition: 'service_healthy' } })
  assert.match(c.environment?.['FLOWLOFT_CLICKHOUSE_URL'] ?? '', /^http:\/\/collector:/)
  const g = svc('grafana')
  assert.deepEqual(g.depends_on, { clickhouse: { condition: 'service_healthy' } })
  assert.ok((g.volumes ?? []).some((v) => v.startsWith('./grafana/provisioning:')))
  const p = svc('prometheus')
  assert.deepEqual(p.profiles, ['prometheus'])
})

void test('prometheus: next to Grafana, scrapes the host-network collector by a name it allows', () => {
  const p = svc('prometheus')
  assert.equal(p['network_mode'], undefined, 'on the compose network, reachable by Grafana')
  assert.deepEqual(p['extra_hosts'], ['host.docker.internal:host-gateway'])
  assert.deepEqual(p['ports'], ['127.0.0.1:9090:9090'])
  const scrape = parse(read('deploy/prometheus/prometheus.yml')) as {
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[]
  }
  const job = scrape.scrape_configs.find((j) => j.job_name === 'flowloft')
  const target = job?.static_configs[0]?.targets[0] ?? ''
  const [host, port] = target.split(':')
  // The collector answers that name (else 421), on its HTTP port, /metrics without a token.
  const env = svc('collector').environment ?? {}
  // As compose passes it with FLOWLOFT_HTTP_ALLOWED_HOSTS unset in .env, then set.
  for (const mine of ['', 'flowloft.home.arpa']) {
    const value = (env['FLOWLOFT_HTTP_ALLOWED_HOSTS'] ?? '').replace(
      '${FLOWLOFT_HTTP_ALLOWED_HOSTS:-}',
      mine,
    )
    const c = loadConfig({ flags: new Map(), env: { FLOWLOFT_HTTP_ALLOWED_HOSTS: value } })
    assert.deepEqual(c.http.allowedHosts, [host, ...(mine ? [mine] : [])])
  }
  assert.equal(port, /:(\d+)$/.exec(env['FLOWLOFT_HTTP_LISTEN'] ?? '')?.[1])
  assert.equal(env['FLOWLOFT_HTTP_METRICS_PUBLIC'], 'true')
  // Grafana's provisioned datasource is this service.
  const ds = parse(read('grafana/provisioning/datasources/prometheus.yaml')) as {
    datasources: { type: string; uid: string; url: string }[]
  }
  assert.equal(ds.datasources[0]?.type, 'prometheus')
  assert.equal(ds.datasources[0]?.url, 'http://prometheus:9090')
  assert.ok((p['command'] as string[]).includes('--web.listen-address=0.0.0.0:9090'))
})

void test('Dockerfile: multi-stage, runtime without optional (chdb) and dev dependencies, non-root', () => {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'))
  const froms = lines.filter((l) => /^FROM\s/.test(l))
  assert.ok(froms.length >= 2, 'multi-stage')
  const runtime = lines.slice(lines.lastIndexOf(froms.at(-1) ?? ''))
  const ci = runtime.find((l) => /npm ci/.test(l)) ?? ''
  assert.match(ci, /--omit=optional/)
  assert.match(ci, /--omit=dev/)
  const users = runtime.filter((l) => /^USER\s/.test(l))
  assert.ok(
    users.length > 0 && !/\broot\b|\s0$/.test(users.at(-1) ?? ''),
    'runtime USER is not root',
  )
  assert.ok(
    runtime.some((l) => /^COPY .*schema/.test(l)),
    'schema/ in the image (migrations)',
  )
  assert.ok(
    runtime.some((l) => /decoder\.wasm/.test(l)),
    'the WASM decoder in the image',
  )
  assert.match(read('.dockerignore'), /node_modules/)
  // The node image pinned by an exact version: the release CI tests on (.ci/node), on
  // the recommended line.
  const pin = /^NODE_VERSION=((\d+)\.\d+\.\d+)$/m.exec(read('.ci/node'))
  assert.ok(pin?.[1] && pin[2], '.ci/node pins NODE_VERSION=x.y.z')
  assert.match(
    read('Dockerfile'),
    new RegExp(`^ARG NODE_IMAGE=node:${pin[1].replaceAll('.', '\\.')}-bookworm-slim$`, 'm'),
  )
  assert.equal(`${pin[2]} LTS`, NODE_RECOMMENDED)
})

void test('Dockerfile: the runtime image holds the data files the product reads outside dist/', () => {
  const lines = read('Dockerfile').replace(/\\\n/g, ' ').split('\n')
  const runtime = lines.slice(lines.findLastIndex((l) => /^FROM\s/.test(l)))
  const workdir = (/^WORKDIR\s+(\S+)/m.exec(runtime.join('\n'))?.[1] ?? '/').replace(/\/?$/, '/')
  // Single-source COPYs as [source, destination], both as paths of the repository: the
  // build stage's and the runtime's WORKDIR stand for its root.
  const copies = runtime.flatMap((l) => {
    const words = l
      .trim()
      .split(/\s+/)
      .filter((w) => !w.startsWith('--'))
    if (words[0] !== 'COPY' || words.length !== 3) return []
    const repo = (p: string): string => p.replace(/^\/(?:src|app)\//, '').replace(/\/$/, '')
    return [[repo(words[1] ?? ''), repo((words[2] ?? '').replace(workdir, '/app/'))] as const]
  })
  const outsideDist = [relative(ROOT, BUNDLED_APP_LIST)]
  for (const file of outsideDist) {
    assert.ok(!file.startsWith('..'), `${file} is in the repository`)
    assert.ok(
      copies.some(([from, to]) => from === to && file.startsWith(`${from}/`)),
      `${file} is copied into the runtime image at its place`,
    )
  }
})

/** Tiny XML well-formedness check: balanced tags, one root, no stray '<' or '&'. */
function wellFormed(xml: string): string | null {
  const body = xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<\?[\s\S]*?\?>/g, '')
  const stack: string[] = []
  let roots = 0
  for (const m of body.matchAll(
    /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"<]*")*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|apos|#\d+);)/g,
  )) {
    if (m[2] === undefined) return `stray ${m[0]} at ${m.index}`
    if (m[1]) {
      if (stack.pop() !== m[2]) return `unbalanced </${m[2]}> at ${m.index}`
    } else if (!m[4]) {
      if (stack.length === 0) roots++
      stack.push(m[2])
    } else if (stack.length === 0) roots++
  }
  if (stack.length) return `unclosed <${stack.join('><')}>`
  return roots === 1 ? null : `${roots} root elements`
}

void test("ClickHouse server config: well-formed, small-host memory, merge pool x ratio > 25, the engine's wake-up settings, log TTLs", () => {
  assert.equal(wellFormed('<a><b x="1"/></a>'), null)
  assert.notEqual(wellFormed('<a><b></a>'), null)
  const config = read('deploy/clickhouse/config.d/flowloft.xml')
  const users = read('deploy/clickhouse/users.d/flowloft.xml')
  assert.equal(wellFormed(config), null, 'config.d/flowloft.xml')
  assert.equal(wellFormed(users), null, 'users.d/flowloft.xml')
  const num = (tag: string): number =>
    Number(new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(config)?.[1])
  const ratio = num('max_server_memory_usage_to_ram_ratio')
  assert.ok(ratio > 0 && ratio <= 0.6, `memory ratio ${ratio}`)
  assert.ok(num('mark_cache_size') <= 512 << 20, 'mark cache at most 512 MiB')
  assert.ok(num('background_pool_size') * num('background_merges_mutations_concurrency_ratio') > 25)
  // The embedded engine's wake-up settings, the same on the appliance's server.
  for (const [name, value] of Object.entries({ ...ENGINE_SERVER_SETTINGS, ...ENGINE_TASK_SLEEP }))
    assert.equal(num(name), value, name)
  for (const log of [
    'query_log',
    'part_log',
    'metric_log',
    'asynchronous_metric_log',
    'trace_log',
    'text_log',
  ])
    assert.match(
      config,
      new RegExp(`<${log}>\\s*<ttl>[^<]+INTERVAL \\d+ DAY DELETE</ttl>`),
      `${log} TTL`,
    )
  // Users: a writer for the collector, a read-only one for Grafana, passwords from env.
  assert.match(
    users,
    /<grafana>[\s\S]*<profile>flowloft_reader<\/profile>[\s\S]*GRANT SELECT ON flowloft\.\*/,
  )
  assert.match(users, /<flowloft_reader>[\s\S]*<readonly>[12]<\/readonly>/)
  assert.match(users, /<collector>[\s\S]*<password from_env="CLICKHOUSE_WRITER_PASSWORD"\/>/)
  const env = svc('clickhouse').environment ?? {}
  assert.ok('CLICKHOUSE_WRITER_PASSWORD' in env && 'CLICKHOUSE_GRAFANA_PASSWORD' in env)
  // xmllint (Debian libxml2-utils) too, when it is installed.
  const x = spawnSync('xmllint', [
    '--noout',
    ROOT + 'deploy/clickhouse/config.d/flowloft.xml',
    ROOT + 'deploy/clickhouse/users.d/flowloft.xml',
  ])
  if (!x.error) assert.equal(x.status, 0, String(x.stderr))
})

void test('docker-compose config accepts compose.yaml', (t) => {
  if (!requireTools(t, 'docker-compose')) return
  const r = spawnSync('docker-compose', ['-f', ROOT + 'compose.yaml', 'config', '-q'], {
    encoding: 'utf8',
  })
  assert.equal(r.status, 0, r.stderr)
  const p = spawnSync(
    'docker-compose',
    ['-f', ROOT + 'compose.yaml', '--profile', 'prometheus', 'config', '--services'],
    { encoding: 'utf8' },
  )
  assert.equal(p.status, 0, p.stderr)
  assert.deepEqual(p.stdout.trim().split('\n').sort(), [
    'clickhouse',
    'collector',
    'grafana',
    'prometheus',
  ])
})
