// Load generator: replays real exporter datagrams (bench/fixtures.mjs: softflowd NetFlow v9
// with its template first, pmacct sFlow) over UDP at a set rate in flows per second, from
// many simulated exporters (one socket each, bound to its own loopback address), and
// counts exactly what it sent.
import dgram from 'node:dgram'
import { Decoder, DatagramBatch } from '@flowloft/decoder-wasm'

/**
 * Flow records in each datagram, counted by the decoder once: `prime` (the template
 * datagrams, which may carry records too) and `data`.
 */
export function recordsPerDatagram(fixture) {
  const decoder = new Decoder()
  const exporter = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1])
  const run = (datagrams) => {
    const out = []
    for (let i = 0; i < datagrams.length; i += 1024) {
      const batch = new DatagramBatch(8 << 20, 1024)
      const part = datagrams.slice(i, i + 1024)
      for (const d of part) batch.add(d, exporter, 1, Date.now())
      const packed = batch.take()
      decoder.decode(new Uint8Array(packed.buffer, 0, packed.byteLength), packed.count, () => {})
      for (let k = 0; k < part.length; k++) {
        if (decoder.statusOf(k) !== 0) throw new Error(`fixture datagram ${i + k} does not decode`)
        out.push(decoder.recordsOf(k))
      }
    }
    return out
  }
  return { prime: run(fixture.prime), data: run(fixture.data) }
}

async function bound(address) {
  const s = dgram.createSocket('udp4')
  await new Promise((resolve, reject) => {
    s.once('error', reject)
    s.bind({ address, port: 0 }, resolve)
  })
  s.setSendBufferSize(4 << 20)
  return s
}

/**
 * Exporters at 127.<group>.<1..count>.1 sending `fixture` to `port`.
 * `primed`: the flows the template datagrams carried (sent once per exporter at creation).
 * @returns {Promise<{addresses: string[], primed: number, run(rate: number, seconds: number): Promise<{flows: number, datagrams: number, seconds: number}>, close(): void}>}
 */
export async function createExporters({ fixture, records, port, group, count }) {
  const addresses = Array.from({ length: count }, (_, i) => `127.${group}.${i + 1}.1`)
  const sockets = await Promise.all(addresses.map(bound))
  const send = (s, d) =>
    new Promise((resolve, reject) =>
      s.send(d, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    )
  // Templates first, from every exporter, and a moment for them to be learned.
  let primed = 0
  for (const s of sockets) {
    for (const [i, d] of fixture.prime.entries()) {
      await send(s, d)
      primed += records.prime[i]
    }
  }
  await new Promise((r) => setTimeout(r, 300))
  let next = 0
  return {
    addresses,
    primed,
    async run(rate, seconds) {
      const start = performance.now()
      const end = start + seconds * 1000
      let flows = 0
      let datagrams = 0
      let inFlight = []
      for (;;) {
        const now = performance.now()
        if (now >= end) break
        // Send what the rate allows up to now, in order, round-robin over the exporters.
        const due = ((now - start) / 1000) * rate
        while (flows < due) {
          const i = next % fixture.data.length
          const s = sockets[next % sockets.length]
          inFlight.push(send(s, fixture.data[i]))
          flows += records.data[i]
          datagrams++
          next++
          if (inFlight.length >= 256) {
            await Promise.all(inFlight)
            inFlight = []
          }
        }
        await Promise.all(inFlight)
        inFlight = []
        await new Promise((r) => setTimeout(r, 1))
      }
      await Promise.all(inFlight)
      return { flows, datagrams, seconds: (performance.now() - start) / 1000 }
    },
    close() {
      for (const s of sockets) s.close()
    },
  }
}
