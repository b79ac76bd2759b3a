#!/usr/bin/env node
// The `flowloft` command: npm links this file at install, before the TypeScript is built,
// so it only loads the build and says what to do when there is none, or when this Node.js
// is one the build cannot run on (said before loading the rest, which would not even link).
import { existsSync } from 'node:fs'

const main = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(main)) {
  process.stderr.write(
    'flowloft is not built yet: run `make build` (or `npm run build`) in the repository\n',
  )
  process.exit(1)
}
const { unsupportedNode } = await import(
  new URL('../dist/cli/node-support.js', import.meta.url).href
)
const unsupported = unsupportedNode(process.version)
if (unsupported !== null) {
  process.stderr.write(`${unsupported}\n`)
  process.exit(1)
}
await import(main.href)
