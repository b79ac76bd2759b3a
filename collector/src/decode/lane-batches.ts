// Datagrams -> batches for the decode pool, one batch per lane. Each exporter (source
// address) is kept to one lane, so its datagrams are decoded in order; a batch goes out
// when it is full or decode.batch_ms after the first datagram it holds. On a quiet network
// (fewer than batchDatagrams / 8 datagrams held then) the wait stretches up to
// quietBatchMs: each batch costs a worker task, whatever its size.
import { DatagramBatch, type PackedBatch } from '@flowloft/decoder-wasm'
import { createAddressCache, createLaneMap } from './exporter-address.js'

export interface LaneBatchOptions {
  lanes: number
  batchDatagrams: number
  batchMs: number
  /** Longest wait when few datagrams are held (default batchMs: no stretch). */
  quietBatchMs?: number
  onBatch(batch: PackedBatch, lane: number): void
}

export interface LaneBatches {
  add(datagram: Buffer, address: string, port: number): void
  /** Hand over every partly filled batch and arm nothing more. */
  stop(): void
}

const BATCH_BYTES = 4 << 20

export function createLaneBatches(o: LaneBatchOptions): LaneBatches {
  const laneCount = Math.max(1, o.lanes)
  const batches = Array.from(
    { length: laneCount },
    () => new DatagramBatch(BATCH_BYTES, o.batchDatagrams),
  )
  const addressOf = createAddressCache()
  const laneOf = createLaneMap(laneCount)
  const quietMs = Math.max(o.batchMs, o.quietBatchMs ?? o.batchMs)
  const quietBelow = Math.max(1, Math.floor(o.batchDatagrams / 8))
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  /** When the first datagram since the last flush came; whether the wait was stretched. */
  let armedAt = 0
  let stretched = false
  let held = 0

  const flushLane = (lane: number): void => {
    const batch = batches[lane]
    if (!batch || batch.count === 0) return
    held -= batch.count
    o.onBatch(batch.take(), lane)
  }
  const flush = (): void => {
    if (timer) clearTimeout(timer)
    timer = undefined
    stretched = false
    for (let lane = 0; lane < laneCount; lane++) flushLane(lane)
  }
  // decode.batch_ms after the first datagram: few held, wait up to quietMs in all.
  const due = (): void => {
    const waited = Date.now() - armedAt
    if (held >= quietBelow || waited >= quietMs || stopped) return flush()
    stretched = true
    timer = setTimeout(flush, quietMs - waited)
    timer.unref()
  }
  // One timer, armed by the first datagram after a flush: a quiet network wakes nothing.
  const arm = (): void => {
    if (timer || stopped) return
    armedAt = Date.now()
    timer = setTimeout(due, o.batchMs)
    timer.unref()
  }

  return {
    add(datagram, address, port) {
      const lane = laneOf(address)
      const batch = batches[lane] as DatagramBatch
      if (!batch.fits(datagram.byteLength)) flushLane(lane)
      batch.add(datagram, addressOf(address), port, Date.now())
      held++
      if (batch.count >= o.batchDatagrams) flushLane(lane)
      else if (stretched && held >= quietBelow) flush()
      else arm()
    },
    stop() {
      stopped = true
      flush()
    },
  }
}
