// Exporters' health: what each sent in the range, when last seen, and on a click its
// templates and sampling rates; its address opens its page, the funnel beside it filters
// every panel by it.
import { api, qs } from './api.js'
import { $, el, fillTable, filterButton, showError } from './dom.js'
import { navigate, pageHref, readState } from './state.js'
import { bytes, when } from './units.js'

let selected = null

export async function loadExporters(params) {
  const r = await api(`/api/exporters?${qs(params)}`)
  const table = $('#exporters')
  fillTable(
    table,
    ['exporter', 'name', 'types', 'sampling', 'flows', 'bytes', 'templates', 'last seen'],
    r.exporters.map((e) => [
      e.exporter,
      e.name,
      e.flow_types.join(', '),
      e.sampling_rates.join(', '),
      e.flows,
      bytes(e.bytes),
      e.templates,
      when(e.last_seen),
    ]),
    'no exporter has sent flows in this range',
  )
  table.classList.add('stack')
  const s = readState()
  table.querySelectorAll('tbody tr').forEach((tr, i) => {
    const addr = r.exporters[i]?.exporter
    if (addr === undefined) return
    const page = el('a', {
      href: pageHref(s, 'exporter', { exporter: addr }),
      className: 'pick inline',
      textContent: addr,
    })
    const filter = filterButton(`filter by exporter ${addr}`, () =>
      navigate({ filters: { ...readState().filters, exporter: addr } }),
    )
    tr.cells[0]?.replaceChildren(page, ' ', filter)
    tr.tabIndex = 0
    tr.classList.toggle('selected', addr === selected)
    const pick = () => {
      selected = addr
      table.querySelectorAll('tr.selected').forEach((x) => x.classList.remove('selected'))
      tr.classList.add('selected')
      void loadTemplates(addr).catch(showError($('#templates')))
    }
    tr.addEventListener('click', pick)
    tr.addEventListener('keydown', (ev) => ev.key === 'Enter' && pick())
  })
  if (selected) await loadTemplates(selected).catch(() => undefined)
}

async function loadTemplates(addr) {
  const t = await api(`/api/exporters/${encodeURIComponent(addr)}/templates`)
  const table = el('table')
  fillTable(
    table,
    ['protocol', 'domain', 'template', 'kind', 'fields'],
    t.templates.map((x) => [
      x.protocol,
      x.domain,
      x.templateId,
      x.kind,
      x.fields.map((f) => (f.enterprise ? `${f.enterprise}:${f.id}` : f.id)).join(' '),
    ]),
  )
  const rates = t.sampling.map(
    (s) =>
      `${s.protocol} domain ${s.domain} ${s.key}${s.samplerId == null ? '' : ` #${s.samplerId}`}: 1/${s.rate}`,
  )
  $('#templates').replaceChildren(
    el('h3', { textContent: `Templates of ${addr}` }),
    t.templates.length
      ? el('div', { className: 'scroll' }, table)
      : el('p', {
          className: 'empty',
          textContent: 'no templates (NetFlow v5 and sFlow have none)',
        }),
    el('p', {
      className: 'muted',
      textContent: rates.length ? `sampling: ${rates.join('; ')}` : 'no sampling rate announced',
    }),
  )
}
