-- Apps from DNS (docs/apps.md): the app a flow belongs to, named from its remote side's
-- host name (src_host for inbound flows, dst_host for the others: the names the
-- Pi-hole/dnsmasq log and reverse DNS gave). The collector fills app_domains at every
-- start from the bundled list (collector/apps/domains.tsv) and `apps.overrides`; the
-- longest listed suffix of the name wins ("r1.googlevideo.com" -> googlevideo.com).
-- app is MATERIALIZED: ClickHouse computes it at insert (the decoder and its workers are
-- untouched) and for rows stored before this migration when they are read.
CREATE TABLE IF NOT EXISTS flowloft.app_domains
(
    suffix   String,
    app      String,
    category String
)
ENGINE = Join(ANY, LEFT, suffix);

ALTER TABLE flowloft.flows ADD COLUMN IF NOT EXISTS app LowCardinality(String) MATERIALIZED
    arrayFirst(a -> a != '', arrayMap(i -> joinGet('flowloft.app_domains', 'app',
        arrayStringConcat(arraySlice(splitByChar('.', lower(toString(if(direction = 'inbound', src_host, dst_host)))), i), '.')),
        range(1, length(splitByChar('.', lower(toString(if(direction = 'inbound', src_host, dst_host))))) + 1)));

-- The rollups keep app as a key (rows rolled up before this migration have app '').
ALTER TABLE flowloft.flows_1m ADD COLUMN IF NOT EXISTS app LowCardinality(String),
    MODIFY ORDER BY (time, exporter, in_if, out_if, direction, proto, service_port, src_country, dst_country, src_as, dst_as, local_addr, app);

ALTER TABLE flowloft.flows_1h ADD COLUMN IF NOT EXISTS app LowCardinality(String),
    MODIFY ORDER BY (time, exporter, in_if, out_if, direction, proto, service_port, src_country, dst_country, src_as, dst_as, local_addr, app);

ALTER TABLE flowloft.flows_1m_mv MODIFY QUERY
SELECT
    toStartOfMinute(time_received) AS time,
    exporter, in_if, out_if, direction, proto,
    if(least(src_port, dst_port) < 1024, least(src_port, dst_port), 0) AS service_port,
    src_country, dst_country, src_as, dst_as,
    multiIf(direction = 'inbound', dst_addr, direction IN ('outbound', 'internal'), src_addr, toIPv6('::')) AS local_addr,
    app,
    sum(flows.bytes) AS bytes,
    sum(flows.packets) AS packets,
    count() AS flows
FROM flowloft.flows
GROUP BY time, exporter, in_if, out_if, direction, proto, service_port, src_country, dst_country, src_as, dst_as, local_addr, app;

ALTER TABLE flowloft.flows_1h_mv MODIFY QUERY
SELECT
    toStartOfHour(time_received) AS time,
    exporter, in_if, out_if, direction, proto,
    if(least(src_port, dst_port) < 1024, least(src_port, dst_port), 0) AS service_port,
    src_country, dst_country, src_as, dst_as,
    multiIf(direction = 'inbound', dst_addr, direction IN ('outbound', 'internal'), src_addr, toIPv6('::')) AS local_addr,
    app,
    sum(flows.bytes) AS bytes,
    sum(flows.packets) AS packets,
    count() AS flows
FROM flowloft.flows
GROUP BY time, exporter, in_if, out_if, direction, proto, service_port, src_country, dst_country, src_as, dst_as, local_addr, app;
