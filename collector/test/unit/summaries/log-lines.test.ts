// The summaries log read back (summaries/log-lines.ts): a conversation's `internal` comes
// back as written, and lines written before the field read as not internal.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { latestFromLines, summaryLines } from '../../../dist/summaries/log-lines.js'
import type { WindowSummary } from '../../../dist/summaries/conversations.js'

const conversation = (server: string, internal: boolean) => ({
  proto: 17,
  proto_name: 'UDP',
  client: '192.168.1.30',
  client_port: 40000,
  client_host: 'laptop.lan',
  server,
  server_port: 53,
  server_host: '',
  request_bytes: 80,
  request_packets: 1,
  reply_bytes: 160,
  reply_packets: 1,
  flows: 2,
  internal,
})

const summary: WindowSummary = {
  window_minutes: 5,
  from: 1_780_000_000,
  to: 1_780_000_300,
  exporters: [
    {
      exporter: '192.168.1.1',
      exporter_name: 'router',
      conversations: [conversation('192.168.1.2', true), conversation('198.51.100.53', false)],
    },
  ],
}

void test('internal is read back as written', () => {
  const back = new Map<number, WindowSummary>()
  latestFromLines(summaryLines(summary), back)
  assert.deepEqual(back.get(5), summary)
})

void test('a line whose internal is not a boolean is skipped, as other unreadable ones', () => {
  const [good, bad] = summaryLines(summary).trim().split('\n')
  const edited = JSON.stringify({ ...(JSON.parse(bad ?? '') as object), internal: 'yes' })
  const back = new Map<number, WindowSummary>()
  latestFromLines(`${good}\n${edited}\n`, back)
  assert.deepEqual(
    back.get(5)?.exporters[0]?.conversations.map((c) => [c.server, c.internal]),
    [['192.168.1.2', true]],
  )
})

void test('a line written before the field reads as not internal', () => {
  const old = summaryLines(summary)
    .trim()
    .split('\n')
    .map((l) => {
      const { internal, ...rest } = JSON.parse(l) as Record<string, unknown>
      assert.equal(typeof internal, 'boolean')
      return JSON.stringify(rest)
    })
    .join('\n')
  const back = new Map<number, WindowSummary>()
  latestFromLines(old, back)
  const got = back.get(5)?.exporters[0]?.conversations.map((c) => [c.server, c.internal])
  assert.deepEqual(got, [
    ['192.168.1.2', false],
    ['198.51.100.53', false],
  ])
})
