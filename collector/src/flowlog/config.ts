// The `flow_log` configuration section: an optional rotating file with one line per
// decoded flow, for people who grep.
export interface FlowLogConfig {
  enabled: boolean
  maxBytes: number
  files: number
}
