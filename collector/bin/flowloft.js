#!/usr/bin/env node
// The `flowloft` command: npm links this file at install, before the TypeScript is built,
// so it only loads the build and says what to do when there is none.
import { existsSync } from 'node:fs'

const main = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(main)) {
  process.stderr.write(
    'flowloft is not built yet: run `make build` (or `npm run build`) in the repository\n',
  )
  process.exit(1)
}
await import(main.href)
