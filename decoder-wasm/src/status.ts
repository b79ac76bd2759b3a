// Datagram outcomes, numbered as in assembly/status.ts, with the reason label used in
// metrics (`flowloft_decoder_datagrams_total{result="..."}`).
export const STATUS_REASONS = [
  'ok',
  'empty',
  'truncated_header',
  'unknown_version',
  'bad_count',
  'truncated_record',
  'too_many_records',
  'bad_set_length',
  'bad_template',
  'template_missing',
  'bad_sample',
  'truncated_set',
  'truncated_sample',
  'bad_agent_address',
  'bad_length',
  'state_full',
] as const

export type StatusReason = (typeof STATUS_REASONS)[number]

export function statusReason(code: number): StatusReason | 'unknown_status' {
  return STATUS_REASONS[code] ?? 'unknown_status'
}
