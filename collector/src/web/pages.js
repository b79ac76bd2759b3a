// The card at the top of a page: what its subject is (a device, a remote host, an AS, a
// country, a service, an exporter or one of its interfaces), its name, and the facts
// every page has: bytes in and out of the range, first and last seen, and usage over
// the last 24 h, 7 d and 30 d (/api/usage). Related pages are linked (a host's AS and
// country, an interface's exporter).
import { api, qs } from './api.js'
import { $, el, showError } from './dom.js'
import { pageHref, readState } from './state.js'
import { bytes, countryName, when } from './units.js'

const inOut = (r) => `${bytes(r.in_bytes)} in · ${bytes(r.out_bytes)} out`
const link = (text, href) => el('a', { href, className: 'pick inline', textContent: text })

/** The first row of /api/remote for the page's subject, by `by`. */
async function remoteRow(params, by) {
  return (await api(`/api/remote?${qs({ ...params, by, limit: 1 })}`)).rows[0]
}

/**
 * Per page: its kind, and its name, detail and extra facts ([label, text or node]) from
 * the page's parameters (the range, the filters and the subject).
 */
const KINDS = {
  device: {
    kind: 'Device',
    async describe(sub, params) {
      const [row] = (await api(`/api/devices?${qs({ ...params, limit: 1 })}`)).rows
      return { name: row?.name || sub.device, detail: row?.name ? sub.device : '', facts: [] }
    },
  },
  remote: {
    kind: 'Remote host',
    async describe(sub, params) {
      const s = readState()
      const [host, as, country] = await Promise.all(
        ['host', 'as', 'country'].map((by) => remoteRow(params, by)),
      )
      const facts = []
      if (as)
        facts.push([
          'AS',
          link(`${as.label || 'AS'} AS${as.key}`, pageHref(s, 'as', { as: as.key })),
        ])
      if (country)
        facts.push([
          'country',
          link(countryName(country.key), pageHref(s, 'country', { country: country.key || '-' })),
        ])
      return { name: host?.label || sub.remote, detail: host?.label ? sub.remote : '', facts }
    },
  },
  as: {
    kind: 'AS',
    async describe(sub, params) {
      const row = await remoteRow(params, 'as')
      return { name: row?.label || `AS${sub.as}`, detail: `AS${sub.as}`, facts: [] }
    },
  },
  country: {
    kind: 'Country',
    describe: async (sub) => ({ name: countryName(sub.country), detail: sub.country, facts: [] }),
  },
  service: {
    kind: 'Service',
    async describe(sub, params) {
      const row = await remoteRow(params, 'service')
      return { name: row?.label || sub.service, detail: row?.key ?? '', facts: [] }
    },
  },
  exporter: {
    kind: 'Exporter',
    async describe(sub, params) {
      const r = await api(`/api/exporters?${qs({ from: params.from, to: params.to })}`)
      const x = r.exporters.find((e) => e.exporter === sub.exporter)
      const facts = x
        ? [
            ['sends', x.flow_types.join(', ') || '-'],
            ['sampling', x.sampling_rates.map((n) => `1/${n}`).join(', ') || '-'],
            ['templates', String(x.templates)],
          ]
        : []
      return { name: x?.name || sub.exporter, detail: x?.name ? sub.exporter : '', facts }
    },
  },
  interface: {
    kind: 'Interface',
    async describe(sub, params) {
      const r = await api(`/api/interfaces?${qs({ ...params, limit: 1000 })}`)
      const x = r.rows.find(
        (i) => i.exporter === sub.exporter && String(i.if_index) === sub.interface,
      )
      const on = link(sub.exporter, pageHref(readState(), 'exporter', { exporter: sub.exporter }))
      return {
        name: x?.name || `#${sub.interface}`,
        detail: x?.name ? `#${sub.interface}` : '',
        facts: [['exporter', on]],
      }
    },
  },
}

export const pageKind = (view) => KINDS[view]?.kind ?? ''

/** Fill the page's card for state `s` with `params` (range, filters and subject). */
export async function loadPage(s, params) {
  const k = KINDS[s.view]
  const facts = $('#page-facts')
  try {
    const [d, u] = await Promise.all([
      k.describe(s.subject, params),
      api(`/api/usage?${qs(params)}`),
    ])
    $('#page-kind').textContent = k.kind
    $('#page-name').textContent = d.name
    $('#page-detail').textContent = d.detail
    const rows = [
      ['in this range', u.flows ? inOut(u) : 'no flows'],
      ...d.facts,
      ['first seen', when(u.first_seen)],
      ['last seen', when(u.last_seen)],
      ...u.usage.map((p) => [`last ${p.period}`, inOut(p)]),
    ]
    facts.replaceChildren(
      ...rows.flatMap(([label, v]) => [
        el('dt', { textContent: label }),
        typeof v === 'string' ? el('dd', { textContent: v }) : el('dd', {}, v),
      ]),
    )
    document.title = `${d.name} · flowloft`
  } catch (err) {
    showError(facts)(err)
  }
}
