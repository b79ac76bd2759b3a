// The keys one address has in the worker's caches: its 16 bytes (the WASM cache), the
// record view's numeric or short-string key (JS id caches) and the texts the decoder
// formats it as (JS per-address cache). Made through a one-record scratch view, so they
// are exactly what the view hands out for a decoded record.
import { F, REC_SIZE, RecordView, parseAddress } from '@flowloft/decoder-wasm'

export interface AddrCacheKeys {
  bytes: Uint8Array
  key: number | string
  texts: [string, string]
}

const scratch = new Uint8Array(REC_SIZE)
const view = new RecordView(scratch, 0)

/** Cache keys of an address (any text form), or null when it is not one. */
export function addrCacheKeys(addr: string): AddrCacheKeys | null {
  let bytes: Uint8Array
  try {
    bytes = parseAddress(addr)
  } catch {
    return null
  }
  scratch.set(bytes, F.srcAddr)
  return {
    bytes,
    key: view.addrKey(0, F.srcAddr),
    texts: [view.addrColumn(0, F.srcAddr), view.addr(0, F.srcAddr)],
  }
}
