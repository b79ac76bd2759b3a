// Users' SQL is judged by ClickHouse's own parser before it runs. The engine enforces
// most of the rules itself (readonly=1 on users' sessions: no write, no DDL, no setting
// change, SETTINGS clauses included; the users file's grants: no file, URL or remote
// source, no other database); what escapes grants in an in-process engine is refused
// here, from the statement's syntax tree:
// - more than one statement (chdb would run them all): formatQuery() refuses them;
// - INTO OUTFILE (written by the client part of clickhouse-local, which no grant covers):
//   the file name is a literal child of the statement itself;
// - the scalar file() function (reads any path in clickhouse-local);
// - anything but reading: the statement's kind must be one of READ_STATEMENTS (not
//   EXPLAIN: the answer's FORMAT would attach to the explained statement);
// - a SETTINGS clause in a subquery: readonly=1 refuses one on the statement itself,
//   but chdb 3.4 applied one inside a subquery (getSetting showed the change);
// - a FORMAT clause: the API chooses the format (?format=);
// - the key of anonymise.clear_days (flowloft.anonymise_key, which the engine's grants do
//   not separate from the rest of flowloft on the embedded engine): any name holding
//   `anonymise_key`, and the functions that name a table by a constant expression
//   (joinGet, merge, loop), which could spell it in parts.
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client'

/** Statement kinds (the root of `EXPLAIN AST`) users may run. */
const READ_STATEMENTS = new Set([
  'SelectWithUnionQuery',
  'ShowTables',
  'ShowColumns',
  'DescribeQuery',
  'ShowCreateTableQuery',
  'ExistsTableQuery',
])

/** Functions that touch the file system whatever the grants say (lower case). */
const FILE_FUNCTIONS = new Set(['file'])
/** Functions taking a table's name as a constant expression (lower case). */
const TABLE_NAME_FUNCTIONS = new Set(['joinget', 'joingetornull', 'merge', 'loop'])
const KEY_TABLE_NAME = 'anonymise_key'

export type Verdict =
  { ok: true } | { ok: false; reason: 'syntax' | 'refused'; message: string; cause?: unknown }

interface AstNode {
  depth: number
  kind: string
  name: string
}

/** Lines of `EXPLAIN AST` output: two spaces of indent a level, `Kind [name] ...`. */
export function parseAstDump(text: string): AstNode[] {
  const nodes: AstNode[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    const depth = line.length - line.trimStart().length
    const [kind = '', name = ''] = line.trim().split(' ')
    nodes.push({ depth, kind, name })
  }
  return nodes
}

/** Judge one statement's syntax tree (the nodes of its `EXPLAIN AST`). */
export function judgeAst(nodes: readonly AstNode[]): Verdict {
  const root = nodes[0]
  if (!root) return { ok: false, reason: 'syntax', message: 'empty statement' }
  if (!READ_STATEMENTS.has(root.kind))
    return refuse(`${root.kind} statements are not allowed: only SELECT, SHOW, DESCRIBE and EXISTS`)
  for (const n of nodes) {
    if (n.name.toLowerCase().includes(KEY_TABLE_NAME))
      return refuse('flowloft.anonymise_key is not readable: it holds the anonymisation key')
    if (n.kind === 'Function' && TABLE_NAME_FUNCTIONS.has(n.name.toLowerCase()))
      return refuse(`the ${n.name}() function is not allowed`)
    if (n.kind === 'Function' && FILE_FUNCTIONS.has(n.name.toLowerCase()))
      return refuse(`the ${n.name}() function is not allowed: it reads the server's files`)
    if (n.kind === 'Set')
      return refuse('a SETTINGS clause is not allowed: the limits of the API are fixed')
  }
  const children = nodes.filter((n) => n.depth === root.depth + 1)
  if (children.some((n) => n.kind === 'Literal'))
    return refuse('INTO OUTFILE is not allowed: answers go to the HTTP response only')
  if (
    (root.kind === 'SelectWithUnionQuery' || root.kind === 'ShowTables') &&
    children.some((n) => n.kind === 'Identifier')
  )
    return refuse('a FORMAT clause is not allowed: ask with ?format=json, csv or tsv instead')
  return { ok: true }
}

function refuse(message: string): Verdict {
  return { ok: false, reason: 'refused', message }
}

/** Parse `sql` with ClickHouse on `client` (read-only is enough) and judge it. */
export async function checkStatement(
  client: ClickHouseClient,
  sql: string,
  settings: ClickHouseSettings,
): Promise<Verdict> {
  let single: string
  try {
    // The text travels as a bound parameter: it is parsed, never run, here.
    const rs = await client.query({
      query: 'SELECT formatQuery({q:String}) AS f',
      query_params: { q: sql },
      format: 'JSONEachRow',
      clickhouse_settings: settings,
    })
    single = (await rs.json<{ f: string }>())[0]?.f ?? ''
  } catch (err) {
    const message =
      err instanceof Error
        ? err.message.replace(/[\s.:]*In scope SELECT formatQuery\(.*$/s, '')
        : String(err)
    return { ok: false, reason: 'syntax', message, cause: err }
  }
  // exec() adds no FORMAT clause (one would attach to the explained statement): the
  // lines come in the request's default format.
  const r = await client.exec({
    query: `EXPLAIN AST ${single}`,
    clickhouse_settings: { ...settings, default_format: 'TabSeparatedRaw' },
  })
  let text = ''
  for await (const chunk of r.stream as AsyncIterable<Buffer>) text += chunk.toString('utf8')
  return judgeAst(parseAstDump(text))
}
