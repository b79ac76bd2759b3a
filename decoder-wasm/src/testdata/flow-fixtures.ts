// Representative NetFlow v9 and IPFIX datagrams built in code, plus the softflowd
// captures recorded beside this file (record-fixtures.ts), for the conformance suite.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { readCaptureFile } from '../pcap/read.js'
import { VARIABLE, type TemplateDef } from './flow-fields.js'
import { buildIpfix } from './ipfix-builder.js'
import { buildV9 } from './netflow9-builder.js'

const v4: TemplateDef = {
  id: 256,
  fields: [
    { id: 8, length: 4 },
    { id: 12, length: 4 },
    { id: 7, length: 2 },
    { id: 11, length: 2 },
    { id: 4, length: 1 },
    { id: 1, length: 4 },
    { id: 2, length: 4 },
    { id: 22, length: 4 },
    { id: 21, length: 4 },
    { id: 48, length: 1 },
    { id: 34, length: 4 },
  ],
}
const v6: TemplateDef = {
  id: 257,
  fields: [
    { id: 27, length: 16 },
    { id: 28, length: 16 },
    { id: 139, length: 2 },
    { id: 1, length: 8 },
    { id: 56, length: 6 },
    { id: 58, length: 2 },
  ],
}
const v9Options: TemplateDef = {
  id: 258,
  scopeCount: 1,
  fields: [
    { id: 1, length: 4 },
    { id: 48, length: 1 },
    { id: 34, length: 4 },
  ],
}
const ipfixData: TemplateDef = {
  id: 300,
  fields: [
    { id: 8, length: 4 },
    { id: 12, length: 4 },
    { id: 96, length: VARIABLE },
    { id: 100, length: 4, enterprise: 9 },
    { id: 152, length: 8 },
    { id: 22, length: 4 },
    { id: 21, length: 4 },
    { id: 1, length: 8 },
    { id: 1, length: 8, enterprise: 29305 },
    { id: 2, length: 8, enterprise: 29305 },
    { id: 302, length: 4 },
  ],
}
const ipfixOptions: TemplateDef = {
  id: 301,
  scopeCount: 1,
  fields: [
    { id: 302, length: 4 },
    { id: 305, length: 4 },
    { id: 306, length: 4 },
    { id: 160, length: 8 },
  ],
}

const v9Header = { sysUptime: 100_000, unixSecs: 1_700_000_000, sequence: 1, sourceId: 1 }
const ipfixHeader = { exportTime: 1_700_000_000, sequence: 1, domain: 1 }

export function builtV9(): Uint8Array[] {
  return [
    buildV9(v9Header, [
      { templates: [v4, v6] },
      { optionsTemplates: [v9Options], pad: 2 },
      { template: v9Options, records: [[0, 1, 100]], pad: 3 },
      {
        template: v4,
        records: [['10.0.0.1', '10.0.0.2', 1000, 53, 17, 80, 1, 90_000, 95_000, 1, 0]],
      },
      {
        template: v6,
        records: [['2001:db8::1', '2001:db8::2', 0x8000, 64n, '02:00:00:00:00:01', 10]],
        pad: 2,
      },
    ]),
    buildV9(v9Header, [
      {
        template: v4,
        records: [
          ['10.0.0.3', '10.0.0.4', 1, 2, 6, 1, 1, 1, 2, 0, 0],
          ['10.0.0.5', '10.0.0.6', 3, 4, 6, 1, 1, 1, 2, 0, 0],
        ],
      },
    ]),
  ]
}

export function builtIpfix(): Uint8Array[] {
  return [
    buildIpfix(ipfixHeader, [
      { templates: [ipfixData] },
      { optionsTemplates: [ipfixOptions] },
      { template: ipfixOptions, records: [[5, 1, 9, 1_699_000_000_000n]] },
      {
        template: ipfixData,
        records: [
          ['10.0.0.1', '10.0.0.2', 'http', 7, 1_699_999_999_000n, 1000, 2000, 500n, 300n, 3n, 5],
          [
            '10.0.0.3',
            '10.0.0.4',
            new Uint8Array(300),
            7,
            1_699_999_999_000n,
            1000,
            2000,
            0n,
            10n,
            1n,
            5,
          ],
        ],
        pad: 3,
      },
    ]),
    buildIpfix(ipfixHeader, [
      { withdraw: [300] },
      { withdraw: [3], options: true },
      { withdraw: [2] },
    ]),
  ]
}

const here = (name: string): string =>
  fileURLToPath(new URL(`../../src/testdata/${name}`, import.meta.url))

export const CAPTURES = [
  'softflowd-v9.pcap',
  'softflowd-v9-sampled.pcap',
  'softflowd-ipfix.pcap',
  'softflowd-ipfix-biflow.pcap',
]

export function capturePath(name: string): string {
  return here(name)
}

/** Payloads of a recorded capture (empty when it has not been recorded). */
export function capturePayloads(name: string): Uint8Array[] {
  const path = here(name)
  if (!existsSync(path)) return []
  return readCaptureFile(path).map((d) => d.payload)
}
