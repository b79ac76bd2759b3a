// A device's page: its name and address, first and last seen, usage over 24 h, 7 d and
// 30 d, and its conversations from the latest summary (/api/summaries) of the window
// closest to the range. Its traffic and remote panels are the overview's, filtered.
import { api, qs } from './api.js'
import { $, el, fillTable, showError } from './dom.js'
import { bytes, when } from './units.js'

/** The summary window (minutes) for a range: the shortest covering it, else the longest. */
export function summaryWindow(rangeSeconds, windows = [5, 20, 60, 480, 1440]) {
  return windows.find((m) => m * 60 >= rangeSeconds) ?? windows[windows.length - 1]
}

/**
 * Conversations that differ only by the client's port (one per connection) as one row:
 * "living-room-tv → www.netflix.com:443", with how many there were, largest first.
 */
export function groupConversations(convs, device) {
  const groups = new Map()
  for (const c of convs) {
    const other = c.client === device ? `s${c.server}` : `c${c.client}`
    const key = `${other} ${c.proto} ${c.server_port}`
    const g = groups.get(key)
    if (g) {
      g.count++
      g.request_bytes += c.request_bytes
      g.reply_bytes += c.reply_bytes
    } else groups.set(key, { ...c, count: 1 })
  }
  return [...groups.values()].sort(
    (a, b) => b.request_bytes + b.reply_bytes - (a.request_bytes + a.reply_bytes),
  )
}

/**
 * First seen: the rollup's hour, made exact by the range's own first flow when that lies
 * in the same hour.
 */
const firstSeen = (hour, inRange) =>
  inRange !== undefined && hour !== null && inRange >= hour && inRange - hour < 3600
    ? inRange
    : hour

async function loadFacts(device, params) {
  const [info, here] = await Promise.all([
    api(`/api/devices/${encodeURIComponent(device)}`),
    api(`/api/devices?${qs({ ...params, device, limit: 1 })}`),
  ])
  const row = here.rows[0]
  $('#device-name').textContent = row?.name || device
  $('#device-addr').textContent = row?.name ? device : ''
  const facts = [
    ['in this range', row ? `${bytes(row.in_bytes)} in · ${bytes(row.out_bytes)} out` : 'no flows'],
    ['first seen', when(firstSeen(info.first_seen, row?.first_seen))],
    ['last seen', when(info.last_seen)],
    ...info.usage.map((u) => [
      `last ${u.period}`,
      `${bytes(u.in_bytes)} in · ${bytes(u.out_bytes)} out`,
    ]),
  ]
  $('#device-facts').replaceChildren(
    ...facts.flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: v })]),
  )
}

async function loadConversations(device, seconds) {
  const table = $('#conversations')
  const minutes = summaryWindow(seconds)
  const note = $('#conversations-note')
  try {
    const s = await api(`/api/summaries?${qs({ window: minutes, limit: 1000 })}`)
    const mine = groupConversations(
      s.exporters
        .flatMap((x) => x.conversations)
        .filter((c) => c.client === device || c.server === device),
      device,
    ).slice(0, 20)
    note.textContent = s.from
      ? `latest ${minutes}-minute summary, ${when(s.from)} to ${when(s.to)}`
      : `no ${minutes}-minute summary yet`
    const side = (addr, host, port) =>
      `${addr === device ? 'this device' : host || addr}${port ? `:${port}` : ''}`
    fillTable(
      table,
      [
        'client',
        'server',
        'proto',
        { label: 'conversations', num: true },
        { label: 'request', num: true },
        { label: 'reply', num: true },
      ],
      mine.map((c) => [
        side(c.client, c.client_host, 0),
        side(c.server, c.server_host, c.server_port),
        c.proto_name || String(c.proto),
        c.count,
        bytes(c.request_bytes),
        bytes(c.reply_bytes),
      ]),
      'no conversations of this device in the summary',
    )
  } catch (err) {
    note.textContent = ''
    showError(table)(err)
  }
}

export async function loadDevicePage(device, params) {
  await Promise.all([
    loadFacts(device, params).catch(showError($('#device-facts'))),
    loadConversations(device, params.to - params.from),
  ])
}
