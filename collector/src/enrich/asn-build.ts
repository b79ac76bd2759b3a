// Build step (`npm run build`, after tsc): parse the bundled ASN CSV files once and write
// the binary table that start-up reads (asn-table-file.ts). Without the package it writes
// nothing, and the collector runs without bundled AS data as before.
import { loadAsnCsv } from './asn-table.js'
import { bundledAsnSources, PREBUILT_ASN_TABLE } from './asn-bundled.js'
import { writeAsnTableFile } from './asn-table-file.js'

const src = bundledAsnSources()
if (!src) {
  console.log('ASN table: @ip-location-db/asn is not installed, nothing to build')
} else {
  const t0 = performance.now()
  const table = loadAsnCsv(src.v4, src.v6)
  const bytes = writeAsnTableFile(PREBUILT_ASN_TABLE, table, src.fingerprint)
  const ranges = table.v4Row.length + table.v6Row.length
  const ms = Math.round(performance.now() - t0)
  console.log(
    `ASN table built into ${PREBUILT_ASN_TABLE}: ${ranges} ranges, ${bytes} bytes, ${ms} ms`,
  )
}
