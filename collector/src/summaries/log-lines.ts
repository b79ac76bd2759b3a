// The summaries log format: one JSON object per line and per conversation, each line
// self-contained (window, its bounds in unix seconds, exporter, rank, the conversation),
// so `grep 192.168.1.30 summaries.log | jq` works without context. Reading it back
// rebuilds the latest summary of each window after a restart.
import { readFile } from 'node:fs/promises'
import { rotatedPath } from '../logfile/rotating-file.js'
import type { Conversation, WindowSummary } from './conversations.js'

export interface SummaryLine extends Omit<Conversation, 'internal'> {
  /** Absent in lines written before it. */
  internal?: boolean
  window_minutes: number
  from: number
  to: number
  exporter: string
  exporter_name: string
  /** 1 for the largest conversation of this exporter in this window. */
  rank: number
}

/** A window's summary as log text (empty when no exporter had flows). */
export function summaryLines(s: WindowSummary): string {
  let out = ''
  for (const e of s.exporters)
    e.conversations.forEach((c, i) => {
      const line: SummaryLine = {
        window_minutes: s.window_minutes,
        from: s.from,
        to: s.to,
        exporter: e.exporter,
        exporter_name: e.exporter_name,
        rank: i + 1,
        ...c,
      }
      out += `${JSON.stringify(line)}\n`
    })
  return out
}

function parseLine(text: string): SummaryLine | null {
  try {
    const v = JSON.parse(text) as Partial<SummaryLine>
    const ok =
      typeof v.window_minutes === 'number' &&
      typeof v.from === 'number' &&
      typeof v.to === 'number' &&
      typeof v.exporter === 'string' &&
      typeof v.client === 'string' &&
      typeof v.server === 'string' &&
      typeof v.request_bytes === 'number' &&
      typeof v.reply_bytes === 'number' &&
      typeof v.rank === 'number' &&
      v.rank >= 1 &&
      (v.internal === undefined || typeof v.internal === 'boolean')
    return ok ? (v as SummaryLine) : null
  } catch {
    return null
  }
}

/** Group lines into summaries, keeping the latest `to` of each window. */
export function latestFromLines(text: string, into: Map<number, WindowSummary>): void {
  for (const raw of text.split('\n')) {
    const l = raw === '' ? null : parseLine(raw)
    if (!l) continue
    let s = into.get(l.window_minutes)
    if (s && s.to > l.to) continue
    if (!s || s.to < l.to) {
      s = { window_minutes: l.window_minutes, from: l.from, to: l.to, exporters: [] }
      into.set(l.window_minutes, s)
    }
    let e = s.exporters.find((x) => x.exporter === l.exporter)
    if (!e) {
      e = { exporter: l.exporter, exporter_name: l.exporter_name, conversations: [] }
      s.exporters.push(e)
    }
    e.conversations[l.rank - 1] = conversationOf(l)
  }
}

function conversationOf(l: SummaryLine): Conversation {
  return {
    proto: l.proto,
    proto_name: l.proto_name,
    client: l.client,
    client_port: l.client_port,
    client_host: l.client_host,
    server: l.server,
    server_port: l.server_port,
    server_host: l.server_host,
    request_bytes: l.request_bytes,
    request_packets: l.request_packets,
    reply_bytes: l.reply_bytes,
    reply_packets: l.reply_packets,
    flows: l.flows,
    // Lines written before the field: not known to be internal.
    internal: l.internal ?? false,
  }
}

/**
 * The latest summary of each window found in the log. Files are read newest first until
 * every window is found, plus the next older one (a run's lines may straddle a rotation),
 * then applied oldest first. Unreadable lines are skipped.
 */
export async function readLatest(
  path: string,
  files: number,
  windows: readonly number[],
): Promise<Map<number, WindowSummary>> {
  const texts: string[] = []
  const seen = new Set<number>()
  let extra = 1
  for (let k = 0; k < files && extra >= 0; k++) {
    const text = await readFile(rotatedPath(path, k), 'utf8').catch(() => '')
    texts.push(text)
    const m = new Map<number, WindowSummary>()
    latestFromLines(text, m)
    for (const w of m.keys()) seen.add(w)
    if (windows.every((w) => seen.has(w))) extra--
  }
  const found = new Map<number, WindowSummary>()
  for (const text of texts.reverse()) latestFromLines(text, found)
  for (const s of found.values())
    for (const e of s.exporters) e.conversations = e.conversations.filter(Boolean)
  return found
}
