// Why `flowloft decode` of a capture printed no flow: the file holds ordinary traffic
// (TCP, DNS, ...) rather than a router's flow export. The reader takes every UDP
// datagram whatever its port and the decoder tells an export by its content, so the
// hint counts the packets, the UDP datagrams and why the decoder turned each away.
import type { CaptureInput } from './capture-batches.js'

/** Decoder outcomes that say a datagram is no flow export at all. */
const NOT_AN_EXPORT = new Set(['empty', 'truncated_header', 'unknown_version'])

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`

/**
 * The one-line hint when no datagram of the capture looked like a NetFlow, IPFIX or
 * sFlow export (`results`: datagrams per decoder outcome), or null when one did.
 */
export function noExportHint(
  path: string,
  input: Pick<CaptureInput, 'packets' | 'datagrams'>,
  results: ReadonlyMap<string, number>,
): string | null {
  for (const [result, n] of results) if (n > 0 && !NOT_AN_EXPORT.has(result)) return null
  const reasons = [...results].map(([result, n]) => `${n} ${result}`).join(', ')
  const packets = count(input.packets, 'packet')
  const seen =
    input.packets === 0
      ? 'no packets'
      : input.datagrams === 0
        ? `${packets}, none UDP`
        : `${packets}, ${input.datagrams} UDP, none a flow export: ${reasons}`
  return (
    `${path} holds no NetFlow/IPFIX/sFlow datagrams (${seen}): ` +
    "capture the router's export (udp port 2055, 4739 or 6343) rather than its traffic"
  )
}
