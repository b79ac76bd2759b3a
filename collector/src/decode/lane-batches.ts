// Datagrams -> batches for the decode pool, one batch per lane. Each exporter (source
// address) is kept to one lane, so its datagrams are decoded in order; a batch goes out
// when it is full or decode.batch_ms after the first datagram it holds.
import { DatagramBatch, type PackedBatch } from '@flowloft/decoder-wasm'
import { createAddressCache, createLaneMap } from './exporter-address.js'

export interface LaneBatchOptions {
  lanes: number
  batchDatagrams: number
  batchMs: number
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
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  const flushLane = (lane: number): void => {
    const batch = batches[lane]
    if (batch && batch.count > 0) o.onBatch(batch.take(), lane)
  }
  const flush = (): void => {
    if (timer) clearTimeout(timer)
    timer = undefined
    for (let lane = 0; lane < laneCount; lane++) flushLane(lane)
  }
  // One timer, armed by the first datagram after a flush: a quiet network wakes nothing.
  const arm = (): void => {
    if (timer || stopped) return
    timer = setTimeout(flush, o.batchMs)
    timer.unref()
  }

  return {
    add(datagram, address, port) {
      const lane = laneOf(address)
      const batch = batches[lane] as DatagramBatch
      if (!batch.fits(datagram.byteLength)) flushLane(lane)
      batch.add(datagram, addressOf(address), port, Date.now())
      if (batch.count >= o.batchDatagrams) flushLane(lane)
      else arm()
    },
    stop() {
      stopped = true
      flush()
    },
  }
}
