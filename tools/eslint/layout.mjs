// @ts-check
// Lint rules for the layout (ARCHITECTURE.md): product source imports no test, fixture,
// bench or tool code, and its imports form no cycle, between files or between folders.
// The import graph of a product root is read once per lint run from the sources.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const REPO = resolve(import.meta.dirname, '../..')
/** Where product source lives; everything else is tests, tools or benches. */
export const PRODUCT_ROOTS = ['collector/src', 'decoder-wasm/src', 'decoder-wasm/assembly'].map(
  (r) => join(REPO, r),
)
/** Paths and packages product source must not import. */
const NOT_PRODUCT = [
  /\/collector\/(test|tools|dist-test)\//,
  /\/decoder-wasm\/(testing|test)\//,
  /^\/.*\/bench\//,
  /\/tools\//,
  /^@flowloft\/decoder-wasm\/testing/,
]
// Type-only imports are left out: they are erased from the build and form no cycle at
// run time (the same choice as eslint-plugin-import's no-cycle).
const IMPORT =
  /(?:^|[\s;])(?:import\s+(?!type\s)(?:[^'";]*?\sfrom\s*)?|export\s+(?!type\s)[^'";]*?\sfrom\s*)['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]/g

/** @param {string} file */
const rootOf = (file) => PRODUCT_ROOTS.find((r) => file.startsWith(r + '/'))

/** @param {string} dir @returns {string[]} */
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return sources(p)
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : []
  })
}

/** @param {string} from @param {string} spec */
// AssemblyScript imports name no extension; TypeScript's name the built `.js`.
const resolveTs = (from, spec) => resolve(dirname(from), spec).replace(/\.js$/, '') + '.ts'

/**
 * Strongly connected components with more than one member (Tarjan).
 * @param {Map<string, Set<string>>} edges
 * @returns {Map<string, number>} member -> component number
 */
function cycles(edges) {
  let next = 0
  /** @type {string[]} */
  const stack = []
  const index = new Map()
  const low = new Map()
  const onStack = new Set()
  const component = new Map()
  let found = 0
  /** @param {string} v */
  const visit = (v) => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v), low.get(w)))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)))
    }
    if (low.get(v) !== index.get(v)) return
    /** @type {string[]} */
    const members = []
    let w
    do {
      w = /** @type {string} */ (stack.pop())
      onStack.delete(w)
      members.push(w)
    } while (w !== v)
    if (members.length > 1) {
      for (const m of members) component.set(m, found)
      found++
    }
  }
  for (const v of edges.keys()) if (!index.has(v)) visit(v)
  return component
}

/** @type {Map<string, { fileCycle: Map<string, number>, folderCycle: Map<string, number> }>} */
const graphs = new Map()
/** @param {string} root */
function graphOf(root) {
  let g = graphs.get(root)
  if (g) return g
  /** @type {Map<string, Set<string>>} */
  const files = new Map()
  /** @type {Map<string, Set<string>>} */
  const folders = new Map()
  for (const file of sources(root)) {
    const targets = new Set()
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]
      if (spec) targets.add(resolveTs(file, spec))
    }
    files.set(file, targets)
    const a = dirname(file)
    for (const t of targets) {
      const b = dirname(t)
      if (a === b || !t.startsWith(root + '/')) continue
      if (!folders.has(a)) folders.set(a, new Set())
      folders.get(a)?.add(b)
    }
  }
  g = { fileCycle: cycles(files), folderCycle: cycles(folders) }
  graphs.set(root, g)
  return g
}

/** @param {string} path */
const show = (path) => relative(REPO, path)

/**
 * The same check on every statement that names a module.
 * @param {(node: any) => void} check
 */
const visitors = (check) => ({
  ImportDeclaration: check,
  ExportAllDeclaration: check,
  ExportNamedDeclaration: check,
  ImportExpression: check,
})

/** @type {import('eslint').ESLint.Plugin} */
const plugin = {
  rules: {
    'product-only': {
      meta: {
        type: 'problem',
        docs: { description: 'product source imports no test, fixture, bench or tool code' },
        schema: [],
      },
      create(context) {
        const file = context.filename
        if (!rootOf(file)) return {}
        /** @param {any} node */
        const check = (node) => {
          const spec = node.source?.value
          if (typeof spec !== 'string') return
          const target = spec.startsWith('.') ? resolve(dirname(file), spec) : spec
          if (NOT_PRODUCT.some((re) => re.test(target)))
            context.report({
              node: node.source,
              message: `product source imports non-product code: ${spec.startsWith('.') ? show(target) : spec}`,
            })
        }
        return visitors(check)
      },
    },
    'no-cycle': {
      meta: {
        type: 'problem',
        docs: { description: 'no import cycle between files or between folders' },
        schema: [],
      },
      create(context) {
        const file = context.filename
        const root = rootOf(file)
        if (!root) return {}
        const g = graphOf(root)
        /** @param {any} node */
        const check = (node) => {
          const spec = node.source?.value
          if (typeof spec !== 'string' || !spec.startsWith('.')) return
          if (node.importKind === 'type' || node.exportKind === 'type') return
          const target = resolveTs(file, spec)
          const fc = g.fileCycle.get(file)
          if (fc !== undefined && g.fileCycle.get(target) === fc) {
            context.report({
              node: node.source,
              message: `import cycle: ${show(file)} and ${show(target)} import each other (directly or through others)`,
            })
            return
          }
          const a = dirname(file)
          const b = dirname(target)
          const dc = g.folderCycle.get(a)
          if (a !== b && dc !== undefined && g.folderCycle.get(b) === dc)
            context.report({
              node: node.source,
              message: `folder cycle: ${show(a)}/ imports ${show(b)}/, which imports ${show(a)}/ back (directly or through others)`,
            })
        }
        return visitors(check)
      },
    },
  },
}

export default plugin
