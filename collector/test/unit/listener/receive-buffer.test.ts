// A receive buffer larger than the kernel allows (net.core.rmem_max) is reported once for
// every listener it shorted, with the sysctl that fixes it; one the kernel grants is not.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createLogger } from '../../../dist/observability/log.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { createListeners, type ListenerSpec } from '../../../dist/listener/index.js'

const specs: ListenerSpec[] = [
  { name: 'netflow', address: { host: '127.0.0.1', port: 0 } },
  { name: 'sflow', address: { host: '127.0.0.1', port: 0 } },
]

async function warnings(receiveBuffer: number): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = []
  const listeners = createListeners({
    specs,
    receiveBuffer,
    log: createLogger('info', {}, (l) => lines.push(JSON.parse(l) as Record<string, unknown>)),
    metrics: new Registry(),
    onDatagram: () => undefined,
  })
  await listeners.start()
  await listeners.stop()
  return lines.filter((l) => l['level'] === 'warn')
}

void test('a receive buffer past rmem_max is one warning naming every listener and the fix', async () => {
  const max = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim())
  const asked = max * 4
  const [warned, ...more] = await warnings(asked)
  assert.equal(more.length, 0, 'one warning')
  assert.deepEqual(warned?.['listeners'], ['netflow', 'sflow'])
  assert.equal(warned?.['asked'], asked)
  assert.ok(Number(warned?.['granted']) < asked)
  assert.equal(
    warned?.['fix'],
    `sysctl -w net.core.rmem_max=${asked} (and put net.core.rmem_max=${asked} in /etc/sysctl.d/90-flowloft.conf)`,
  )
  // What the kernel grants in full (it reports twice the size) is not warned about.
  assert.deepEqual(await warnings(Math.floor(max / 4)), [])
})
