// The self-monitoring dashboard (grafana/dashboards/self.json) on the provisioned
// Prometheus datasource: every PromQL expression parses (`promtool check rules`), every
// metric it reads is one a running collector exports (its real /metrics after traffic,
// with the labels the expression groups and filters by), and promtool's PromQL engine
// evaluates each expression over that scrape (`promtool test rules`, the samples
// replayed as series of job flowloft): expressions over a metric with samples answer.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { sendUdp } from '../support/exporters.js'
import { v5Now } from '../support/netflow5.js'
import { eventually, metricValue, startTestService } from '../support/service.js'
import { requireTools } from '../support/tools.js'
import { GRAFANA, prometheusDashboards } from '../support/dashboard-panels.js'

const ds = (
  parse(readFileSync(join(GRAFANA, 'provisioning/datasources/prometheus.yaml'), 'utf8')) as {
    datasources: { uid: string; type: string; url: string }[]
  }
).datasources[0]

/** Each expression: [where, PromQL as Grafana sends it for one collector's rate window]. */
const exprs: [string, string][] = prometheusDashboards.flatMap(([file, d]) => [
  ...d.panels.flatMap((p) =>
    (p.targets ?? []).map(
      (t) => [`${file}: "${p.title}" ${t.refId}`, t.expr ?? ''] as [string, string],
    ),
  ),
  // label_values(SELECTOR, label) is Grafana's: the selector is PromQL.
  ...d.templating.list.map(
    (v) =>
      [
        `${file}: variable ${v.name}`,
        /^label_values\((.*), \w+\)$/.exec(v.query ?? '')?.[1] ??
          /^label_values\((.*), \w+\)$/.exec(
            (v as unknown as { definition?: string }).definition ?? '',
          )?.[1] ??
          '',
      ] as [string, string],
  ),
])
const grafanaVars = (e: string): string =>
  e.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.*')

void test('the self-monitoring dashboard is on the provisioned Prometheus datasource', () => {
  assert.ok(ds, 'no provisioned Prometheus datasource')
  assert.equal(ds.type, 'prometheus')
  assert.equal(prometheusDashboards.length, 1)
  for (const [file, d] of prometheusDashboards) {
    assert.ok(d.panels.length >= 10, `${file}: ${d.panels.length} panels`)
    for (const p of d.panels) {
      assert.equal(p.datasource?.uid, ds.uid, `${file}: "${p.title}"`)
      for (const t of p.targets ?? []) assert.equal(t.datasource?.uid, ds.uid)
    }
    for (const v of d.templating.list) assert.equal(v.datasource?.uid, ds.uid, v.name)
  }
  for (const [at, e] of exprs) assert.ok(e.length > 0, `${at}: no expression`)
})

void test('every expression parses (promtool check rules)', (t) => {
  if (!requireTools(t, 'promtool')) return
  const dir = mkdtempSync(join(tmpdir(), 'fl-promql-'))
  try {
    const rules = exprs.map(([, e], i) => ({
      record: `flowloft:dashboard_check:${i}`,
      expr: grafanaVars(e),
    }))
    const file = join(dir, 'rules.yml')
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }))
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' })
    assert.equal(r.status, 0, `promtool check rules:\n${r.stdout}${r.stderr}`)
    assert.match(r.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

interface Scrape {
  types: Map<string, string>
  /** Sample lines: metric name, label text ({...} or ''), value. */
  samples: { name: string; labels: string; value: number }[]
}

function parseScrape(text: string): Scrape {
  const types = new Map<string, string>()
  const samples: Scrape['samples'] = []
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (type) types.set(type[1] ?? '', type[2] ?? '')
    const s = /^([a-zA-Z_:][\w:]*)(\{.*\})?\s+(\S+)$/.exec(line)
    if (s && !line.startsWith('#'))
      samples.push({ name: s[1] ?? '', labels: s[2] ?? '', value: Number(s[3]) })
  }
  return { types, samples }
}

/** The family a sample name belongs to (histograms: _bucket, _sum, _count). */
const family = (name: string, types: Map<string, string>): string => {
  const base = name.replace(/_(bucket|sum|count)$/, '')
  return types.get(base) === 'histogram' ? base : name
}

/** Series Prometheus itself adds to every target. */
const PROMETHEUS_MADE = new Set(['up'])

