// The decoder's AssemblyScript is layered: no import circle between its files or its
// folders (assembly/<folder>/), so each folder can be read on top of the ones it uses.
// ESLint does not read AssemblyScript's imports; this walks them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../assembly', import.meta.url))

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : []
  })
}

/** Each file's imports of other files of the tree. */
function importGraph(): Map<string, Set<string>> {
  const files = sources(root)
  const known = new Set(files)
  const graph = new Map<string, Set<string>>()
  for (const f of files) {
    const deps = new Set<string>()
    for (const m of readFileSync(f, 'utf8').matchAll(/\bfrom\s+'(\.[^']+)'/g)) {
      const target = `${resolve(dirname(f), m[1] ?? '')}.ts`
      assert.ok(known.has(target), `${relative(root, f)} imports ${m[1]}, which is not there`)
      deps.add(target)
    }
    graph.set(f, deps)
  }
  return graph
}

/** The circles of a graph: its strongly connected parts of more than one node. */
function circles<T>(graph: Map<T, Set<T>>): T[][] {
  const index = new Map<T, number>()
  const low = new Map<T, number>()
  const stack: T[] = []
  const out: T[][] = []
  const visit = (v: T): void => {
    index.set(v, index.size)
    low.set(v, index.get(v) ?? 0)
    stack.push(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0))
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0))
    }
    if (low.get(v) === index.get(v)) {
      const part: T[] = []
      for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) part.push(w)
      if (part.length > 1) out.push(part)
    }
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return out
}

void test('assembly/ has no import circle between files', () => {
  const found = circles(importGraph()).map((c) => c.map((f) => relative(root, f)).sort())
  assert.deepEqual(found, [])
})

void test('assembly/ has no import circle between folders', () => {
  const folders = new Map<string, Set<string>>()
  for (const [f, deps] of importGraph()) {
    const from = relative(root, dirname(f)) || '.'
    const to = folders.get(from) ?? new Set<string>()
    for (const d of deps) {
      const folder = relative(root, dirname(d)) || '.'
      if (folder !== from) to.add(folder)
    }
    folders.set(from, to)
  }
  assert.deepEqual(circles(folders), [])
})
