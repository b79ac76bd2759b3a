// The bundled ASN ranges as one binary file, written by the build (asn-build.ts) so that
// start-up reads ~12 MB straight into shared memory instead of parsing ~33 MB of CSV.
// Layout (little-endian u32 words): magic, byte-order mark, counts, the source
// fingerprint, then the AsnTableData arrays back to back. The file is only trusted when
// magic, byte order, fingerprint and length all match; otherwise the caller uses the CSV.
import { closeSync, fstatSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs'
import type { AsnTableData } from './asn-table.js'

const MAGIC = 'FHASN001'
const BYTE_ORDER = 0x01020304
/** magic (8) + byte order, n4, n6, rows, names bytes, fingerprint bytes (6 × 4). */
const HEADER = 32

const pad4 = (n: number): number => (n + 3) & ~3

/** The arrays in file order with their length in elements. */
function sections(n4: number, n6: number, rows: number) {
  return [
    ['v4Start', n4],
    ['v4End', n4],
    ['v4Row', n4],
    ['v6Start', 4 * n6],
    ['v6End', 4 * n6],
    ['v6Row', n6],
    ['rowAsn', rows],
    ['rowNameAt', rows + 1],
  ] as const satisfies readonly (readonly [keyof AsnTableData, number])[]
}

/** Write the table atomically (temp file, then rename). */
export function writeAsnTableFile(path: string, t: AsnTableData, fingerprint: string): number {
  const fp = Buffer.from(fingerprint)
  const rows = t.rowAsn.length
  const parts: Uint8Array[] = []
  const head = Buffer.alloc(HEADER)
  head.write(MAGIC, 0, 'latin1')
  const words = [BYTE_ORDER, t.v4Row.length, t.v6Row.length, rows, t.names.length, fp.length]
  words.forEach((w, k) => head.writeUInt32LE(w, 8 + 4 * k))
  parts.push(head, fp, Buffer.alloc(pad4(fp.length) - fp.length))
  for (const [key] of sections(t.v4Row.length, t.v6Row.length, rows)) {
    const a = t[key]
    const b = Buffer.alloc(a.byteLength)
    for (let k = 0; k < a.length; k++) b.writeUInt32LE(a[k] ?? 0, 4 * k)
    parts.push(b)
  }
  parts.push(Buffer.from(t.names))
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, Buffer.concat(parts))
  renameSync(tmp, path)
  return parts.reduce((n, p) => n + p.length, 0)
}

/**
 * Read a table file into one SharedArrayBuffer (workers get views of it, not copies).
 * Returns the reason as text when the file cannot be used.
 */
export function readAsnTableFile(path: string, fingerprint: string): AsnTableData | string {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return 'no prebuilt table file'
  }
  try {
    const size = fstatSync(fd).size
    if (size < HEADER) return 'prebuilt table file is truncated'
    const sab = new SharedArrayBuffer(pad4(size))
    const buf = Buffer.from(sab, 0, size)
    for (let at = 0; at < size;) {
      const n = readSync(fd, buf, at, size - at, at)
      if (n === 0) return 'prebuilt table file is truncated'
      at += n
    }
    if (buf.toString('latin1', 0, 8) !== MAGIC) return 'prebuilt table file has another format'
    // Typed arrays use the machine's byte order; the file is little-endian.
    if (new Uint32Array(sab, 8, 1)[0] !== BYTE_ORDER) return 'machine is not little-endian'
    const [n4, n6, rows, namesLen, fpLen] = [12, 16, 20, 24, 28].map((o) => buf.readUInt32LE(o))
    if (
      n4 === undefined ||
      n6 === undefined ||
      rows === undefined ||
      namesLen === undefined ||
      fpLen === undefined
    )
      return 'prebuilt table file is truncated'
    if (HEADER + fpLen > size) return 'prebuilt table file is truncated'
    if (buf.toString('utf8', HEADER, HEADER + fpLen) !== fingerprint)
      return 'prebuilt table file was built from other CSV files'
    let at = HEADER + pad4(fpLen)
    const list = sections(n4, n6, rows)
    const words = list.reduce((n, [, len]) => n + len, 0)
    if (at + 4 * words + namesLen !== size) return 'prebuilt table file has the wrong length'
    const out: Partial<AsnTableData> = {}
    for (const [key, len] of list) {
      out[key] = new Uint32Array(sab, at, len)
      at += 4 * len
    }
    out.names = new Uint8Array(sab, at, namesLen)
    return out as AsnTableData
  } finally {
    closeSync(fd)
  }
}
