-- sFlow interface counter samples (generic interface counters), one row per sample.
-- Columns follow decoder-wasm/src/counter-layout.ts. Octet counters are the agent's
-- running totals: rates are differences between consecutive samples.
CREATE TABLE IF NOT EXISTS flowloft.sflow_counters
(
    time_received     DateTime CODEC(DoubleDelta, ZSTD(1)),
    exporter          IPv6 CODEC(ZSTD(1)),
    agent             IPv6 CODEC(ZSTD(1)),
    sub_agent         UInt32 CODEC(T64, ZSTD(1)),
    source_id_type    UInt8,
    source_id         UInt32 CODEC(T64, ZSTD(1)),
    sequence          UInt32 CODEC(Delta(4), ZSTD(1)),
    uptime            UInt32 CODEC(Delta(4), ZSTD(1)),
    if_index          UInt32 CODEC(T64, ZSTD(1)),
    if_type           UInt32 CODEC(T64, ZSTD(1)),
    if_speed          UInt64 CODEC(T64, ZSTD(1)),
    if_direction      UInt8,
    if_status         UInt8,
    promiscuous       UInt8,
    in_octets         UInt64 CODEC(Delta(8), ZSTD(1)),
    in_ucast          UInt32 CODEC(Delta(4), ZSTD(1)),
    in_mcast          UInt32 CODEC(Delta(4), ZSTD(1)),
    in_bcast          UInt32 CODEC(Delta(4), ZSTD(1)),
    in_discards       UInt32 CODEC(Delta(4), ZSTD(1)),
    in_errors         UInt32 CODEC(Delta(4), ZSTD(1)),
    in_unknown_protos UInt32 CODEC(Delta(4), ZSTD(1)),
    out_octets        UInt64 CODEC(Delta(8), ZSTD(1)),
    out_ucast         UInt32 CODEC(Delta(4), ZSTD(1)),
    out_mcast         UInt32 CODEC(Delta(4), ZSTD(1)),
    out_bcast         UInt32 CODEC(Delta(4), ZSTD(1)),
    out_discards      UInt32 CODEC(Delta(4), ZSTD(1)),
    out_errors        UInt32 CODEC(Delta(4), ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(time_received)
ORDER BY (exporter, agent, if_index, time_received)
TTL time_received + INTERVAL 30 DAY
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;
