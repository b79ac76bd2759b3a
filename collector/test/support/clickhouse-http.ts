// ClickHouse's HTTP interface in front of the real engine, for server-mode tests: each
// request runs on chdb, opened under the users.d `collector` user's grants and profile
// (chdb-as-user.ts), on a session of its own, as a server runs each HTTP request.
//
// What it speaks, which is what @clickhouse/client sends: POST or GET on any path with
// `query=` (the query text, followed by the body) or the body as the query; `database=`,
// `query_id`, `default_format`, `param_*` and every other URL parameter as a setting;
// `X-ClickHouse-User`/`X-ClickHouse-Key` or basic auth, checked against the collector user
// and the password given at start; an INSERT's body written to a file, byte for byte, and
// read with `INSERT ... FROM INFILE` (chdb's inline insert is not binary-safe); errors as
// status 500 (401 for authentication) with `X-ClickHouse-Exception-Code` and ClickHouse's
// own text; `X-ClickHouse-Query-Id`, `X-ClickHouse-Format` and `X-ClickHouse-Summary`;
// `/ping`. stop() and start() close and reopen the port (an outage); the engine stays.
//
// What it leaves out: compression (`enable_http_compression`, gzip/lz4 bodies), sessions
// (`session_id`), roles, `readonly`/`max_*` checks on the URL's settings beyond what the
// engine does, progress headers (`send_progress_in_http_headers`), `wait_end_of_query`,
// multipart query parameters, TLS, other users than the collector, HTTP status codes other
// than 200/401/500/404, and streaming: a request's body is read whole, its answer is
// written whole. The summary's read_rows/read_bytes are chdb's; written_rows/bytes are 0.
// Inserts with inline data after the query (`INSERT ... VALUES (...)` in the body) run as
// plain text, as chdb takes them.
import { randomUUID } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { join, resolve } from 'node:path'
import { Session } from 'chdb'
import { openChdbAs, type ChdbAsUser } from './chdb-as-user.js'

export interface ClickHouseHttp {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  readonly port: number
  /** Requests answered, by outcome. */
  readonly counts: { ok: number; failed: number; refused: number; inserts: number }
  /** Close the port and every open connection (the engine keeps running). */
  stop(): Promise<void>
  /** Listen again on the same port. */
  start(): Promise<void>
  /** Stop and close the engine. */
  close(): Promise<void>
}

export interface ClickHouseHttpOptions {
  dataDir: string
  /** The collector user's password (users.d reads it from the environment). */
  password: string
  /** The users.d user the engine runs as and requests log in as. */
  user?: string
  /** The port to listen on (default: one the kernel picks). */
  port?: number
}

/** URL parameters that are not settings. */
const NOT_SETTINGS = new Set([
  'query',
  'database',
  'query_id',
  'default_format',
  'user',
  'password',
])
const INSERT_FORMAT = /^\s*INSERT\s+INTO\s+([\s\S]+?)\s+FORMAT\s+(\w+)\s*$/i
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/

