// The server engine's inserts as they go over HTTP (no ClickHouse server runs here: a
// listener records each request and answers as ClickHouse's HTTP interface does). A
// RowBinary body goes byte for byte as the body of `INSERT ... FORMAT RowBinary`, its
// settings as URL parameters; an error answer rejects the insert, so the writer spools.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { openEngine } from '../../../dist/clickhouse/engine.js'
import { createLogger } from '../../../dist/observability/log.js'

interface Seen {
  query: string
  params: URLSearchParams
  body: Buffer
}

async function listen(
  answer: (seen: Seen) => { status: number; text: string },
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = []
  const server = createServer((req: IncomingMessage, res) => {
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x')
      const s = {
        query: u.searchParams.get('query') ?? '',
        params: u.searchParams,
        body: Buffer.concat(parts),
      }
      seen.push(s)
      const a = answer(s)
      res.writeHead(a.status, { 'Content-Type': 'text/plain' })
      res.end(a.text)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  }
}

const limits = { maxExecutionSeconds: 10, maxResultRows: 10 }

void test('a server gets RowBinary rows as the body of INSERT ... FORMAT RowBinary', async () => {
  const srv = await listen(() => ({ status: 200, text: '' }))
  const engine = await openEngine({ url: srv.url, dataDir: '', limits, log: createLogger('error') })
  try {
    // Bytes that are not text: a zero, a newline, a tab, 0xff.
    const chunks = [Buffer.from([0, 10, 9, 255]), Buffer.from([1, 2, 3])]
    await engine.insertRows({
      table: 'flowloft.flows',
      columns: ['a', 'b'],
      format: 'RowBinary',
      body: chunks,
      settings: { async_insert: 0, insert_deduplication_token: 'tok-1' },
    })
    const [s] = srv.seen
    assert.ok(s)
    assert.equal(s.query, 'INSERT INTO flowloft.flows (a, b) FORMAT RowBinary')
    assert.equal(s.params.get('insert_deduplication_token'), 'tok-1')
    assert.equal(s.params.get('async_insert'), '0')
    assert.deepEqual(s.body, Buffer.concat(chunks))
  } finally {
    await engine.close()
    await srv.close()
  }
})

void test('an error answer from the server rejects the insert with its message', async () => {
  const srv = await listen(() => ({
    status: 500,
    text: 'Code: 33. DB::Exception: Cannot read all data. (CANNOT_READ_ALL_DATA)',
  }))
  const engine = await openEngine({ url: srv.url, dataDir: '', limits, log: createLogger('error') })
  try {
    for (const format of ['RowBinary', 'TabSeparated'] as const) {
      await assert.rejects(
        engine.insertRows({
          table: 'flowloft.flows',
          columns: ['a'],
          format,
          body: [Buffer.from('1\n')],
          settings: { async_insert: 0 },
        }),
        /Cannot read all data/,
      )
    }
    assert.equal(srv.seen.length, 2)
    assert.match(srv.seen[1]?.query ?? '', /FORMAT TabSeparated/)
  } finally {
    await engine.close()
    await srv.close()
  }
})
