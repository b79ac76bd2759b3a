// Flow times as ClickHouse stores them (DateTime64(3)): from 2001-09-09 (the TSV form
// needs ten digits of seconds; shorter numbers are read as dates and fail) to the end
// of 2299 (the end of DateTime64). A time outside (a broken or hostile exporter) would
// make the whole insert fail or store nonsense, so it is written as the receive time.
const MIN_FLOW_MS: u64 = 1000000000000
const MAX_FLOW_MS: u64 = 10413791999999

@inline export function flowMillis(ms: u64, received: u64): u64 {
  return ms - MIN_FLOW_MS <= MAX_FLOW_MS - MIN_FLOW_MS ? ms : received
}
