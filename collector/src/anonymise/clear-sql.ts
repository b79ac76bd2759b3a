// The SQL of anonymise.clear_days (docs/anonymisation.md): the view that writes each clear
// row of flowloft.flows_clear anonymised on to flowloft.flows, with the same Crypto-PAn
// mapping as crypto-pan.ts written in ClickHouse functions. The key is read from
// flowloft.anonymise_key (in memory, filled at start), never written into the view.
import type { AnonymiseMode } from './config.js'

export const CLEAR_TABLE = 'flowloft.flows_clear'
export const CLEAR_VIEW = 'flowloft.flows_clear_mv'
export const KEY_TABLE = 'flowloft.anonymise_key'

const KEY_ABSENT =
  'anonymise: the key is not loaded into flowloft.anonymise_key (the collector loads it at start)'

/** Byte k (1-based SQL expression) of the string expression s, as a UInt8. */
const byteAt = (s: string, k: string): string => `reinterpretAsUInt8(substring(${s}, ${k}, 1))`

/**
 * Crypto-PAn of s, a String or FixedString of 4 or 16 bytes, under the AES key K and the
 * pad P (16-byte strings named in the query). Bit 8j + t of the result is that bit of s
 * XOR the first bit of AES_K(the first 8j + t bits of s, then P's remaining bits); all
 * 32 or 128 blocks are encrypted in one call per block of rows. encrypt() pads its input
 * (PKCS#7): the first 16 bytes of its answer are the AES block.
 */
export function cryptoPanSql(s: string): string {
  const block =
    `concat(substring(${s}, 1, j), char(bitOr(bitAnd(${byteAt(s, 'j + 1')}, ` +
    `bitAnd(bitShiftLeft(255, 8 - t), 255)), bitAnd(${byteAt('P', 'j + 1')}, ` +
    `bitShiftRight(255, t)))), substring(P, j + 2))`
  const bit = `bitShiftRight(reinterpretAsUInt8(substring(encrypt('aes-128-ecb', ${block}, K), 1, 1)), 7)`
  return (
    `arrayStringConcat(arrayMap((j, x) -> char(bitXor(${byteAt(s, 'j + 1')}, x)), ` +
    `range(length(${s})), arrayMap(j -> arraySum(arrayMap(t -> bitShiftLeft(${bit}, 7 - t), ` +
    `range(8))), range(length(${s})))))`
  )
}

const MAPPED_V4 = `unhex('00000000000000000000FFFF')`

/**
 * The stored (IPv6) address column `col` anonymised like CryptoPan.anonymiseStored: an
 * IPv4-mapped address stays mapped with its 32 bits anonymised, an absent one (`::`,
 * `::ffff:0.0.0.0`) stays as it is.
 */
export function anonymisedAddrSql(col: string): string {
  const bytes = `toFixedString(reinterpretAsString(${col}), 16)`
  const v4 = `startsWith(${bytes}, ${MAPPED_V4})`
  const mapped = `if(${v4}, concat(${MAPPED_V4}, ${cryptoPanSql(`substring(${bytes}, 13, 4)`)}), ${cryptoPanSql(bytes)})`
  return (
    `if(${col} IN (toIPv6('::'), toIPv6('::ffff:0.0.0.0')), ${col}, ` +
    `CAST(toFixedString(${mapped}, 16) AS IPv6))`
  )
}

/**
 * Whether each side is anonymised, as the decode workers decide it: by the side the mode
 * names, from the direction the enrichment gave; without one (`unknown`) both sides.
 */
function sidesSql(mode: Exclude<AnonymiseMode, 'none'>): { src: string; dst: string } {
  const among = (dirs: string[]): string => `direction IN (${dirs.map((d) => `'${d}'`).join(', ')})`
  switch (mode) {
    case 'both':
      return { src: '1', dst: '1' }
    case 'local':
      return {
        src: among(['outbound', 'internal', 'unknown']),
        dst: among(['inbound', 'internal', 'unknown']),
      }
    case 'remote':
      return {
        src: among(['inbound', 'transit', 'unknown']),
        dst: among(['outbound', 'transit', 'unknown']),
      }
  }
}

/**
 * The view flows_clear -> flows for a mode: a side it anonymises gets its address and
 * post-NAT address mapped and its host name dropped; the next hop is always mapped. A
 * row is refused (the whole insert fails, and the writer keeps the batch) when the key
 * is not loaded.
 */
export function clearViewSql(mode: Exclude<AnonymiseMode, 'none'>): string {
  const sides = sidesSql(mode)
  const side = (cond: string, addr: string): string =>
    `if(${cond}, ${anonymisedAddrSql(addr)}, ${addr}) AS ${addr}`
  return [
    `CREATE MATERIALIZED VIEW ${CLEAR_VIEW} TO flowloft.flows AS`,
    `WITH unhex(joinGet('${KEY_TABLE}', 'aes', toUInt8(1))) AS K,`,
    `  unhex(joinGet('${KEY_TABLE}', 'pad', toUInt8(1))) AS P,`,
    `  ${sides.src} AS anon_src, ${sides.dst} AS anon_dst`,
    `SELECT * REPLACE (`,
    `  ${side('anon_src', 'src_addr')},`,
    `  ${side('anon_dst', 'dst_addr')},`,
    `  ${side('anon_src', 'post_nat_src_addr')},`,
    `  ${side('anon_dst', 'post_nat_dst_addr')},`,
    `  if(throwIf(length(K) != 16 OR length(P) != 16, '${KEY_ABSENT}') = 0, ${anonymisedAddrSql('next_hop')}, next_hop) AS next_hop,`,
    `  if(anon_src, '', src_host) AS src_host,`,
    `  if(anon_dst, '', dst_host) AS dst_host`,
    `)`,
    `FROM ${CLEAR_TABLE}`,
  ].join('\n')
}
