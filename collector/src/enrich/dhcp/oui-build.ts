// Build step (`npm run build`, after tsc): the vendor table of the bundled IEEE registry
// (oui-data) as the small text file the collector reads when it first needs a vendor.
// Without the package it writes nothing, and leases without a host name stay unnamed.
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { ouiText, PREBUILT_OUI } from './oui.js'

const require = createRequire(import.meta.url)
let path: string | null = null
try {
  path = require.resolve('oui-data')
} catch {
  console.log('OUI table: oui-data is not installed, nothing to build')
}
if (path) {
  const t0 = performance.now()
  const text = ouiText(JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>)
  writeFileSync(PREBUILT_OUI, text)
  const ms = Math.round(performance.now() - t0)
  const blocks = text.split('\n').length - 1
  console.log(
    `OUI table built into ${PREBUILT_OUI}: ${blocks} blocks, ${text.length} bytes, ${ms} ms`,
  )
}
