// Small DOM helpers: query, and build elements with properties and children.
export const $ = (sel, root = document) => root.querySelector(sel)
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)]

/** An element; `dataset` and `style` strings are set as attributes, the rest as properties. */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(e.dataset, v)
    else if (k === 'style') e.setAttribute('style', v)
    else e[k] = v
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c)
  return e
}

/** A table of columns (strings or {label, num}) and rows of cell values or nodes. */
export function fillTable(table, columns, rows, empty = 'nothing in this range') {
  const head = columns.map((c) =>
    typeof c === 'string'
      ? el('th', { textContent: c })
      : el('th', { textContent: c.label, className: c.num ? 'num' : '' }),
  )
  const cell = (v, i) => {
    const c = columns[i]
    const td = el('td', { className: typeof c === 'object' && c.num ? 'num' : '' })
    // Its column's name, for tables that stack their rows on a phone (.stack).
    td.dataset.label = typeof c === 'object' ? c.label : (c ?? '')
    if (v instanceof Node) td.append(v)
    else td.textContent = v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)
    return td
  }
  const body = rows.length
    ? rows.map((r) => el('tr', {}, ...r.map(cell)))
    : [el('tr', {}, el('td', { className: 'empty', colSpan: columns.length, textContent: empty }))]
  table.replaceChildren(el('thead', {}, el('tr', {}, ...head)), el('tbody', {}, ...body))
}

const SVG = 'http://www.w3.org/2000/svg'

/** A small funnel button that adds a filter: `label` names it for screen readers and on hover. */
export function filterButton(label, onClick) {
  const b = el('button', { type: 'button', className: 'filter', title: label })
  b.setAttribute('aria-label', label)
  const icon = document.createElementNS(SVG, 'svg')
  icon.setAttribute('viewBox', '0 0 16 16')
  icon.setAttribute('aria-hidden', 'true')
  const path = document.createElementNS(SVG, 'path')
  path.setAttribute('d', 'M1.5 2.5h13l-5 6v5l-3-1.5v-3.5z')
  icon.append(path)
  b.append(icon)
  b.addEventListener('click', (ev) => {
    ev.stopPropagation()
    onClick()
  })
  return b
}

export const showError = (box) => (err) => {
  box.replaceChildren(el('p', { className: 'error', textContent: String(err.message ?? err) }))
}
