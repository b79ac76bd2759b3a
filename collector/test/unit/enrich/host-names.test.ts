// Learned names merged by source: a DHCP device name beats the Pi-hole asked name, which
// beats the PTR name; forgetting one source's name lets the next one through.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createLogger } from '../../../dist/observability/log.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { createDynamicPublisher } from '../../../dist/enrich/dynamic/index.js'
import { HostNames } from '../../../dist/enrich/host-names.js'

void test('dhcp beats asked beats ptr, and each falls back when forgotten', () => {
  const pub = createDynamicPublisher({ log: createLogger('error'), metrics: new Registry() })
  const names = new HostNames(pub)
  const addr = '192.168.88.23'
  names.set('ptr', addr, 'host-23.isp.test')
  assert.equal(pub.hostName(addr), 'host-23.isp.test')
  names.set('dhcp', addr, 'anna-iphone')
  names.set('asked', addr, 'www.example.test')
  assert.equal(pub.hostName(addr), 'anna-iphone')
  names.set('dhcp', '::ffff:192.168.88.23', null) // the same address, another spelling
  assert.equal(pub.hostName(addr), 'www.example.test')
  names.set('asked', addr, null)
  assert.equal(pub.hostName(addr), 'host-23.isp.test')
  names.set('ptr', addr, null)
  assert.equal(pub.hostName(addr), undefined)
})
