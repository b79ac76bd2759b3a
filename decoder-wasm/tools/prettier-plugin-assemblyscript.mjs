// @ts-check
// Prettier for AssemblyScript: the TypeScript parser and printer, except that
// AssemblyScript's `@inline` on a function (which TypeScript refuses: "Decorators are not
// valid here") is taken out before parsing, blanked so every position stays, and printed
// again in front of the function it belonged to. .prettierrc.json gives assembly/ files
// this parser.
import * as estree from 'prettier/plugins/estree'
import { parsers as typescript } from 'prettier/plugins/typescript'

const DECORATOR = /^@inline[ \t]+(?=(?:export[ \t]+)?function\b)/gm
const INLINE = Symbol('AssemblyScript @inline')

/**
 * @typedef {{ type?: string, range?: [number, number], start?: number, [key: string | symbol]: unknown }} Node
 */

/** Mark the nodes that start where an `@inline` was taken out. @param {unknown} node @param {Set<number>} at */
function mark(node, at) {
  if (node === null || typeof node !== 'object') return
  if (Array.isArray(node)) {
    for (const child of node) mark(child, at)
    return
  }
  const n = /** @type {Node} */ (node)
  const start = n.range?.[0] ?? n.start
  if (
    (n.type === 'ExportNamedDeclaration' || n.type === 'FunctionDeclaration') &&
    start !== undefined &&
    at.delete(start)
  ) {
    n[INLINE] = true
  }
  for (const [key, child] of Object.entries(n))
    if (key !== 'parent' && key !== 'comments' && key !== 'tokens') mark(child, at)
}

const base = typescript.typescript
const printer = estree.printers.estree

/** @type {import('prettier').Plugin['parsers']} */
export const parsers = {
  assemblyscript: {
    ...base,
    astFormat: 'assemblyscript-estree',
    /** @param {string} text @param {import('prettier').ParserOptions} options */
    async parse(text, options) {
      const at = new Set()
      const blanked = text.replace(DECORATOR, (m, offset) => {
        at.add(offset + m.length)
        return ' '.repeat(m.length)
      })
      const ast = await base.parse(blanked, options)
      mark(ast, at)
      if (at.size > 0) throw new Error(`@inline at offset ${[...at][0]} is on no function`)
      return ast
    },
  },
}

/** @type {import('prettier').Plugin['printers']} */
export const printers = {
  'assemblyscript-estree': {
    ...printer,
    print(path, options, print, args) {
      const doc = printer.print(path, options, print, args)
      const node = /** @type {Node} */ (path.node)
      return node[INLINE] ? ['@inline ', doc] : doc
    },
  },
}
