// The `flow_log` configuration section: an optional rotating file with one line per
// decoded flow, for people who grep.
import { bool, int, section } from '../config/index.js'

const enabled = bool({
  path: 'flow_log.enabled',
  default: false,
  help: 'write one TSV line per decoded flow to data_dir/flowlog/flows.log (for grep)',
})
const maxBytes = int({
  path: 'flow_log.max_bytes',
  default: 100 << 20,
  min: 4096,
  max: 2 ** 40,
  help: 'size at which flows.log is rotated',
})
const files = int({
  path: 'flow_log.files',
  default: 5,
  min: 1,
  max: 1000,
  help: 'flow log files kept, the current one included',
})

export interface FlowLogConfig {
  enabled: boolean
  maxBytes: number
  files: number
}

export const FLOW_LOG = section([enabled, maxBytes, files], (v): FlowLogConfig => ({
  enabled: v.get(enabled),
  maxBytes: v.get(maxBytes),
  files: v.get(files),
}))
