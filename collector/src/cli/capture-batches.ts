// Turns a capture file's UDP datagrams into packed batches, the capture's source
// addresses as exporters and its timestamps as receive times. Held data ages by those
// times alone: a capture recorded yesterday decodes as it did when it was live.
import {
  DatagramBatch,
  parseAddress,
  readCaptureFile,
  type PackedBatch,
} from '@flowloft/decoder-wasm'
import type { DecodeTask } from '../decode/task.js'

export type CaptureBatch = PackedBatch & Required<Pick<DecodeTask, 'heldClock'>>

export function captureBatches(path: string, perBatch = 2048): CaptureBatch[] {
  const out: CaptureBatch[] = []
  const batch = new DatagramBatch(4 << 20, perBatch)
  const take = (): CaptureBatch => ({ ...batch.take(), heldClock: 'capture' })
  for (const d of readCaptureFile(path)) {
    if (!batch.fits(d.payload.byteLength)) out.push(take())
    batch.add(d.payload, parseAddress(d.srcAddr), d.srcPort, d.timeMs)
  }
  if (batch.count > 0) out.push(take())
  return out
}
