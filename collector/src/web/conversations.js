// The conversations of a device's or a remote host's page, from the latest summary
// (/api/summaries) of the window closest to the range: requests and replies paired,
// one row per counterpart and service, the counterpart linking to its page (a device's,
// for one on the LAN).
import { api, qs } from './api.js'
import { $, el, fillTable, showError } from './dom.js'
import { hostHref, pageHref, readState } from './state.js'
import { bytes, when } from './units.js'

/** The summary window (minutes) for a range: the shortest covering it, else the longest. */
export function summaryWindow(rangeSeconds, windows = [5, 20, 60, 480, 1440]) {
  return windows.find((m) => m * 60 >= rangeSeconds) ?? windows[windows.length - 1]
}

/**
 * Conversations that differ only by the client's port (one per connection) as one row:
 * "living-room-tv → www.netflix.com:443", with how many there were, largest first.
 */
export function groupConversations(convs, addr) {
  const groups = new Map()
  for (const c of convs) {
    const other = c.client === addr ? `s${c.server}` : `c${c.client}`
    const key = `${other} ${c.proto} ${c.server_port}`
    const g = groups.get(key)
    if (g) {
      g.count++
      g.request_bytes += c.request_bytes
      g.reply_bytes += c.reply_bytes
      g.internal ||= c.internal
    } else groups.set(key, { ...c, count: 1 })
  }
  return [...groups.values()].sort(
    (a, b) => b.request_bytes + b.reply_bytes - (a.request_bytes + a.reply_bytes),
  )
}

/**
 * `addr`'s conversations; `self` names it in the table ("this device"; absent, its own
 * name: on a remote host's page, "this host" read as the machine the console runs on),
 * shown unlinked and marked as the page's own side; `page` is the page the counterparts
 * link to (a device's talk to remote hosts, a host's to devices), but for counterparts on
 * the LAN (internal conversations), which link to their device's page.
 */
export async function loadConversations(addr, seconds, { self, page }) {
  const table = $('#conversations')
  const minutes = summaryWindow(seconds)
  const note = $('#conversations-note')
  try {
    const s = await api(`/api/summaries?${qs({ window: minutes, limit: 1000 })}`)
    const mine = groupConversations(
      s.exporters
        .flatMap((x) => x.conversations)
        .filter((c) => c.client === addr || c.server === addr),
      addr,
    ).slice(0, 20)
    note.textContent = s.from
      ? `latest ${minutes}-minute summary, ${when(s.from)} to ${when(s.to)}`
      : `no ${minutes}-minute summary yet`
    const state = readState()
    const side = (a, host, port, internal) => {
      const text = `${(a === addr ? self : undefined) ?? (host || a)}${port ? `:${port}` : ''}`
      if (a === addr)
        return el('strong', { className: 'self', title: `${a}, this page`, textContent: text })
      return el('a', {
        href:
          page === 'device'
            ? pageHref(state, 'device', { device: a })
            : hostHref(state, a, internal),
        className: 'pick',
        title: a,
        textContent: text,
      })
    }
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
        side(c.client, c.client_host, 0, c.internal),
        side(c.server, c.server_host, c.server_port, c.internal),
        c.proto_name || String(c.proto),
        c.count,
        bytes(c.request_bytes),
        bytes(c.reply_bytes),
      ]),
      `no conversations of ${self ?? addr} in the summary`,
    )
    table.classList.add('stack')
  } catch (err) {
    note.textContent = ''
    showError(table)(err)
  }
}
