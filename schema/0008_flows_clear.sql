-- Clear rows for anonymised storage (docs/anonymisation.md, anonymise.clear_days): with
-- clear_days above 0 the writer stores every flow here as decoded, addresses and host
-- names in clear, and flows_clear_mv (made by the collector at start, as it holds the
-- anonymise.addresses mode) writes each row anonymised on to flows. Rows leave this table
-- after clear_days (the collector sets its TTL at start), so older flows exist only
-- anonymised. Unused while clear_days is 0.
CREATE TABLE IF NOT EXISTS flowloft.flows_clear AS flowloft.flows
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(time_received)
ORDER BY (toStartOfFiveMinute(time_received), exporter, in_if, out_if, proto, src_addr, dst_addr)
TTL time_received + INTERVAL 1 DAY
SETTINGS ttl_only_drop_parts = 1, index_granularity = 8192, non_replicated_deduplication_window = 1000;

-- The Crypto-PAn key of the view, filled by the collector at every start: the AES key
-- (the key's first 16 bytes) and the pad (the second 16 bytes under that key), each as
-- 32 hex digits (sent as data, not in the statement's text). In
-- memory only (persistent = 0): it is never written to the data directory, and the
-- view's stored definition names the table, not the key. After a server restart it is
-- empty until the collector fills it again; meanwhile the constraint below refuses the
-- inserts (the writer keeps them in its spool) instead of storing rows it cannot anonymise.
CREATE TABLE IF NOT EXISTS flowloft.anonymise_key
(
    id  UInt8,
    aes String,
    pad String
)
ENGINE = Join(ANY, LEFT, id)
SETTINGS persistent = 0;

ALTER TABLE flowloft.flows_clear ADD CONSTRAINT IF NOT EXISTS anonymise_key_loaded
    CHECK length(joinGet('flowloft.anonymise_key', 'aes', toUInt8(1))) = 32;
