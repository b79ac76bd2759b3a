// The domain -> app list: the bundled file (collector/apps/domains.tsv, data written by
// hand from well-known public facts) with the configuration's overrides on top. A host
// name belongs to the app of its longest listed suffix: "r3.googlevideo.com" to
// googlevideo.com's, "mail.google.com" to its own entry rather than google.com's: the
// rule runs in ClickHouse (schema/0006_apps.sql) on the list loaded there (table.ts);
// here the list is read, merged and merged.
import { readFileSync } from 'node:fs'

export interface AppDomain {
  /** Lower-case domain suffix: `googlevideo.com`. */
  suffix: string
  app: string
  category: string
}

/** Where the bundled list is, beside the package's code (src/ and dist/ alike). */
export const BUNDLED_APP_LIST = new URL('../../apps/domains.tsv', import.meta.url).pathname

const SUFFIX =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/
const NAME = /^[^\t\n\r]{1,64}$/

/** Why a suffix is not one (null when it is). */
export function suffixProblem(suffix: string): string | null {
  return SUFFIX.test(suffix)
    ? null
    : 'a domain suffix is lower-case labels joined by dots, such as youtube.com'
}

/** Why an app or category name is not one (null when it is). */
export function nameProblem(name: string): string | null {
  return NAME.test(name) && name.trim() === name
    ? null
    : 'a name is 1..64 characters without tabs or line breaks, and no space at either end'
}

/** The list's lines (suffix, app, category; `#` comments); an error names the line. */
export function parseAppList(text: string, where: string): AppDomain[] {
  const out: AppDomain[] = []
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return
    const [suffix = '', app = '', category = '', ...rest] = line.split('\t')
    const problem =
      rest.length > 0
        ? 'more than three tab-separated fields'
        : (suffixProblem(suffix) ?? nameProblem(app) ?? nameProblem(category))
    if (problem) throw new Error(`${where}:${i + 1}: ${problem}: ${JSON.stringify(line)}`)
    out.push({ suffix, app, category })
  })
  return out
}

export const loadBundledAppList = (path = BUNDLED_APP_LIST): AppDomain[] =>
  parseAppList(readFileSync(path, 'utf8'), path)

/** The bundled entries with the overrides' replacing those of the same suffix, sorted. */
export function mergeAppLists(
  bundled: readonly AppDomain[],
  overrides: readonly AppDomain[],
): AppDomain[] {
  const by = new Map<string, AppDomain>()
  for (const d of [...bundled, ...overrides]) by.set(d.suffix, d)
  return [...by.values()].sort((a, b) => (a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0))
}
