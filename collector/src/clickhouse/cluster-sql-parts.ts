// Small readers of the schema's own SQL (schema/*.sql): balanced parentheses, top-level
// comma lists, column names. Enough for the statements flowloft writes, not a parser:
// every cluster statement made from them is checked by ClickHouse's own parser
// (cluster-ddl.test.ts).

/**
 * Each character of `text` from `from` outside quotes, with the parenthesis depth before
 * it; quoted text ('', ``, "") is skipped.
 */
function* unquoted(text: string, from = 0): Generator<[index: number, c: string, depth: number]> {
  let depth = 0
  let quote = ''
  for (let i = from; i < text.length; i++) {
    const c = text[i] ?? ''
    if (quote !== '') {
      if (c === '\\') i++
      else if (c === quote) quote = ''
      continue
    }
    if (c === "'" || c === '`' || c === '"') quote = c
    else {
      yield [i, c, depth]
      if (c === '(') depth++
      else if (c === ')') depth--
    }
  }
}

/** Index just past the `)` that closes the `(` at `open`; throws when there is none. */
export function closingParen(text: string, open: number): number {
  for (const [i, c, depth] of unquoted(text, open)) if (c === ')' && depth === 1) return i + 1
  throw new Error(`unbalanced parentheses in: ${text.slice(open, open + 80)}`)
}

/** The items of a comma list, split at top level only (not inside (), '' or ``). */
export function topLevelItems(list: string): string[] {
  const out: string[] = []
  let start = 0
  for (const [i, c, depth] of unquoted(list))
    if (c === ',' && depth === 0) {
      out.push(list.slice(start, i).trim())
      start = i + 1
    }
  const last = list.slice(start).trim()
  if (last !== '') out.push(last)
  return out
}

/** Column names of a `(col Type ..., ...)` list (indexes, projections, constraints left out). */
export function columnNames(parenthesized: string): string[] {
  return topLevelItems(parenthesized.trim().slice(1, -1))
    .filter((item) => !/^(INDEX|PROJECTION|CONSTRAINT)\s/i.test(item))
    .map((item) => (/^`?([A-Za-z_][A-Za-z0-9_]*)`?/.exec(item)?.[1] ?? '').trim())
    .filter((name) => name !== '')
}
