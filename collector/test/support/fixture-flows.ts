// Fixture flows for API and UI tests, inserted straight into flowloft.flows with
// timestamps of now (the table TTL drops rows that are already expired at insert).
import type { ClickHouseClient } from '@clickhouse/client'
import { randomUUID } from 'node:crypto'

export interface FixtureFlow {
  exporter: string
  flow_type: 'netflow9' | 'ipfix' | 'sflow5'
  sampling_rate: number
  src_addr: string
  dst_addr: string
  src_host: string
  dst_host: string
  src_port: number
  dst_port: number
  proto: number
  proto_name: string
  src_as: number
  dst_as: number
  src_as_name: string
  dst_as_name: string
  src_country: string
  dst_country: string
  direction: 'inbound' | 'outbound' | 'internal'
  in_if: number
  out_if: number
  in_if_name?: string
  out_if_name?: string
  bytes: number
  packets: number
  /** Seconds before now. */
  ago: number
}

/** The flows' IPv6 columns hold IPv4 addresses mapped. */
const v4 = (a: string): string => (a.includes(':') ? a : `::ffff:${a}`)

/** Inbound downloads to nas.lan and laptop.lan, outbound uploads from laptop.lan. */
export function fixtureFlows(): FixtureFlow[] {
  const flows: FixtureFlow[] = []
  const base = {
    exporter: '192.0.2.10',
    flow_type: 'netflow9',
    sampling_rate: 1,
    in_if: 1,
    out_if: 2,
  } as const
  for (let i = 0; i < 30; i++) {
    const ago = 30 + i * 60
    flows.push({
      ...base,
      src_addr: '203.0.113.7',
      dst_addr: '192.168.1.20',
      src_host: 'cdn.example.net',
      dst_host: 'nas.lan',
      src_port: 443,
      dst_port: 50000 + i,
      proto: 6,
      proto_name: 'TCP',
      src_as: 64500,
      dst_as: 0,
      src_as_name: 'EXAMPLE-CDN',
      dst_as_name: '',
      src_country: 'DE',
      dst_country: '',
      direction: 'inbound',
      bytes: 3_000_000,
      packets: 2_000,
      ago,
    })
    flows.push({
      ...base,
      src_addr: '198.51.100.53',
      dst_addr: '192.168.1.30',
      src_host: 'dns.example.org',
      dst_host: 'laptop.lan',
      src_port: 53,
      dst_port: 40000 + i,
      proto: 17,
      proto_name: 'UDP',
      src_as: 64501,
      dst_as: 0,
      src_as_name: 'EXAMPLE-DNS',
      dst_as_name: '',
      src_country: 'FR',
      dst_country: '',
      direction: 'inbound',
      bytes: 400_000,
      packets: 500,
      ago,
    })
    flows.push({
      ...base,
      exporter: '198.51.100.1',
      flow_type: 'ipfix',
      sampling_rate: 100,
      src_addr: '192.168.1.30',
      dst_addr: '203.0.113.7',
      src_host: 'laptop.lan',
      dst_host: 'cdn.example.net',
      src_port: 50100 + i,
      dst_port: 443,
      proto: 6,
      proto_name: 'TCP',
      src_as: 0,
      dst_as: 64500,
      src_as_name: '',
      dst_as_name: 'EXAMPLE-CDN',
      src_country: '',
      dst_country: 'DE',
      direction: 'outbound',
      bytes: 1_000_000,
      packets: 900,
      ago,
    })
  }
  return flows
}

/**
 * Unset the deduplication token an insert left on the session: the embedded engine's
 * client sends settings as SET on its session, so a later insert without a token of its
 * own (an INSERT through `command`) would carry it and be dropped as a duplicate.
 */
export async function forgetInsertToken(client: ClickHouseClient): Promise<void> {
  await client.command({ query: "SET insert_deduplication_token = ''" })
}

export async function insertFixtureFlows(
  client: ClickHouseClient,
  flows: FixtureFlow[] = fixtureFlows(),
  now = Math.floor(Date.now() / 1000),
): Promise<FixtureFlow[]> {
  const values = flows.map(({ ago, ...f }) => ({
    ...f,
    exporter: v4(f.exporter),
    src_addr: v4(f.src_addr),
    dst_addr: v4(f.dst_addr),
    time_received: now - ago,
    flow_start: new Date((now - ago - 10) * 1000).toISOString(),
    flow_end: new Date((now - ago) * 1000).toISOString(),
  }))
  await client.insert({
    table: 'flowloft.flows',
    values,
    format: 'JSONEachRow',
    // A token of its own: on the embedded engine a token set by an earlier insert stays
    // on the session, and this insert would be dropped as that one's duplicate.
    clickhouse_settings: {
      async_insert: 0,
      date_time_input_format: 'best_effort',
      insert_deduplication_token: randomUUID(),
    },
  })
  await forgetInsertToken(client)
  return flows
}
