-- Exactly-once inserts: the writer sends a stable insert_deduplication_token with every
-- batch; a non-replicated MergeTree honours it only with this window (measured: without
-- it, the same token inserted twice stores the rows twice).
ALTER TABLE flowloft.flows MODIFY SETTING non_replicated_deduplication_window = 1000;

-- Rollups, fed by materialized views on every insert into flows. Keys are what
-- dashboards group by. Derived keys (documented in docs of schema):
--   service_port: least(src_port, dst_port) when it is below 1024, else 0 (ephemeral
--     to ephemeral traffic, and ICMP, fold into 0).
--   local_addr: the local host of the flow: src_addr for outbound and internal flows
--     (the sender), dst_addr for inbound; '::' for unknown and transit direction, which
--     have no local side (keeping both addresses would make the rollup as large as the
--     raw table; per-host queries on them read flows).
-- Sums: bytes, packets (already scaled by sampling_rate) and flows (raw rows).
-- Each rollup has its own deduplication window: measured on ClickHouse 26.7, a block
-- deduplicated in flows still reaches the views, and only a window on the view's target
-- table drops the repeat (the token is passed down to dependent views).
CREATE TABLE IF NOT EXISTS flowloft.flows_1m
(
    time         DateTime CODEC(DoubleDelta, ZSTD(1)),
    exporter     IPv6 CODEC(ZSTD(1)),
    in_if        UInt32 CODEC(T64, ZSTD(1)),
    out_if       UInt32 CODEC(T64, ZSTD(1)),
    direction    Enum8('unknown' = 0, 'inbound' = 1, 'outbound' = 2, 'internal' = 3, 'transit' = 4),
    proto        UInt8,
    service_port UInt16 CODEC(ZSTD(1)),
    src_country  LowCardinality(String),
    dst_country  LowCardinality(String),
    src_as       UInt32 CODEC(T64, ZSTD(1)),
    dst_as       UInt32 CODEC(T64, ZSTD(1)),
    local_addr   IPv6 CODEC(ZSTD(1)),
    bytes        UInt64 CODEC(T64, ZSTD(1)),
    packets      UInt64 CODEC(T64, ZSTD(1)),
    flows        UInt64 CODEC(T64, ZSTD(1))
)
ENGINE = SummingMergeTree((bytes, packets, flows))
PARTITION BY toYYYYMMDD(time)
ORDER BY (time, exporter, in_if, out_if, direction, proto, service_port, src_country, dst_country, src_as, dst_as, local_addr)
TTL time + INTERVAL 7 DAY
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS flowloft.flows_1h AS flowloft.flows_1m
ENGINE = SummingMergeTree((bytes, packets, flows))
PARTITION BY toYYYYMM(time)
ORDER BY (time, exporter, in_if, out_if, direction, proto, service_port, src_country, dst_country, src_as, dst_as, local_addr)
TTL time + INTERVAL 400 DAY
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowloft.flows_1m_mv TO flowloft.flows_1m AS
SELECT
    toStartOfMinute(time_received) AS time,
    exporter, in_if, out_if, direction, proto,
    if(least(src_port, dst_port) < 1024, least(src_port, dst_port), 0) AS service_port,
    src_country, dst_country, src_as, dst_as,
    multiIf(direction = 'inbound', dst_addr, direction IN ('outbound', 'internal'), src_addr, toIPv6('::')) AS local_addr,
    sum(flows.bytes) AS bytes,
    sum(flows.packets) AS packets,
    count() AS flows
FROM flowloft.flows
GROUP BY time, exporter, in_if, out_if, direction, proto, service_port, src_country, dst_country, src_as, dst_as, local_addr;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowloft.flows_1h_mv TO flowloft.flows_1h AS
SELECT
    toStartOfHour(time_received) AS time,
    exporter, in_if, out_if, direction, proto,
    if(least(src_port, dst_port) < 1024, least(src_port, dst_port), 0) AS service_port,
    src_country, dst_country, src_as, dst_as,
    multiIf(direction = 'inbound', dst_addr, direction IN ('outbound', 'internal'), src_addr, toIPv6('::')) AS local_addr,
    sum(flows.bytes) AS bytes,
    sum(flows.packets) AS packets,
    count() AS flows
FROM flowloft.flows
GROUP BY time, exporter, in_if, out_if, direction, proto, service_port, src_country, dst_country, src_as, dst_as, local_addr;

-- What has been seen: one row per exporter and per (exporter, interface), latest wins.
CREATE TABLE IF NOT EXISTS flowloft.exporters
(
    exporter      IPv6,
    exporter_name String,
    flow_type     LowCardinality(String),
    sampling_rate UInt32,
    last_seen     DateTime
)
ENGINE = ReplacingMergeTree(last_seen)
ORDER BY exporter
TTL last_seen + INTERVAL 400 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowloft.exporters_mv TO flowloft.exporters AS
SELECT
    exporter,
    argMax(exporter_name, time_received) AS exporter_name,
    toString(argMax(flow_type, time_received)) AS flow_type,
    argMax(sampling_rate, time_received) AS sampling_rate,
    max(time_received) AS last_seen
FROM flowloft.flows
GROUP BY exporter;

CREATE TABLE IF NOT EXISTS flowloft.interfaces
(
    exporter  IPv6,
    if_index  UInt32,
    if_name   String,
    last_seen DateTime
)
ENGINE = ReplacingMergeTree(last_seen)
ORDER BY (exporter, if_index)
TTL last_seen + INTERVAL 400 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowloft.interfaces_mv TO flowloft.interfaces AS
SELECT
    exporter,
    tupleElement(i, 1) AS if_index,
    argMax(tupleElement(i, 2), time_received) AS if_name,
    max(time_received) AS last_seen
FROM flowloft.flows
ARRAY JOIN [(in_if, toString(in_if_name)), (out_if, toString(out_if_name))] AS i
WHERE tupleElement(i, 1) != 0
GROUP BY exporter, if_index;
