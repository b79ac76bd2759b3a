-- History rollups (README.md, "Web UI and API"): what the console reads for long
-- windows, so no view scans raw flows or a year of flows_1h.
--
-- flows_hosts_1m / _1h / _1d keep both addresses of a flow (src_addr, dst_addr, as raw
-- flows name them) with its direction, proto, service_port (the contract's, as in
-- flows_1m), both countries and ASes and app, but no exporter or interface: views keyed
-- by a remote address (remote hosts, a remote host's page, a device's remote hosts) read
-- them, seeing each flow from the local side as raw flows do (an internal flow counts for
-- its sender and its receiver). The minutes are fed from flows; the hours from the
-- minutes, the days from the hours (a view on a view's table: each level sums the rows
-- of the level below, fewer rows than flows). flows_1d is flows_1h per day, fed from it.
-- device_seen: each local_addr's first and last minute (from flows_1m), for a device's
-- first/last seen without reading every hour it was seen.
-- Retention: the minutes follow retention.rollup_1m_days, the others
-- retention.rollup_1h_days (clickhouse/retention.ts). Like every rollup, each target has
-- its own deduplication window (the insert's token reaches every view down the chain).
CREATE TABLE IF NOT EXISTS flowloft.flows_hosts_1m
(
    time         DateTime CODEC(DoubleDelta, ZSTD(1)),
    direction    Enum8('unknown' = 0, 'inbound' = 1, 'outbound' = 2, 'internal' = 3, 'transit' = 4),
    proto        UInt8,
    service_port UInt16 CODEC(ZSTD(1)),
    src_addr     IPv6 CODEC(ZSTD(1)),
    dst_addr     IPv6 CODEC(ZSTD(1)),
    src_host     LowCardinality(String),
    dst_host     LowCardinality(String),
    src_country  LowCardinality(String),
    dst_country  LowCardinality(String),
    src_as       UInt32 CODEC(T64, ZSTD(1)),
    dst_as       UInt32 CODEC(T64, ZSTD(1)),
    app          LowCardinality(String),
    bytes        UInt64 CODEC(T64, ZSTD(1)),
    packets      UInt64 CODEC(T64, ZSTD(1)),
    flows        UInt64 CODEC(T64, ZSTD(1))
)
ENGINE = SummingMergeTree((bytes, packets, flows))
PARTITION BY toYYYYMMDD(time)
ORDER BY (time, direction, src_addr, dst_addr, proto, service_port, src_country, dst_country, src_as, dst_as, app)
TTL time + INTERVAL 7 DAY
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS flowloft.flows_hosts_1h AS flowloft.flows_hosts_1m
ENGINE = SummingMergeTree((bytes, packets, flows))
PARTITION BY toYYYYMM(time)
ORDER BY (time, direction, src_addr, dst_addr, proto, service_port, src_country, dst_country, src_as, dst_as, app)
TTL time + INTERVAL 400 DAY
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS flowloft.flows_hosts_1d AS flowloft.flows_hosts_1m
ENGINE = SummingMergeTree((bytes, packets, flows))
PARTITION BY toYYYYMM(time)
ORDER BY (time, direction, src_addr, dst_addr, proto, service_port, src_country, dst_country, src_as, dst_as, app)
TTL time + INTERVAL 400 DAY
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS flowloft.flows_1d AS flowloft.flows_1h
ENGINE = SummingMergeTree((bytes, packets, flows))
PARTITION BY toYYYYMM(time)
ORDER BY (time, exporter, in_if, out_if, direction, proto, service_port, src_country, dst_country, src_as, dst_as, local_addr, app)
TTL time + INTERVAL 400 DAY
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS flowloft.device_seen
(
    local_addr IPv6,
    first_seen SimpleAggregateFunction(min, DateTime),
    last_seen  SimpleAggregateFunction(max, DateTime)
)
ENGINE = AggregatingMergeTree
ORDER BY local_addr
TTL last_seen + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 1000;

-- Backfills, before the views exist (so nothing is counted twice): the hosts' minutes
-- and hours from the raw flows kept (the minutes only their last 7 days), their
-- days from their hours; flows_1d from flows_1h; device_seen from flows_1m, and from
-- flows_1h before the first minute flows_1m still holds. Rows are summed per block and
-- by the merges, so no GROUP BY over a whole table holds memory.
INSERT INTO flowloft.flows_hosts_1m
SELECT
    toStartOfMinute(time_received) AS time, direction, proto,
    if(least(src_port, dst_port) < 1024, least(src_port, dst_port), 0) AS service_port,
    src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as, app,
    bytes, packets, 1 AS flows
FROM flowloft.flows
WHERE time_received >= toStartOfDay(now() - INTERVAL 7 DAY);

INSERT INTO flowloft.flows_hosts_1h
SELECT
    toStartOfHour(time_received) AS time, direction, proto,
    if(least(src_port, dst_port) < 1024, least(src_port, dst_port), 0) AS service_port,
    src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as, app,
    bytes, packets, 1 AS flows
FROM flowloft.flows;

INSERT INTO flowloft.flows_hosts_1d
SELECT
    toStartOfDay(flows_hosts_1h.time) AS time, direction, proto, service_port,
    src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as, app,
    bytes, packets, flows
FROM flowloft.flows_hosts_1h;

INSERT INTO flowloft.flows_1d
SELECT
    toStartOfDay(flows_1h.time) AS time, exporter, in_if, out_if, direction, proto, service_port,
    src_country, dst_country, src_as, dst_as, local_addr, bytes, packets, flows, app
FROM flowloft.flows_1h;

INSERT INTO flowloft.device_seen
SELECT local_addr, min(time) AS first_seen, max(time) AS last_seen
FROM flowloft.flows_1m
GROUP BY local_addr;

INSERT INTO flowloft.device_seen
SELECT local_addr, min(time) AS first_seen, max(time) AS last_seen
FROM flowloft.flows_1h
WHERE time + 3600 <= (SELECT if(count() = 0, now(), min(time)) FROM flowloft.flows_1m)
GROUP BY local_addr;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowloft.flows_hosts_1m_mv TO flowloft.flows_hosts_1m AS
SELECT
    toStartOfMinute(time_received) AS time, direction, proto,
    if(least(src_port, dst_port) < 1024, least(src_port, dst_port), 0) AS service_port,
    src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as, app,
    sum(flows.bytes) AS bytes,
    sum(flows.packets) AS packets,
    count() AS flows
FROM flowloft.flows
GROUP BY time, direction, proto, service_port, src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as, app;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowloft.flows_hosts_1h_mv TO flowloft.flows_hosts_1h AS
SELECT
    toStartOfHour(flows_hosts_1m.time) AS time, direction, proto, service_port,
    src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as, app,
    sum(flows_hosts_1m.bytes) AS bytes, sum(flows_hosts_1m.packets) AS packets, sum(flows_hosts_1m.flows) AS flows
FROM flowloft.flows_hosts_1m
GROUP BY time, direction, proto, service_port, src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as, app;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowloft.flows_hosts_1d_mv TO flowloft.flows_hosts_1d AS
SELECT
    toStartOfDay(flows_hosts_1h.time) AS time, direction, proto, service_port,
    src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as, app,
    sum(flows_hosts_1h.bytes) AS bytes, sum(flows_hosts_1h.packets) AS packets, sum(flows_hosts_1h.flows) AS flows
FROM flowloft.flows_hosts_1h
GROUP BY time, direction, proto, service_port, src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as, app;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowloft.flows_1d_mv TO flowloft.flows_1d AS
SELECT
    toStartOfDay(flows_1h.time) AS time, exporter, in_if, out_if, direction, proto, service_port,
    src_country, dst_country, src_as, dst_as, local_addr, app,
    sum(flows_1h.bytes) AS bytes, sum(flows_1h.packets) AS packets, sum(flows_1h.flows) AS flows
FROM flowloft.flows_1h
GROUP BY time, exporter, in_if, out_if, direction, proto, service_port, src_country, dst_country, src_as, dst_as, local_addr, app;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowloft.device_seen_mv TO flowloft.device_seen AS
SELECT local_addr, min(time) AS first_seen, max(time) AS last_seen
FROM flowloft.flows_1m
GROUP BY local_addr;
