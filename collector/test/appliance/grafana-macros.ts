// Expands a panel's SQL the way the Grafana ClickHouse datasource (4.x) does before it
// reaches ClickHouse: $__conditionalAll, the time macros, then dashboard variables.
// Used by the dashboards test to run every panel on the real engine.

export interface Expansion {
  /** Range in unix seconds. */
  from: number
  to: number
  /** Bucket width Grafana would pick ($__interval_s, at least 1). */
  intervalS: number
  /** Variable values (several for a multi-select); ALL selects "All". */
  vars: Record<string, string | readonly string[]>
}

export const ALL = '$__all'

/** Variables a SQL text refers to (`$name`, `${name}`, `${name:format}`), macros excluded. */
export function variablesUsed(sql: string): Set<string> {
  const out = new Set<string>()
  for (const m of sql.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g)) {
    const name = m[1] ?? m[2] ?? ''
    if (!name.startsWith('__')) out.add(name)
  }
  return out
}

/** Calls of `$__name(...)` with their argument text, parentheses balanced. */
function replaceCalls(sql: string, name: string, fn: (args: string[]) => string): string {
  const head = `$__${name}(`
  let out = ''
  let i = 0
  for (;;) {
    const at = sql.indexOf(head, i)
    if (at < 0) return out + sql.slice(i)
    let depth = 1
    let j = at + head.length
    const args: string[] = []
    let argStart = j
    let quote = false
    for (; j < sql.length && depth > 0; j++) {
      const c = sql[j]
      if (c === "'") quote = !quote
      if (quote) continue
      if (c === '(') depth++
      else if (c === ')') depth--
      else if (c === ',' && depth === 1) {
        args.push(sql.slice(argStart, j).trim())
        argStart = j + 1
      }
    }
    if (depth !== 0) throw new Error(`unbalanced ${head} at ${at}`)
    args.push(sql.slice(argStart, j - 1).trim())
    out += sql.slice(i, at) + fn(args)
    i = j
  }
}

function varName(ref: string): string {
  const m = /^\$\{(\w+)\}$|^\$(\w+)$/.exec(ref.trim())
  const name = m?.[1] ?? m?.[2]
  if (name === undefined) throw new Error(`$__conditionalAll needs a plain variable, got ${ref}`)
  return name
}

export function expand(sql: string, e: Expansion): string {
  let s = replaceCalls(sql, 'conditionalAll', (args) => {
    if (args.length !== 2) throw new Error(`$__conditionalAll takes 2 arguments: ${args.join(',')}`)
    const v = e.vars[varName(args[1] ?? '')]
    const values = typeof v === 'string' ? [v] : (v ?? [])
    return values.length === 0 || values.includes(ALL) || values.includes('')
      ? '1=1'
      : (args[0] ?? '')
  })
  const one = (args: string[], m: string): string => {
    if (args.length !== 1 || !args[0]) throw new Error(`$__${m} takes one column`)
    return args[0]
  }
  s = replaceCalls(
    s,
    'timeFilter',
    (a) =>
      `${one(a, 'timeFilter')} >= toDateTime(${e.from}) AND ${one(a, 'timeFilter')} <= toDateTime(${e.to})`,
  )
  s = replaceCalls(
    s,
    'timeInterval',
    (a) =>
      `toStartOfInterval(toDateTime(${one(a, 'timeInterval')}), INTERVAL ${e.intervalS} second)`,
  )
  s = s
    .replaceAll('$__fromTime', `toDateTime(${e.from})`)
    .replaceAll('$__toTime', `toDateTime(${e.to})`)
    .replaceAll('$__interval_s', String(e.intervalS))
  const leftMacro = /\$__\w+/.exec(s)
  if (leftMacro) throw new Error(`macro not expanded: ${leftMacro[0]}`)
  s = s.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (_all, a?: string, fmt?: string, b?: string) => {
    const name = a ?? b ?? ''
    const v = e.vars[name]
    if (v === undefined) throw new Error(`variable $${name} is not defined`)
    const values = typeof v === 'string' ? [v] : v
    if (values.includes(ALL))
      throw new Error(`variable $${name} used outside $__conditionalAll with All selected`)
    // Grafana joins a multi-select's values with commas, each in the format asked for.
    if (fmt === undefined) return values.join(',')
    if (fmt === 'singlequote') return values.map((x) => `'${x.replace(/'/g, "\\'")}'`).join(',')
    throw new Error(`variable format ${fmt} not handled`)
  })
  return s
}
