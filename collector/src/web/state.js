// The console's state lives in the URL: view, device, time range (a preset, live, or a
// fixed from/to after a zoom) and filters. Changes push a history entry, so back and
// forward walk through them and any view can be bookmarked or shared.
export const RANGES = {
  '15m': 900,
  '1h': 3600,
  '6h': 21600,
  '24h': 86400,
  '7d': 604800,
  '30d': 2592000,
}
export const VIEWS = ['overview', 'device', 'sql']
/** Filters the API takes (api/filters.ts), except device, which has its own page. */
export const FILTER_KEYS = ['remote', 'as', 'country', 'service', 'proto', 'exporter']

export function readState(search = location.search) {
  const p = new URLSearchParams(search)
  const view = VIEWS.includes(p.get('view')) ? p.get('view') : 'overview'
  const from = Number(p.get('from'))
  const to = Number(p.get('to'))
  const fixed = from > 0 && to > from
  return {
    view,
    device: view === 'device' ? (p.get('device') ?? '') : '',
    range: p.get('range') in RANGES ? p.get('range') : '1h',
    from: fixed ? from : null,
    to: fixed ? to : null,
    filters: Object.fromEntries(
      FILTER_KEYS.filter((k) => (p.get(k) ?? '') !== '').map((k) => [k, p.get(k)]),
    ),
  }
}

export function toSearch(s) {
  const p = new URLSearchParams()
  if (s.view !== 'overview') p.set('view', s.view)
  if (s.device) p.set('device', s.device)
  if (s.from && s.to) {
    p.set('from', String(s.from))
    p.set('to', String(s.to))
  } else if (s.range !== '1h') p.set('range', s.range)
  for (const k of FILTER_KEYS) if (s.filters[k]) p.set(k, s.filters[k])
  const q = p.toString()
  return q ? `?${q}` : location.pathname
}

/** The window to ask for: the fixed one, or the preset ending now. */
export function windowOf(s) {
  if (s.from && s.to) return { from: s.from, to: s.to }
  const to = Math.floor(Date.now() / 1000)
  return { from: to - RANGES[s.range], to }
}

/** A link to a state changed by `patch`. */
export const hrefOf = (s, patch) => toSearch({ ...s, ...patch })

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
