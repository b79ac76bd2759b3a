// pmacctd 1.7.7 reading a savefile may drop the last few packets still in its
// core->plugin buffer when the file ends. Captures replayed through it end with a tail
// of sentinel packets (PMACCT_SENTINEL -> 198.51.100.2, UDP 9) that tests leave out.
import type { Packet } from '../builders/pcap-write.js'

export const PMACCT_SENTINEL = '198.51.100.1'

/** Append 64 sentinel packets, 10 ms after `afterMs`, 1 ms apart. */
export function withPmacctTail(packets: Packet[], afterMs: number): Packet[] {
  for (let i = 0; i < 64; i++) {
    packets.push({
      timeMs: afterMs + 10 + i,
      src: PMACCT_SENTINEL,
      dst: '198.51.100.2',
      proto: 17,
      srcPort: 9,
      dstPort: 9,
      payloadBytes: 10,
    })
  }
  return packets
}
