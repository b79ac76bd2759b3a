// Numbers for people: SI prefixes, bits per second for rates (as routers and ISPs show
// them), bytes for volumes.
const PREFIXES = ['', 'k', 'M', 'G', 'T', 'P']

export function human(n, unit = 'B') {
  let i = 0
  let v = n
  while (Math.abs(v) >= 1000 && i < PREFIXES.length - 1) {
    v /= 1000
    i++
  }
  const digits = i === 0 || Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2
  return `${v.toFixed(digits)} ${PREFIXES[i]}${unit}`
}

/** A rate in bits per second, from bits per second. */
export const bitRate = (bps) => human(bps, 'b/s')

/** A volume in bytes. */
export const bytes = (b) => human(b, 'B')

/** Local date and time of unix seconds, short. */
export const when = (s) =>
  s ? new Date(s * 1000).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' }) : '-'

const REGIONS = new Intl.DisplayNames([], { type: 'region' })
/** A country's name in the browser's language (built in, no lookup), else its code. */
export function countryName(code) {
  if (!code || code === '-') return '(unknown)'
  try {
    return REGIONS.of(code) ?? code
  } catch {
    return code
  }
}
