// Turns a capture file's UDP datagrams into packed batches, the capture's source
// addresses as exporters and its timestamps as receive times. Held data ages by those
// times alone: a capture recorded yesterday decodes as it did when it was live.
import { readFileSync } from 'node:fs'
import {
  CaptureError,
  DatagramBatch,
  parseAddress,
  parseCapture,
  type PackedBatch,
} from '@flowloft/decoder-wasm'
import type { DecodeTask } from '../decode/task.js'
import { InputError } from './input-error.js'

export type CaptureBatch = PackedBatch & Required<Pick<DecodeTask, 'heldClock'>>

export interface CaptureInput {
  /** Packets in the file, of any protocol. */
  packets: number
  /** Its UDP datagrams, to any port: the decoder tells exports by their content. */
  datagrams: number
  batches: CaptureBatch[]
}

/** The file's bytes; a missing or unreadable file is an InputError that names it. */
function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new InputError(`no such file: ${path}`)
    if (code === 'EISDIR') throw new InputError(`${path} is a directory, not a capture file`)
    throw new InputError(`cannot read ${path} (${code ?? String(err)})`)
  }
}

export function readCaptureBatches(path: string, perBatch = 2048): CaptureInput {
  let capture
  try {
    capture = parseCapture(readInput(path))
  } catch (err) {
    if (err instanceof CaptureError) throw new InputError(`${path}: ${err.message}`)
    throw err
  }
  const batches: CaptureBatch[] = []
  const batch = new DatagramBatch(4 << 20, perBatch)
  const take = (): CaptureBatch => ({ ...batch.take(), heldClock: 'capture' })
  for (const d of capture.datagrams) {
    if (!batch.fits(d.payload.byteLength)) batches.push(take())
    batch.add(d.payload, parseAddress(d.srcAddr), d.srcPort, d.timeMs)
  }
  if (batch.count > 0) batches.push(take())
  return { packets: capture.packets, datagrams: capture.datagrams.length, batches }
}

export function captureBatches(path: string, perBatch = 2048): CaptureBatch[] {
  return readCaptureBatches(path, perBatch).batches
}
