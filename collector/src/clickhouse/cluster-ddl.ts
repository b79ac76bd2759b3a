// Cluster DDL made from the single-server migrations (schema/*.sql), so there is one
// schema: each CREATE TABLE becomes a Replicated `<name>_local` table on every shard
// plus a Distributed table under the original name; each materialized view is created
// on every shard over the local tables (each shard rolls up its own rows); ALTERs go to
// the local tables (and to the Distributed ones when they change columns). A statement
// of a shape this file does not know is refused, so a new migration that needs a
// cluster form of its own is noticed by the test that converts every migration. A Join
// table (a lookup the collector fills, such as app_domains) is created on every server
// under its own name, unreplicated; a view's MODIFY QUERY reads the local tables.
import { DATABASE } from './engine-config.js'
import type { Migration } from './migrate.js'
import { distributedEngine, replicatedEngine, shardingKey } from './cluster-engines.js'
import { localTable, onCluster, type Placement } from './cluster-placement.js'
import { closingParen, columnNames, topLevelItems } from './cluster-sql-parts.js'

const DB = DATABASE
const CREATE_TABLE = new RegExp(`^CREATE TABLE IF NOT EXISTS ${DB}\\.(\\w+)\\s+`)
const AS_TABLE = new RegExp(`^AS\\s+${DB}\\.(\\w+)\\s+`)
const ENGINE = /^ENGINE\s*=\s*(\w+)[ \t]*/
const CREATE_VIEW = new RegExp(
  `^CREATE MATERIALIZED VIEW IF NOT EXISTS ${DB}\\.(\\w+)\\s+TO\\s+${DB}\\.(\\w+)\\s+AS\\s+`,
)
const ALTER = new RegExp(`^ALTER TABLE ${DB}\\.(\\w+)\\s+([\\s\\S]+)$`)
const INSERT_SELECT = new RegExp(`^INSERT INTO ${DB}\\.\\w+\\s+SELECT\\b`)
/**
 * How far the rollup job has filled the scheduled rollups (schema/0011): a cluster runs
 * no job, so the table stays empty there and the views feed every row.
 */
const ROLLUP_FILL = new RegExp(`^INSERT INTO ${DB}\\.rollup_fill\\b`)
/** Replicated tables deduplicate through Keeper (replicated_deduplication_window). */
const NON_REPLICATED_SETTING = /^non_replicated_deduplication_window\s*=\s*\d+$/

/** Converts statements in migration order; remembers each table's columns. */
export class ClusterDdl {
  readonly #p: Placement
  readonly #columns = new Map<string, string[]>()
  readonly #views = new Set<string>()

  constructor(p: Placement) {
    if (p.cluster === '') throw new Error('cluster DDL needs a cluster name')
    this.#p = p
  }

