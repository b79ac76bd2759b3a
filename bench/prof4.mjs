import { readFileSync } from 'node:fs'
import { DatagramBatch } from '@flowhouse/decoder-wasm'
import { loadFixtures } from '/work/main/bench/fixtures.mjs'
const fx = (await loadFixtures()).find((f) => f.protocol === 'v9')
const EXP = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1])
const m = new WebAssembly.Module(
  readFileSync(process.env.WASM ?? '/work/main/decoder-wasm/build/decoder.wasm'),
)
const x = new WebAssembly.Instance(m, {
  env: {
    abort() {
      throw new Error('abort')
    },
  },
}).exports
x.init(4 << 20, 8192, 16384, 1024)
x.initFlowState?.(2048, 1024, 1024, 1024, 2 << 20, 256, 60000, 256 << 10)
x.initText(1 << 17, 4 << 20, 4 << 20)
function feed(ds) {
  const b = new DatagramBatch(4 << 20, 2048)
  for (const d of ds) b.add(d, EXP, 1, 1.7e12)
  const p = b.take()
  new Uint8Array(x.memory.buffer).set(new Uint8Array(p.buffer, 0, p.byteLength), x.inputRegion())
  x.begin(p.count)
  let n = 0
  while (x.run() < p.count) {}
  return x.recordCount()
}
feed(fx.prime)
const data = []
while (data.length < 400) data.push(fx.data[data.length % fx.data.length])
const n = feed(data)
const cpu = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e3
}
let t = cpu(),
  rows = 0
while (cpu() - t < 1500) {
  x.tsvClear()
  rows += x.formatTsv(0, n)
}
console.log(process.argv[2], 'format only ns/row', (((cpu() - t) * 1e6) / rows).toFixed(0))
