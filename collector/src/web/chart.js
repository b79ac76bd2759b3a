// The traffic chart: bits/s in and out from /api/timeseries, with a legend that always
// shows each series' current rate (the last complete step) and the range's peak, or the
// value under the cursor. New data updates the chart in place. Dragging over it calls
// onZoom(from, to, atEnd) (atEnd: the selection reaches the chart's right edge); a click
// on "in" or "out" in the legend calls onPick('in' | 'out').
import uPlot from './uplot.js'
import { el } from './dom.js'
import { bitRate } from './units.js'

const COLORS = {
  in: ['#2f6fdf', 'rgba(47,111,223,0.15)'],
  out: ['#e07b24', 'rgba(224,123,36,0.15)'],
  other: ['#8a93a6', undefined],
  total: ['#2f6fdf', 'rgba(47,111,223,0.15)'],
}

/**
 * Series to draw from a timeseries answer: in and out, or total without directions.
 * `pick` is the direction filter a series' legend sets: unfiltered, in and out are the
 * inbound and outbound flows (internal ones are "other"); filtered, what the devices
 * received and sent (direction=in and out).
 */
export function trafficSeries(ts) {
  const bits = (a) => a.map((v) => (v * 8) / ts.step)
  const sum = (a) => a.reduce((s, v) => s + v, 0)
  const b = ts.bytes
  if (sum(b.inbound) + sum(b.outbound) === 0) return [{ label: 'total', values: bits(b.total) }]
  const flows = ts.filtered !== true
  const out = [
    { label: 'in', pick: flows ? 'inbound' : 'in', values: bits(b.inbound) },
    { label: 'out', pick: flows ? 'outbound' : 'out', values: bits(b.outbound) },
  ]
  const other = b.total.map((v, i) => v - b.inbound[i] - b.outbound[i])
  if (sum(other) > 0 && ts.filtered !== true) out.push({ label: 'other', values: bits(other) })
  return out
}

/** Index of the last step that ended by `to` (the latest one is still filling). */
export function lastComplete(ts) {
  for (let i = ts.t.length - 1; i >= 0; i--) if (ts.t[i] + ts.step <= ts.to) return i
  return ts.t.length - 1
}

// Width of the y axis from its widest label, so no label is clipped.
function axisSize(u, values, axisIdx, cycleNum) {
  const axis = u.axes[axisIdx]
  if (cycleNum > 1) return axis._size
  let size = axis.ticks.size + axis.gap
  const longest = (values ?? []).reduce((a, v) => (String(v).length > a.length ? String(v) : a), '')
  if (longest !== '') {
    u.ctx.font = axis.font[0]
    size += u.ctx.measureText(longest).width / devicePixelRatio
  }
  return Math.ceil(size) + 4
}

export class TrafficChart {
  constructor(box, legend, { onZoom = () => undefined, onPick } = {}) {
    this.onZoom = onZoom
    this.onPick = onPick
    this.box = box
    this.legend = legend
    this.chart = null
    this.labels = ''
    this.series = []
    this.current = 0
  }

  height() {
    return this.box.clientWidth < 500 ? 200 : 260
  }

  /** New data; `reset` drops any zoom (the range changed). */
  update(ts, reset = false) {
    this.series = trafficSeries(ts)
    this.current = lastComplete(ts)
    const data = [ts.t, ...this.series.map((s) => s.values)]
    const labels = this.series.map((s) => s.label).join()
    if (this.chart && labels === this.labels && reset) this.chart.setData(data)
    else if (this.chart && labels === this.labels) {
      const x = this.chart.scales.x
      const prev = this.chart.data[0]
      const zoomed = prev.length > 0 && (x.min > prev[0] || x.max < prev[prev.length - 1])
      if (zoomed) {
        this.chart.setData(data, false)
        this.chart.setScale('x', { min: x.min, max: x.max })
      } else this.chart.setData(data)
    } else this.create(data, labels)
    this.renderLegend(null)
  }

  /** Draw again from scratch (colours follow the page's, light or dark). */
  redraw() {
    if (this.chart) this.create(this.chart.data, this.labels)
  }

  create(data, labels) {
    this.chart?.destroy()
    this.box.replaceChildren()
    this.labels = labels
    const css = getComputedStyle(document.documentElement)
    const fg = css.getPropertyValue('--muted').trim() || '#6b7385'
    const grid = css.getPropertyValue('--line').trim() || '#e2e5ea'
    const axis = { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid } }
    this.chart = new uPlot(
      {
        width: this.box.clientWidth,
        height: this.height(),
        series: [
          {},
          ...this.series.map((s) => ({
            label: s.label,
            stroke: COLORS[s.label][0],
            fill: COLORS[s.label][1],
            width: s.label === 'other' ? 1 : 2,
          })),
        ],
        axes: [
          axis,
          { ...axis, size: axisSize, values: (_u, ticks) => ticks.map((v) => bitRate(v)) },
        ],
        scales: { x: { time: true } },
        legend: { show: false },
        hooks: {
          setCursor: [(u) => this.renderLegend(u.cursor.idx)],
          setSelect: [
            (u) => {
              if (u.select.width < 5) return
              const min = u.posToVal(u.select.left, 'x')
              const right = u.select.left + u.select.width
              const max = u.posToVal(right, 'x')
              const atEnd = right >= u.over.clientWidth - 3
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false)
              this.onZoom(Math.floor(min), Math.ceil(max), atEnd)
            },
          ],
        },
      },
      data,
      this.box,
    )
  }

  resize() {
    this.chart?.setSize({ width: this.box.clientWidth, height: this.height() })
  }

  renderLegend(idx) {
    const t = this.chart?.data[0] ?? []
    const at = idx ?? this.current
    const time = t[at] === undefined ? '' : new Date(t[at] * 1000).toLocaleString()
    this.legend.replaceChildren(
      el('span', { className: 'legend-time', textContent: idx == null ? 'now' : time }),
      ...this.series.map((s) => {
        const peak = s.values.reduce((m, v) => Math.max(m, v), 0)
        return el(
          'span',
          { className: 'legend-item' },
          el('i', { className: 'swatch', style: `background:${COLORS[s.label][0]}` }),
          this.onPick && s.label !== 'other' && s.label !== 'total'
            ? el('button', {
                type: 'button',
                className: 'legend-pick',
                textContent: s.label,
                title: `filter: direction=${s.pick}`,
                onclick: () => this.onPick(s.pick),
              })
            : el('b', { textContent: s.label }),
          el('span', {
            className: 'legend-value',
            dataset: { series: s.label },
            textContent: bitRate(s.values[at] ?? 0),
          }),
          el('small', { textContent: `peak ${bitRate(peak)}` }),
        )
      }),
    )
  }
}
