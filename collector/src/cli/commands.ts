// The CLI's commands. Each returns the process exit code.
import { request } from 'node:http'
import { readTokenFile } from '../api/token-file.js'
import { tsvRowToJson } from '../flows/tsv-json.js'
import { BatchDecoder } from '../decode/batch-decoder.js'
import { splitOutcomeKey } from '../decode/task.js'
import { printable, type Values } from '../config/index.js'
import type { Config } from '../settings.js'
import type { Logger } from '../observability/log.js'
import { lifetimeTotals } from '../observability/totals.js'
import { openMigratedEngine } from '../clickhouse/prepare-schema.js'
import { startCollector } from '../main.js'
import { readCaptureBatches } from './capture-batches.js'
import { InputError } from './input-error.js'
import { noExportHint } from './no-export-hint.js'
import { endOfLifeNode } from './node-support.js'
import { whereToPoint } from './where-to-point.js'

export async function serveCommand(config: Config, log: Logger): Promise<number> {
  const endOfLife = endOfLifeNode(process.version)
  if (endOfLife !== null) log.warn(endOfLife, { node: process.version })
  const service = await startCollector(config, log, { network: true, waitForServer: true })
  log.info("ready: point the router's flow export at a udp address below; the console is at http", {
    ...whereToPoint(service),
  })
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string): void => {
      log.info('stopping: flushing accepted flows', { signal: sig })
      service.stop().then(resolve, (err: unknown) => {
        log.error('stop failed', { error: String(err) })
        resolve()
      })
    }
    process.once('SIGTERM', () => onSignal('SIGTERM'))
    process.once('SIGINT', () => onSignal('SIGINT'))
  })
  // What was taken in and stored, for whoever checks a stop against the database.
  log.info('stopped', { ...lifetimeTotals(service.metrics) })
  return 0
}

/** The running service's token: configured, or kept in the data directory. */
function authHeader(config: Config): Record<string, string> {
  const token = config.api.bearerToken || readTokenFile(config.dataDir)
  return token === '' ? {} : { authorization: `Bearer ${token}` }
}

/** POST the SQL to a running collector; null when none answers on that address. */
function queryOverHttp(
  config: Config,
  sql: string,
): Promise<{ status: number; body: string } | null> {
  const listen = config.http.listen
  if (!listen) return Promise.resolve(null)
  const host = listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host
  return new Promise((resolve) => {
    const req = request(
      {
        host,
        port: listen.port,
        method: 'POST',
        path: '/api/query',
        headers: { 'content-type': 'text/plain', ...authHeader(config) },
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', () => resolve(null))
    req.end(sql)
  })
}

/** `0 rows`, `1 row`: on stderr after every result, so stdout holds only the rows. */
function rowCount(n: number): string {
  return `${n} row${n === 1 ? '' : 's'}\n`
}

export async function queryCommand(
  config: Config,
  log: Logger,
  sql: string | undefined,
): Promise<number> {
  if (!sql) {
    process.stderr.write('usage: flowloft query "SQL"\n')
    return 2
  }
  // The embedded engine locks its data directory: ask the running service first.
  const remote = await queryOverHttp(config, sql)
  if (remote) {
    if (remote.status !== 200) {
      process.stderr.write(`${remote.body}\n`)
      return 1
    }
    const parsed = JSON.parse(remote.body) as { data: unknown[] }
    for (const row of parsed.data) process.stdout.write(`${JSON.stringify(row)}\n`)
    process.stderr.write(rowCount(parsed.data.length))
    return 0
  }
  const engine = await openMigratedEngine(config, log)
  try {
    const rows = await engine.userQuery(sql, 'JSONEachRow')
    process.stdout.write(rows)
    // JSONEachRow escapes newlines inside values: one line per row.
    process.stderr.write(rowCount(rows.split('\n').filter((l) => l !== '').length))
    return 0
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    return 1
  } finally {
    await engine.close()
  }
}

export function decodeCommand(path: string | undefined): number {
  if (!path) {
    process.stderr.write('usage: flowloft decode FILE.pcap\n')
    return 2
  }
  const input = readCaptureBatches(path)
  const decoder = new BatchDecoder(undefined, undefined, undefined, { rowBinary: false, tsv: true })
  const results = new Map<string, number>()
  for (const task of input.batches) {
    const r = decoder.decode(task)
    const text = Buffer.concat(r.tsv).toString('utf8')
    let out = ''
    for (const line of text.split('\n'))
      if (line !== '') out += `${JSON.stringify(tsvRowToJson(line))}\n`
    process.stdout.write(out)
    for (const [key, n] of Object.entries(r.outcomes)) {
      const k = splitOutcomeKey(key)
      results.set(k.result, (results.get(k.result) ?? 0) + n)
    }
  }
  const hint = noExportHint(path, input, results)
  if (hint !== null) throw new InputError(hint)
  for (const [reason, n] of results)
    if (reason !== 'ok') process.stderr.write(`rejected ${n} datagrams: ${reason}\n`)
  return 0
}

export async function importCommand(
  config: Config,
  log: Logger,
  path: string | undefined,
): Promise<number> {
  if (!path) {
    process.stderr.write('usage: flowloft import FILE.pcap\n')
    return 2
  }
  const input = readCaptureBatches(path)
  const { batches } = input
  // One worker keeps a capture's datagrams in order (templates before their data).
  const pipeline = await startCollector(
    { ...config, decode: { ...config.decode, workers: 1 } },
    log,
    {
      network: false,
      waitForServer: false,
    },
  )
  try {
    for (const b of batches) {
      while (pipeline.pool.queueSize >= config.decode.queue) await pipeline.pool.drain()
      pipeline.pool.submit(b)
    }
    await pipeline.pool.drain()
    await pipeline.writer.flush()
    const m = pipeline.metrics.render()
    const flows = /^flowloft_decoder_flows_total (\d+)/m.exec(m)?.[1] ?? '0'
    if (flows === '0') {
      const hint = noExportHint(path, input, datagramResults(m))
      if (hint !== null) throw new InputError(hint)
    }
    process.stdout.write(
      `imported ${flows} flows from ${batches.reduce((n, b) => n + b.count, 0)} datagrams\n`,
    )
    return 0
  } finally {
    await pipeline.stop()
  }
}

export async function migrateCommand(config: Config, log: Logger): Promise<number> {
  const engine = await openMigratedEngine(config, log)
  await engine.close()
  process.stdout.write('schema is up to date\n')
  return 0
}

export function configCommand(values: Values): number {
  process.stdout.write(`${printable(values)}\n`)
  return 0
}

/** Datagrams per decoder outcome, summed over exporters and protocols, from /metrics text. */
function datagramResults(metrics: string): Map<string, number> {
  const results = new Map<string, number>()
  const series = /^flowloft_decoder_datagrams_total\{[^}]*result="([^"]+)"[^}]*\} (\d+)$/gm
  for (const [, result = '', n] of metrics.matchAll(series))
    results.set(result, (results.get(result) ?? 0) + Number(n))
  return results
}
