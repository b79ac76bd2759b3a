-- Hours and days rolled on a schedule (issue 22): flows_hosts_1h, flows_hosts_1d and
-- flows_pairs_1d were fed by views on every insert, which cost about 6.5 µs of CPU per
-- inserted flow (bench/insert-views.mjs) and a part in each of them per insert. They are
-- now filled from the level below by the collector's rollup job
-- (clickhouse/rollup-schedule.ts): the hosts' hours from their minutes once an hour is
-- over, their days from the hours and the pairs from the days once a day is over.
-- rollup_fill says how far each one is filled: the rows of every time before
-- filled_until are there, the later ones are read from the level below
-- (api/sides-sql.ts). The views stay, for the rows of a time already rolled (a spool
-- replayed after an outage): they pass only those (ALTER ... MODIFY QUERY, so no insert
-- meanwhile misses them). An empty rollup_fill means no job rolls (a cluster, whose
-- views feed every row as before). filled_until is kept as the highest written
-- (ReplacingMergeTree), and readers take max(). Hours and days are UTC's, whatever the
-- server's time zone, as the API's windows and the job's marks are (intDiv, not
-- toStartOfDay).
CREATE TABLE IF NOT EXISTS flowloft.rollup_fill
(
    target       LowCardinality(String),
    filled_until DateTime
)
ENGINE = ReplacingMergeTree(filled_until)
ORDER BY target;

-- Where the views have filled part of the current hour or day (an upgrade), they go on
-- filling it and the job takes over from the next; otherwise (a new install) the job
-- rolls it.
INSERT INTO flowloft.rollup_fill
SELECT target, filled_until
FROM
(
    SELECT 'flows_hosts_1h' AS target,
        toDateTime(intDiv(toUInt32(now()), 3600) * 3600 + if((SELECT count() FROM flowloft.flows_hosts_1h WHERE time >= toDateTime(intDiv(toUInt32(now()), 3600) * 3600)) > 0, 3600, 0)) AS filled_until
    UNION ALL
    SELECT 'flows_hosts_1d' AS target,
        toDateTime(intDiv(toUInt32(now()), 86400) * 86400 + if((SELECT count() FROM flowloft.flows_hosts_1d WHERE time >= toDateTime(intDiv(toUInt32(now()), 86400) * 86400)) > 0, 86400, 0)) AS filled_until
    UNION ALL
    SELECT 'flows_pairs_1d' AS target,
        toDateTime(intDiv(toUInt32(now()), 86400) * 86400 + if((SELECT count() FROM flowloft.flows_pairs_1d WHERE time >= toDateTime(intDiv(toUInt32(now()), 86400) * 86400)) > 0, 86400, 0)) AS filled_until
);

ALTER TABLE flowloft.flows_hosts_1h_mv MODIFY QUERY
SELECT
    toDateTime(intDiv(toUInt32(flows_hosts_1m.time), 3600) * 3600) AS time, direction, proto, service_port,
    src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as, app,
    sum(flows_hosts_1m.bytes) AS bytes, sum(flows_hosts_1m.packets) AS packets, sum(flows_hosts_1m.flows) AS flows
FROM flowloft.flows_hosts_1m
WHERE toDateTime(intDiv(toUInt32(flows_hosts_1m.time), 3600) * 3600) < (SELECT toDateTime(ifNull(maxOrNull(filled_until), 4294967295)) FROM flowloft.rollup_fill WHERE target = 'flows_hosts_1h')
GROUP BY time, direction, proto, service_port, src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as, app;

ALTER TABLE flowloft.flows_hosts_1d_mv MODIFY QUERY
SELECT
    toDateTime(intDiv(toUInt32(flows_hosts_1h.time), 86400) * 86400) AS time, direction, proto, service_port,
    src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as, app,
    sum(flows_hosts_1h.bytes) AS bytes, sum(flows_hosts_1h.packets) AS packets, sum(flows_hosts_1h.flows) AS flows
FROM flowloft.flows_hosts_1h
WHERE toDateTime(intDiv(toUInt32(flows_hosts_1h.time), 86400) * 86400) < (SELECT toDateTime(ifNull(maxOrNull(filled_until), 4294967295)) FROM flowloft.rollup_fill WHERE target = 'flows_hosts_1d')
GROUP BY time, direction, proto, service_port, src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as, app;

ALTER TABLE flowloft.flows_pairs_1d_mv MODIFY QUERY
SELECT
    flows_hosts_1d.time AS time, direction, src_addr, dst_addr, src_host, dst_host,
    src_country, dst_country, src_as, dst_as,
    sum(flows_hosts_1d.bytes) AS bytes, sum(flows_hosts_1d.packets) AS packets,
    sum(flows_hosts_1d.flows) AS flows
FROM flowloft.flows_hosts_1d
WHERE flows_hosts_1d.time < (SELECT toDateTime(ifNull(maxOrNull(filled_until), 4294967295)) FROM flowloft.rollup_fill WHERE target = 'flows_pairs_1d')
GROUP BY time, direction, src_addr, dst_addr, src_host, dst_host, src_country, dst_country, src_as, dst_as;
