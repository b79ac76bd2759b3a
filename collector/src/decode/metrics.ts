import type { FlowCounterName } from '@flowloft/decoder-wasm'
import type { Registry } from '../observability/metrics.js'

export function decodeMetrics(r: Registry) {
  return {
    datagrams: r.counter(
      'flowloft_decoder_datagrams_total',
      'Datagrams decoded, by exporter, flow type and result (ok or the reason they were rejected)',
      ['exporter', 'protocol', 'result'],
    ),
    flows: r.counter('flowloft_decoder_flows_total', 'Flow records decoded'),
    refused: r.counter(
      'flowloft_decoder_flows_refused_total',
      'Flow records refused, by exporter, flow type and reason (sampling_rate: the exporter announced a rate above decode.max_sampling_rate)',
      ['exporter', 'protocol', 'reason'],
    ),
    dropped: r.counter(
      'flowloft_decode_dropped_datagrams_total',
      'Datagrams dropped before decoding, by reason (queue_full, worker_error)',
      ['reason'],
    ),
    taskSeconds: r.counter(
      'flowloft_decode_task_seconds_total',
      'Time spent in decode tasks, seconds',
    ),
    tasks: r.counter('flowloft_decode_tasks_total', 'Decode tasks completed'),
    taskLatency: r.histogram(
      'flowloft_decode_task_duration_seconds',
      'Time from handing a batch to the pool until its rows were handed on (queue wait included)',
    ),
    enrichCache: r.counter(
      'flowloft_enrich_cache_lookups_total',
      'Flow enrichments by result: hit (answered from the WASM-side cache) or miss (looked up in JS)',
      ['result'],
    ),
  }
}

/**
 * The template decoders' cumulative counters (summed over workers) as metric families:
 * name, help, and the label that tells counters of one family apart.
 */
export const FLOW_COUNTER_METRICS: Record<
  FlowCounterName,
  { name: string; help: string; type?: 'gauge'; label?: [string, string]; hidden?: true }
> = {
  setsHeld: {
    name: 'flowloft_decoder_held_sets_total',
    help: 'NetFlow v9/IPFIX data sets held because their template had not arrived yet',
  },
  heldDecoded: {
    name: 'flowloft_decoder_held_sets_decoded_total',
    help: 'Held data sets decoded once their template arrived',
  },
  heldRecords: {
    name: 'flowloft_decoder_held_records_decoded_total',
    help: 'Flow records decoded from held data sets',
  },
  heldExpired: {
    name: 'flowloft_decoder_held_sets_dropped_total',
    help: 'Held data sets dropped, by reason (expired: no template in time; overflow: per-exporter or memory bound; rejected: could not be held)',
    label: ['reason', 'expired'],
  },
  heldOverflow: {
    name: 'flowloft_decoder_held_sets_dropped_total',
    help: '',
    label: ['reason', 'overflow'],
  },
  heldRejected: {
    name: 'flowloft_decoder_held_sets_dropped_total',
    help: '',
    label: ['reason', 'rejected'],
  },
  heldCurrent: {
    name: 'flowloft_decoder_held_sets',
    help: 'Data sets held now, waiting for their template',
    type: 'gauge',
  },
  templatesLearned: {
    name: 'flowloft_decoder_templates_learned_total',
    help: 'New or changed templates (data and options) learned by the workers',
  },
  templatesWithdrawn: {
    name: 'flowloft_decoder_templates_withdrawn_total',
    help: 'Templates withdrawn by exporters (IPFIX)',
  },
  templateTableFull: {
    name: 'flowloft_decoder_table_full_total',
    help: 'Entries evicted or refused because a decoder table was full, by table (template, option, exporter)',
    label: ['table', 'template'],
  },
  optionTableFull: {
    name: 'flowloft_decoder_table_full_total',
    help: '',
    label: ['table', 'option'],
  },
  exporterTableFull: {
    name: 'flowloft_decoder_table_full_total',
    help: '',
    label: ['table', 'exporter'],
  },
  eventsDropped: {
    name: 'flowloft_decoder_template_events_total',
    help: 'Template events shared between workers, by result (dropped: region full; imported; rejected: malformed)',
    label: ['result', 'dropped'],
  },
  eventsImported: {
    name: 'flowloft_decoder_template_events_total',
    help: '',
    label: ['result', 'imported'],
  },
  eventsRejected: {
    name: 'flowloft_decoder_template_events_total',
    help: '',
    label: ['result', 'rejected'],
  },
  optionsRecords: {
    name: 'flowloft_decoder_options_records_total',
    help: 'Options data records decoded (sampling, clock)',
  },
  ratesLearned: {
    name: 'flowloft_decoder_sampling_rates_learned_total',
    help: 'New or changed sampling rates learned from options data',
  },
  heldRecordsDropped: {
    name: 'flowloft_decoder_held_records_dropped_total',
    help: 'Records of held data sets that did not fit the output',
  },
  templatesRefusedQuota: {
    name: 'flowloft_decoder_templates_refused_total',
    help: 'New templates refused, by reason (quota: the exporter address holds decode.templates.per_exporter; table_full: decode.templates.max reached and no address holds more than the newcomer would)',
    label: ['reason', 'quota'],
  },
  templatesRefusedFull: {
    name: 'flowloft_decoder_templates_refused_total',
    help: '',
    label: ['reason', 'table_full'],
  },
  templatesAged: {
    name: 'flowloft_decoder_templates_aged_total',
    help: 'Templates unused for decode.templates.idle_s dropped for a new template of the same exporter address',
  },
  newSessions: {
    name: 'flowloft_decoder_template_sessions_total',
    help: 'Transport sessions of NetFlow v9/IPFIX exporters, by event (new_session: a known exporter address sent from a new source port; its templates are kept apart)',
    label: ['event', 'new_session'],
  },
  flowsRefused: {
    // Reported per batch (BatchDecoder) into flowloft_decoder_flows_refused_total.
    name: 'flowloft_decoder_flows_refused_total',
    help: '',
    hidden: true,
  },
}

/** The template registry's state and bounds on the main thread. */
export function registryMetrics(r: Registry, stats: () => RegistryView): void {
  r.gauge(
    'flowloft_template_registry_entries',
    'Templates and sampling entries in the saved template registry',
    [],
    (g) => g.set({}, stats().entries),
  )
  r.gauge(
    'flowloft_template_registry_snapshot_bytes',
    'Size of the template snapshot published to the workers and saved to templates.bin',
    [],
    (g) => g.set({}, stats().snapshotBytes),
  )
  r.external(
    'counter',
    'flowloft_template_registry_refused_total',
    'Registry entries refused by its bounds, by reason (quota, table_full), or evicted for a quieter exporter (evicted)',
    () => {
      const s = stats()
      return [
        { labels: { reason: 'quota' }, value: s.refusedQuota },
        { labels: { reason: 'table_full' }, value: s.refusedFull },
        { labels: { reason: 'evicted' }, value: s.evicted },
      ]
    },
  )
}

export interface RegistryView {
  entries: number
  snapshotBytes: number
  refusedQuota: number
  refusedFull: number
  evicted: number
}
