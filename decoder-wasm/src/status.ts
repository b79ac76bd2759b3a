// Datagram outcomes: STATUS_REASONS (generated from contract/abi.json) by the code the
// WASM decoder writes, each the reason label used in metrics
// (`flowloft_decoder_datagrams_total{result="..."}`).
import { STATUS_REASONS } from './generated/contract.js'

export { STATUS_REASONS }
export type StatusReason = (typeof STATUS_REASONS)[number]

export function statusReason(code: number): StatusReason | 'unknown_status' {
  return STATUS_REASONS[code] ?? 'unknown_status'
}