  /** The cluster statements of one single-server statement (none, one or more). */
  convert(statement: string): string[] {
    const s = statement.trim()
    if (CREATE_TABLE.test(s)) return this.#createTable(s)
    if (CREATE_VIEW.test(s)) return [this.#createView(s)]
    const alter = ALTER.exec(s)
    if (alter) return this.#alter(alter[1] ?? '', alter[2] ?? '')
    if (ROLLUP_FILL.test(s)) return []
    // A backfill: read through the Distributed tables, written through them.
    if (INSERT_SELECT.test(s)) return [s]
    throw new Error(`no cluster form for: ${s.slice(0, 100)}`)
  }

  #createTable(s: string): string[] {
    const [head = '', name = ''] = CREATE_TABLE.exec(s) ?? []
    let rest = s.slice(head.length)
    let columns: string[]
    let shape: string
    const as = AS_TABLE.exec(rest)
    if (as) {
      const source = as[1] ?? ''
      columns = this.#known(source)
      shape = `AS ${DB}.${localTable(this.#p, source)}`
      rest = rest.slice(as[0].length)
    } else {
      const end = closingParen(rest, rest.indexOf('('))
      shape = rest.slice(0, end).trim()
      columns = columnNames(shape)
      rest = rest.slice(end).trimStart()
    }
    const engine = ENGINE.exec(rest)
    if (!engine) throw new Error(`${DB}.${name}: no ENGINE clause`)
    rest = rest.slice(engine[0].length)
    this.#columns.set(name, columns)
    if (engine[1] === 'Join')
      return [
        `CREATE TABLE IF NOT EXISTS ${DB}.${name}${onCluster(this.#p)}\n${shape}\n${engine[0]}${rest}`,
      ]
    let args = ''
    if (rest.startsWith('(')) {
      const end = closingParen(rest, 0)
      args = rest.slice(1, end - 1)
      rest = rest.slice(end)
    }
    const local = localTable(this.#p, name)
    const c = onCluster(this.#p)
    return [
      `CREATE TABLE IF NOT EXISTS ${DB}.${local}${c}\n${shape}\n` +
        `ENGINE = ${replicatedEngine(engine[1] ?? '', args, local)}${withoutNonReplicated(rest)}`,
      `CREATE TABLE IF NOT EXISTS ${DB}.${name}${c} AS ${DB}.${local}\n` +
        `ENGINE = ${distributedEngine(this.#p.cluster, local, shardingKey(columns))}`,
    ]
  }

  #createView(s: string): string {
    const [head = '', view = '', target = ''] = CREATE_VIEW.exec(s) ?? []
    this.#known(target)
    this.#views.add(view)
    return (
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${DB}.${view}${onCluster(this.#p)} ` +
      `TO ${DB}.${localTable(this.#p, target)} AS\n${this.#localSelect(s.slice(head.length))}`
    )
  }

  /** A view's SELECT reading the local tables. */
  #localSelect(select: string): string {
    return select.replace(
      new RegExp(`\\b(FROM|JOIN)\\s+${DB}\\.(\\w+)(\\s+AS\\s+\\w+)?`, 'g'),
      (_m, kw: string, table: string, alias: string | undefined) => {
        this.#known(table)
        return `${kw} ${DB}.${localTable(this.#p, table)}${alias ?? ` AS ${table}`}`
      },
    )
  }

  #alter(table: string, op: string): string[] {
    const query = /^MODIFY QUERY\s+([\s\S]+)$/i.exec(op.trim())
    if (query && this.#views.has(table))
      return [
        `ALTER TABLE ${DB}.${table}${onCluster(this.#p)} MODIFY QUERY\n${this.#localSelect(query[1] ?? '')}`,
      ]
    this.#known(table)
    const setting = /^MODIFY SETTING\s+([\s\S]+)$/i.exec(op.trim())
    if (setting) {
      const kept = topLevelItems(setting[1] ?? '').filter((x) => !NON_REPLICATED_SETTING.test(x))
      if (kept.length === 0) return []
      op = `MODIFY SETTING ${kept.join(', ')}`
    }
    const c = onCluster(this.#p)
    const out = [`ALTER TABLE ${DB}.${localTable(this.#p, table)}${c} ${op}`]
    // The Distributed table mirrors the columns of its local table (not its sorting key).
    const columns = topLevelItems(op).filter((x) => /\bCOLUMN\b/i.test(x))
    if (columns.length > 0) out.push(`ALTER TABLE ${DB}.${table}${c} ${columns.join(', ')}`)
    return out
  }

  #known(table: string): string[] {
    const columns = this.#columns.get(table)
    if (!columns) throw new Error(`${DB}.${table} is used before a migration creates it`)
    return columns
  }
}

/** The SETTINGS clause at the end of a CREATE without the non-replicated window. */
function withoutNonReplicated(rest: string): string {
  const m = /\bSETTINGS\s+([\s\S]+)$/.exec(rest)
  if (!m) return /^\s/.test(rest) || rest === '' ? rest : `\n${rest}`
  const kept = topLevelItems(m[1] ?? '').filter((x) => !NON_REPLICATED_SETTING.test(x))
  const head = rest.slice(0, m.index).trimEnd()
  const lead = /^\s/.test(head) || head === '' ? head : `\n${head}`
  return kept.length === 0 ? lead : `${lead}\nSETTINGS ${kept.join(', ')}`
}

/** Every migration with its statements in their cluster form (same versions and names). */
export function clusterMigrations(migrations: readonly Migration[], p: Placement): Migration[] {
  const ddl = new ClusterDdl(p)
  return migrations.map((m) => ({ ...m, statements: m.statements.flatMap((s) => ddl.convert(s)) }))
}
