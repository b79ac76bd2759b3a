// The console's state lives in the URL: the view, the page's subject (a device, a remote
// host, an AS, ...), the time range and the filters (and on the alerts page the kind). Changes push a history entry, so back
// and forward walk through them and any view can be bookmarked or shared.
// The range is live (a length ending now: a preset such as 1h, or any length such as 12m
// after a zoom that reached now) or fixed (from/to after any other zoom or a custom range).
import { ALERT_KINDS, FILTER_KEYS } from './contract.js'

export const RANGES = {
  '15m': 900,
  '1h': 3600,
  '6h': 21600,
  '24h': 86400,
  '7d': 604800,
  '30d': 2592000,
}
const UNIT = { m: 60, h: 3600, d: 86400 }
/** Pages and the filters that name their subject (kept in the URL like filters, shown as the title). */
export const SUBJECTS = {
  device: ['device'],
  remote: ['remote'],
  as: ['as'],
  country: ['country'],
  service: ['service'],
  exporter: ['exporter'],
  interface: ['exporter', 'interface'],
}
export const VIEWS = ['overview', ...Object.keys(SUBJECTS), 'alerts', 'usage', 'sql']
/** The kinds of alert and the filters the API takes, declared in the collector's source. */
export { ALERT_KINDS, FILTER_KEYS }

/** A live range's length in seconds: a preset, or N followed by m, h or d; else undefined. */
export function rangeSeconds(range) {
  if (range in RANGES) return RANGES[range]
  const m = /^(\d{1,5})([mhd])$/.exec(range ?? '')
  const s = m ? Number(m[1]) * UNIT[m[2]] : 0
  return s >= 300 && s <= 400 * 86400 ? s : undefined
}

/**
 * A length as a range: a preset when it is one, else whole minutes (at least 5), or
 * whole hours past what five digits of minutes hold (about 69 days), at most 400 days.
 */
export function rangeOf(seconds) {
  const preset = Object.keys(RANGES).find((k) => RANGES[k] === seconds)
  if (preset) return preset
  const s = Math.min(400 * 86400, Math.max(300, seconds))
  const minutes = Math.round(s / 60)
  return minutes <= 99_999 ? `${minutes}m` : `${Math.round(s / 3600)}h`
}

export function readState(search = location.search) {
  const p = new URLSearchParams(search)
  const get = (k) => p.get(k) ?? ''
  let view = VIEWS.includes(get('view')) ? get('view') : 'overview'
  const keys = SUBJECTS[view] ?? []
  if (keys.some((k) => get(k) === '')) view = 'overview'
  const subject = Object.fromEntries((SUBJECTS[view] ?? []).map((k) => [k, get(k)]))
  const from = Number(get('from'))
  const to = Number(get('to'))
  const fixed = from > 0 && to > from
  return {
    view,
    subject,
    range: rangeSeconds(get('range')) ? get('range') : '1h',
    from: fixed ? from : null,
    to: fixed ? to : null,
    kind: view === 'alerts' && ALERT_KINDS.includes(get('kind')) ? get('kind') : '',
    filters: Object.fromEntries(
      FILTER_KEYS.filter((k) => get(k) !== '' && !(k in subject)).map((k) => [k, get(k)]),
    ),
  }
}

export function toSearch(s) {
  const p = new URLSearchParams()
  if (s.view !== 'overview') p.set('view', s.view)
  for (const [k, v] of Object.entries(s.subject ?? {})) p.set(k, v)
  if (s.view === 'alerts' && s.kind) p.set('kind', s.kind)
  if (s.from && s.to) {
    p.set('from', String(s.from))
    p.set('to', String(s.to))
  } else if (s.range !== '1h') p.set('range', s.range)
  for (const k of FILTER_KEYS) if (s.filters[k] && !(k in (s.subject ?? {}))) p.set(k, s.filters[k])
  const q = p.toString()
  return q ? `?${q}` : location.pathname
}

/** Whether the range follows the clock. */
export const isLive = (s) => !s.from

/** The window to ask for: the fixed one, or the live one ending now. */
export function windowOf(s) {
  if (s.from && s.to) return { from: s.from, to: s.to }
  const to = Math.floor(Date.now() / 1000)
  return { from: to - rangeSeconds(s.range), to }
}

/** A link to a state changed by `patch`. */
export const hrefOf = (s, patch) => toSearch({ ...s, ...patch })

/**
 * A link to a page (`view` with its `subject`) in the same range, with the filters set
 * by hand but the current page's subject left behind.
 */
export function pageHref(s, view, subject) {
  const filters = Object.fromEntries(Object.entries(s.filters).filter(([k]) => !(k in subject)))
  return toSearch({ ...s, view, subject, filters })
}

/**
 * A host's page: a remote host's, or its device's for one on the LAN (`internal`: its
 * flows were stored as internal), since a remote host's page counts internet traffic
 * only in its facts and remote panels.
 */
export const hostHref = (s, addr, internal) =>
  internal ? pageHref(s, 'device', { device: addr }) : pageHref(s, 'remote', { remote: addr })

let onChange = () => undefined

/** Go to a new state (a history entry), then render it. */
export function navigate(patch) {
  const next = { ...readState(), ...patch }
  history.pushState(null, '', toSearch(next))
  onChange()
}

export function watchState(render) {
  onChange = render
  window.addEventListener('popstate', () => render())
}
