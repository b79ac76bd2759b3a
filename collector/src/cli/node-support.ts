// Which Node.js releases run flowloft, and the one line to say when this one does not or
// is past its end of life. No imports and nothing newer than ES2022: the launcher
// (bin/flowloft.js) loads this file before the rest of the build, which an older Node
// cannot even link (zlib.crc32 came in 20.15 and 22.2; lint's ESLint 10 needs 20.19/22.13).

/** The oldest release of each supported line; every line after the last one runs too. */
export const NODE_LINES: readonly (readonly [major: number, minor: number])[] = [
  [20, 19],
  [22, 13],
  [24, 0],
]

/** The line CI tests and the appliance image runs. */
export const NODE_RECOMMENDED = '24 LTS'

/** Lines still supported but past their end of life upstream, and when it came. */
const END_OF_LIFE: Readonly<Record<number, string>> = { 20: 'April 2026' }

/** NODE_LINES as a package.json `engines.node` range. */
export function nodeEngines(): string {
  return NODE_LINES.map(([major, minor], i) =>
    i === NODE_LINES.length - 1 ? `>=${major}` : `^${major}.${minor}.0`,
  ).join(' || ')
}

function parse(version: string): { major: number; minor: number } | null {
  const m = /^v?(\d+)\.(\d+)\./.exec(version)
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null
}

/** Null when `version` (such as process.version) runs flowloft, else the line to print. */
export function unsupportedNode(version: string): string | null {
  const v = parse(version)
  if (v === null) return null
  const last = NODE_LINES[NODE_LINES.length - 1]
  const ok =
    (last !== undefined && v.major > last[0]) ||
    NODE_LINES.some(([major, minor]) => v.major === major && v.minor >= minor)
  if (ok) return null
  const needs = NODE_LINES.map(([major, minor], i) =>
    i === NODE_LINES.length - 1 ? `${major}+` : `${major}.${minor}+`,
  )
  const list = `${needs.slice(0, -1).join(', ')} or ${needs.at(-1) ?? ''}`
  return `flowloft needs Node.js ${list} (${NODE_RECOMMENDED} recommended); this is v${version.replace(/^v/, '')}`
}

/** Null unless `version` is on a line past its end of life: then the warning to log. */
export function endOfLifeNode(version: string): string | null {
  const v = parse(version)
  const when = v === null ? undefined : END_OF_LIFE[v.major]
  if (v === null || when === undefined) return null
  return `Node.js ${v.major} reached its end of life in ${when}: run flowloft on Node.js ${NODE_RECOMMENDED}`
}
