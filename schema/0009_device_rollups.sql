-- Per-device traffic per hour (issue 21): a device's traffic chart and usage over weeks
-- read flows_1h (or flows_1d) filtered by local_addr, which is last in their sort key,
-- so a month of every device's rows was scanned for one. device_traffic_1h keeps only
-- what those views need, sorted by device first: per local_addr (the rollups' local
-- side, '::' for unknown and transit flows), hour and direction the sums of bytes,
-- packets and flows; a home's 30-100 devices make a few thousand rows a day. Fed from
-- flows_1h by a view (so the insert's token reaches it down the chain, and it has its
-- own deduplication window); kept retention.rollup_1h_days (clickhouse/retention.ts).
CREATE TABLE IF NOT EXISTS flowloft.device_traffic_1h
(
    local_addr IPv6 CODEC(ZSTD(1)),
    time       DateTime CODEC(DoubleDelta, ZSTD(1)),
    direction  Enum8('unknown' = 0, 'inbound' = 1, 'outbound' = 2, 'internal' = 3, 'transit' = 4),
    bytes      UInt64 CODEC(T64, ZSTD(1)),
    packets    UInt64 CODEC(T64, ZSTD(1)),
    flows      UInt64 CODEC(T64, ZSTD(1))
)
ENGINE = SummingMergeTree((bytes, packets, flows))
PARTITION BY toYYYYMM(time)
ORDER BY (local_addr, time, direction)
TTL time + INTERVAL 400 DAY
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

-- Backfill from flows_1h, before the view exists (so nothing is counted twice); rows
-- are summed per block and by the merges.
INSERT INTO flowloft.device_traffic_1h
SELECT local_addr, flows_1h.time AS time, direction, bytes, packets, flows
FROM flowloft.flows_1h;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowloft.device_traffic_1h_mv TO flowloft.device_traffic_1h AS
SELECT
    local_addr, flows_1h.time AS time, direction,
    sum(flows_1h.bytes) AS bytes, sum(flows_1h.packets) AS packets, sum(flows_1h.flows) AS flows
FROM flowloft.flows_1h
GROUP BY local_addr, time, direction;