async function scrapeAfterTraffic(): Promise<string> {
  const svc = await startTestService({ 'enrich.local_prefixes': ['10.0.0.0/8'] })
  try {
    const v5 = v5Now([{ src: '10.0.0.1', dst: '8.8.8.8', packets: 3, bytes: 300 }])
    await sendUdp(svc.netflowPort, [v5, v5, new Uint8Array([0x7f, 1, 2, 3])])
    await eventually(
      async () => metricValue(await svc.metrics(), 'flowloft_writer_rows_total') === 2,
    )
    await fetch(`${svc.httpBase}/healthz`)
    return await svc.metrics()
  } finally {
    await svc.stop()
  }
}

void test('every metric is exported by the collector and every expression answers over it', async (t: TestContext) => {
  if (!requireTools(t, 'promtool')) return
  const scrape = parseScrape(await scrapeAfterTraffic())
  const withSamples = new Set(scrape.samples.map((s) => family(s.name, scrape.types)))
  let checked = 0
  const answering: string[] = []
  for (const [at, e] of exprs) {
    const names = [...e.matchAll(/([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)]
    assert.ok(names.length > 0, `${at}: no metric`)
    let allHaveSamples = true
    for (const [, name = '', matchers = ''] of names) {
      if (PROMETHEUS_MADE.has(name)) continue
      const fam = family(name, scrape.types)
      assert.ok(scrape.types.has(fam), `${at}: ${name} is not on /metrics`)
      if (!withSamples.has(fam)) allHaveSamples = false
      // Labels matched or grouped by (job and instance come from the scrape).
      const labels = [
        ...[...matchers.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1] ?? ''),
        ...[...e.matchAll(/by \(([^)]*)\)/g)].flatMap((m) => (m[1] ?? '').split(/,\s*/)),
      ].filter((l) => l !== 'job' && l !== 'instance' && l !== 'le')
      for (const l of labels) {
        if (!e.includes(`${name}{`) || !withSamples.has(fam)) continue
        const has = scrape.samples.some(
          (s) => family(s.name, scrape.types) === fam && new RegExp(`[{,]${l}="`).test(s.labels),
        )
        if (e.includes(`by (${l})`) && !matchers.includes(l)) {
          // Grouping label: some metric of the expression carries it.
          if (names.length === 1) assert.ok(has, `${at}: ${name} has no label ${l}`)
        } else assert.ok(has, `${at}: ${name} has no label ${l}`)
      }
      checked++
    }
    if (allHaveSamples) answering.push(e)
  }
  console.log(
    `${checked} metric references on /metrics; ${answering.length} of ${exprs.length} expressions over metrics with samples`,
  )
  // promtool's PromQL engine over the scrape: every expression of `answering` answers.
  const got = evaluate(scrape, answering)
  for (const e of answering) assert.ok(got.has(grafanaVars(e)), `no answer: ${e}`)
})

/**
 * The scrape replayed as series of job flowloft (counters growing by their value each
 * 15 s, gauges constant) and each expression evaluated at 2 m by `promtool test rules`.
 * Expecting nothing, promtool prints what each expression answered: those expressions
 * are returned.
 */
function evaluate(scrape: Scrape, list: string[]): Set<string> {
  const num = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(9))
  const series = scrape.samples
    .filter((s) => Number.isFinite(s.value) && s.value >= 0)
    .map((s) => {
      const labels = s.labels === '' ? '{}' : s.labels
      const name = `${s.name}{job="flowloft",instance="collector:8080"${labels === '{}' ? '' : ','}${labels.slice(1)}`
      const counter = /_total$|_bucket$|_count$|_sum$/.test(s.name)
      return { series: name, values: counter ? `0+${num(s.value)}x10` : `${num(s.value)}x10` }
    })
  series.push({ series: 'up{job="flowloft",instance="collector:8080"}', values: '1x10' })
  const dir = mkdtempSync(join(tmpdir(), 'fl-promql-eval-'))
  try {
    const file = join(dir, 'test.yml')
    writeFileSync(
      file,
      JSON.stringify({
        rule_files: [],
        evaluation_interval: '15s',
        tests: [
          {
            interval: '15s',
            input_series: series,
            promql_expr_test: list.map((e) => ({
              expr: grafanaVars(e),
              eval_time: '2m',
              exp_samples: [],
            })),
          },
        ],
      }),
    )
    const r = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' })
    const out = `${r.stdout}${r.stderr}`
    const answered = new Set<string>()
    for (const m of out.matchAll(
      /expr: ("(?:[^"\\]|\\.)*"), time: 2m,\s*\n\s*exp: nil\s*\n\s*got: (\S.*)/g,
    )) {
      if ((m[2] ?? '').trim() !== 'nil') answered.add(JSON.parse(m[1] ?? '""') as string)
    }
    assert.ok(r.status === 0 || answered.size > 0, `promtool test rules:\n${out}`)
    return answered
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
