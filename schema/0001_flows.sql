-- Raw flows: one row per decoded flow (or per sFlow sample). Column names are a
-- user-facing contract: dashboards, the API and users' SQL depend on them.
-- bytes/packets are the traffic estimate (already multiplied by sampling_rate).
CREATE TABLE IF NOT EXISTS flowloft.flows
(
    time_received      DateTime CODEC(DoubleDelta, ZSTD(1)),
    flow_start         DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    flow_end           DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    exporter           IPv6 CODEC(ZSTD(1)),
    exporter_name      LowCardinality(String),
    observation_domain UInt32 CODEC(T64, ZSTD(1)),
    flow_type          Enum8('netflow1' = 1, 'netflow5' = 5, 'netflow6' = 6, 'netflow7' = 7, 'netflow9' = 9, 'ipfix' = 10, 'sflow5' = 20),
    sequence           UInt32 CODEC(Delta(4), ZSTD(1)),
    sampling_rate      UInt32 CODEC(T64, ZSTD(1)),
    src_addr           IPv6 CODEC(ZSTD(1)),
    dst_addr           IPv6 CODEC(ZSTD(1)),
    src_port           UInt16 CODEC(ZSTD(1)),
    dst_port           UInt16 CODEC(ZSTD(1)),
    proto              UInt8,
    proto_name         LowCardinality(String),
    tcp_flags          UInt16 CODEC(ZSTD(1)),
    tos                UInt8 CODEC(ZSTD(1)),
    in_if              UInt32 CODEC(T64, ZSTD(1)),
    out_if             UInt32 CODEC(T64, ZSTD(1)),
    in_if_name         LowCardinality(String),
    out_if_name        LowCardinality(String),
    src_as             UInt32 CODEC(T64, ZSTD(1)),
    dst_as             UInt32 CODEC(T64, ZSTD(1)),
    src_as_name        LowCardinality(String),
    dst_as_name        LowCardinality(String),
    src_country        LowCardinality(String),
    dst_country        LowCardinality(String),
    src_mask           UInt8 CODEC(ZSTD(1)),
    dst_mask           UInt8 CODEC(ZSTD(1)),
    next_hop           IPv6 CODEC(ZSTD(1)),
    direction          Enum8('unknown' = 0, 'inbound' = 1, 'outbound' = 2, 'internal' = 3, 'transit' = 4) DEFAULT 'unknown',
    flow_direction     UInt8 CODEC(ZSTD(1)),
    vlan               UInt16 CODEC(ZSTD(1)),
    src_mac            UInt64 CODEC(ZSTD(1)),
    dst_mac            UInt64 CODEC(ZSTD(1)),
    icmp_type          UInt8 CODEC(ZSTD(1)),
    icmp_code          UInt8 CODEC(ZSTD(1)),
    flow_end_reason    UInt8 CODEC(ZSTD(1)),
    forwarding_status  UInt8 CODEC(ZSTD(1)),
    post_nat_src_addr  IPv6 CODEC(ZSTD(1)),
    post_nat_dst_addr  IPv6 CODEC(ZSTD(1)),
    post_nat_src_port  UInt16 CODEC(ZSTD(1)),
    post_nat_dst_port  UInt16 CODEC(ZSTD(1)),
    nat_event          UInt8 CODEC(ZSTD(1)),
    bytes              UInt64 CODEC(T64, ZSTD(1)),
    packets            UInt64 CODEC(T64, ZSTD(1)),
    src_host           LowCardinality(String),
    dst_host           LowCardinality(String)
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(time_received)
ORDER BY (toStartOfFiveMinute(time_received), exporter, in_if, out_if, proto, src_addr, dst_addr)
TTL time_received + INTERVAL 15 DAY
SETTINGS ttl_only_drop_parts = 1, index_granularity = 8192;
