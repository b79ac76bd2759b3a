// Writing the fields of a flow record (its layout is generated from contract/flows.json
// into generated/record.ts): addresses as IPv4-mapped or IPv6 bytes, counters scaled by
// the sampling rate.
import { F_BYTES, F_PACKETS, F_SAMPLING_RATE } from '../generated/record'

/** Store a big-endian IPv4 address read at `src` as an IPv4-mapped IPv6 address. */
@inline export function putIPv4(rec: usize, field: usize, src: usize): void {
  store<u64>(rec + field, 0)
  store<u32>(rec + field + 8, 0xffff0000)
  store<u32>(rec + field + 12, load<u32>(src))
}

/** Store an IPv4 address given as a host-order integer as IPv4-mapped IPv6. */
@inline export function putIPv4Value(rec: usize, field: usize, v: u32): void {
  store<u64>(rec + field, 0)
  store<u32>(rec + field + 8, 0xffff0000)
  store<u32>(rec + field + 12, bswap<u32>(v))
}

/** Copy a 16-byte IPv6 address as-is (network order). */
@inline export function putIPv6(rec: usize, field: usize, src: usize): void {
  store<u64>(rec + field, load<u64>(src))
  store<u64>(rec + field + 8, load<u64>(src + 8))
}

/** Multiply the counters by the sampling rate (0 means 1) and record the rate. */
export function applySampling(rec: usize, rate: u32): void {
  const r: u32 = rate == 0 ? 1 : rate
  store<u32>(rec + F_SAMPLING_RATE, r)
  if (r != 1) {
    store<u64>(rec + F_BYTES, load<u64>(rec + F_BYTES) * <u64>r)
    store<u64>(rec + F_PACKETS, load<u64>(rec + F_PACKETS) * <u64>r)
  }
}
