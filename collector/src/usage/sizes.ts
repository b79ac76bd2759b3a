// Byte sizes as people write a data cap: a whole number of bytes, or a number with a unit.
// kB, MB, GB, TB, PB are decimal (what ISPs bill); KiB, MiB, GiB, TiB binary.

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
}

/** Bytes of `500 GB`, `1.5TB`, `200GiB` or `1000000`; undefined when it is not a size. */
export function parseSize(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : undefined
  if (typeof v !== 'string') return undefined
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v.trim())
  if (!m) return undefined
  const unit = UNITS[(m[2] ?? '').toLowerCase() || 'b']
  if (unit === undefined) return undefined
  const n = Math.round(Number(m[1]) * unit)
  return Number.isSafeInteger(n) && n > 0 ? n : undefined
}

export const SIZE_RULE = 'a size such as 500 GB, 1.5 TB, 200 GiB or a number of bytes'
