// Ranked tables of the overview and the pages: a name with a bar of its share, bytes in
// and out. A name links to its page (href) and a funnel button beside it filters every
// panel by it (pick); with pick alone the name itself filters.
import { el, fillTable, filterButton } from './dom.js'
import { bytes } from './units.js'

/** rows: [{key, name, detail, in_bytes, out_bytes, bytes}]; href(row) a link, pick(row) on a filter click. */
export function fillRanked(table, { title, rows, pick, href }) {
  const max = rows[0]?.bytes || 1
  const body = rows.map((r) => {
    const label = [
      r.name,
      r.detail ? ' ' : null,
      r.detail ? el('small', { textContent: r.detail }) : null,
    ]
    const key = href
      ? el('a', { href: href(r), className: 'pick', title: r.key }, ...label)
      : el('button', { type: 'button', className: 'pick', title: `filter: ${r.key}` }, ...label)
    if (!href) key.addEventListener('click', () => pick(r))
    const bar = el('span', {
      className: 'bar',
      style: `width:${Math.max(1, (r.bytes / max) * 100)}%`,
    })
    const filter = href && pick ? filterButton(`filter by ${r.name}`, () => pick(r)) : null
    return [
      el('span', { className: 'keycell' }, bar, key, filter),
      bytes(r.in_bytes),
      bytes(r.out_bytes),
    ]
  })
  fillTable(
    table,
    [title, { label: 'in', num: true }, { label: 'out', num: true }],
    body,
    'no flows in this range',
  )
  table.classList.add('ranked')
}
