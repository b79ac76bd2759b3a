// Turns a capture file's UDP datagrams into packed batches, the capture's source
// addresses as exporters and its timestamps as receive times.
import {
  DatagramBatch,
  parseAddress,
  readCaptureFile,
  type PackedBatch,
} from '@flowloft/decoder-wasm'

export function captureBatches(path: string, perBatch = 2048): PackedBatch[] {
  const out: PackedBatch[] = []
  const batch = new DatagramBatch(4 << 20, perBatch)
  for (const d of readCaptureFile(path)) {
    if (!batch.fits(d.payload.byteLength)) out.push(batch.take())
    batch.add(d.payload, parseAddress(d.srcAddr), d.srcPort, d.timeMs)
  }
  if (batch.count > 0) out.push(batch.take())
  return out
}