export async function startClickHouseHttp(o: ClickHouseHttpOptions): Promise<ClickHouseHttp> {
  const user = o.user ?? 'collector'
  const chdb: ChdbAsUser = openChdbAs(o.dataDir, user)
  const bodies = resolve(o.dataDir, 'http-bodies')
  mkdirSync(bodies, { recursive: true })
  const counts = { ok: 0, failed: 0, refused: 0, inserts: 0 }
  let seq = 0

  const authorized = (req: IncomingMessage): boolean => {
    let name = header(req, 'x-clickhouse-user')
    let key = header(req, 'x-clickhouse-key')
    const basic = /^Basic\s+(.+)$/i.exec(header(req, 'authorization') ?? '')
    if (basic?.[1]) {
      const text = Buffer.from(basic[1], 'base64').toString('utf8')
      const colon = text.indexOf(':')
      name = text.slice(0, colon)
      key = text.slice(colon + 1)
    }
    return name === user && key === o.password
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/ping') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n')
      return
    }
    const body = await readBody(req)
    const queryId = url.searchParams.get('query_id') ?? randomUUID()
    const format = url.searchParams.get('default_format') ?? 'TabSeparated'
    if (!authorized(req)) {
      counts.refused++
      fail(
        res,
        queryId,
        516,
        `${header(req, 'x-clickhouse-user') ?? ''}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)`,
        401,
      )
      return
    }
    const session = new Session(chdb.path)
    let file: string | undefined
    try {
      const database = url.searchParams.get('database')
      if (database !== null) await session.queryAsync(`USE ${identifier(database)}`)
      for (const [k, v] of url.searchParams) {
        if (NOT_SETTINGS.has(k)) continue
        await session.queryAsync(`SET ${identifier(k)} = ${literal(v)}`)
      }
      const inUrl = url.searchParams.get('query')
      let sql: string
      const insert = inUrl !== null && body.byteLength > 0 ? INSERT_FORMAT.exec(inUrl) : null
      if (insert) {
        file = join(bodies, `${process.pid}-${seq++}.body`)
        await writeFile(file, body)
        sql = `INSERT INTO ${insert[1] ?? ''} FROM INFILE ${literal(file)} FORMAT ${insert[2] ?? ''}`
        counts.inserts++
      } else {
        sql = inUrl === null ? body.toString('utf8') : `${inUrl}\n${body.toString('utf8')}`
      }
      const started = process.hrtime.bigint()
      const r = await session.queryAsync(sql, { format })
      const out = Buffer.from(r.bytes())
      counts.ok++
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Format': format,
        'X-ClickHouse-Summary': JSON.stringify({
          read_rows: String(r.rowsRead),
          read_bytes: String(r.bytesRead),
          written_rows: '0',
          written_bytes: '0',
          total_rows_to_read: String(r.rowsRead),
          result_rows: '0',
          result_bytes: String(out.byteLength),
          elapsed_ns: String(process.hrtime.bigint() - started),
        }),
      })
      res.end(out)
    } catch (err) {
      counts.failed++
      const e = err as { clickhouseCode?: number; message?: string }
      const text = String(e.message ?? err).replace(/^Query failed: /, '')
      const code = e.clickhouseCode ?? Number(/Code: (\d+)\./.exec(text)?.[1] ?? 1001)
      fail(
        res,
        queryId,
        code,
        text.startsWith('Code:') ? text : `Code: ${code}. DB::Exception: ${text}`,
      )
    } finally {
      session.close()
      if (file) rmSync(file, { force: true })
    }
  }

  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = o.port ?? 0
  const listen = async (): Promise<void> => {
    const s = createServer((req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) fail(res, '', 1001, String(err))
        else res.destroy()
      })
    })
    s.on('connection', (c) => {
      sockets.add(c)
      c.once('close', () => sockets.delete(c))
    })
    await new Promise<void>((r, reject) => {
      s.once('error', reject)
      s.listen(port, '127.0.0.1', () => r())
    })
    port = (s.address() as AddressInfo).port
    server = s
  }
  const stop = async (): Promise<void> => {
    const s = server
    server = undefined
    if (!s) return
    const closed = new Promise<void>((r) => s.close(() => r()))
    for (const c of sockets) c.destroy()
    await closed
  }
  await listen()
  return {
    get url() {
      return `http://127.0.0.1:${port}`
    },
    get port() {
      return port
    },
    counts,
    stop,
    start: listen,
    async close() {
      await stop()
      chdb.close()
    },
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const c of req) parts.push(c as Buffer)
  return Buffer.concat(parts)
}

function fail(
  res: ServerResponse,
  queryId: string,
  code: number,
  text: string,
  status = 500,
): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=UTF-8',
    'X-ClickHouse-Exception-Code': String(code),
    ...(queryId ? { 'X-ClickHouse-Query-Id': queryId } : {}),
  })
  res.end(`${text}\n`)
}

function identifier(name: string): string {
  if (!IDENT.test(name))
    throw new Error(`Code: 62. DB::Exception: bad identifier ${name}. (SYNTAX_ERROR)`)
  return name
}

/** A ClickHouse string literal. */
function literal(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}
