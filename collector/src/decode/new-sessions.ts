// The new-session notices in a batch's template events: a known exporter address sent
// NetFlow v9/IPFIX from a new source port (a restart, or another sender using its address).
import { eventSlices, parseEvent } from '@flowloft/decoder-wasm'

export function* newSessions(events: Uint8Array): Generator<{ exporter: string; port: number }> {
  for (const e of eventSlices(events)) {
    if (e[3] !== 7) continue
    const ev = parseEvent(e)
    if (ev?.kind === 'newSession') yield { exporter: ev.exporter, port: ev.port }
  }
}
