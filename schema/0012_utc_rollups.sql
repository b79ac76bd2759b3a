-- The per-hour and per-day rollups in UTC whatever the engine's time zone (issue 22's
-- audit): flows_1h_mv took toStartOfHour and flows_1d_mv toStartOfDay in the session's
-- zone, which the embedded engine takes from the machine (TZ, /etc/localtime). The API's
-- windows, its stitching of whole hours and days from the coarser table, and the
-- rollup job's marks are UTC's (intDiv), as the hosts' hours and days have been since
-- 0011: a day of flows_1d kept at a local midnight was read as the UTC day starting
-- there, so a window's first day lost hours and its last counted some twice, and in a
-- zone a half hour off (Asia/Kolkata) so did the hours. device_traffic_1h takes its
-- hours from flows_1h. Rows stored before this keep their times (nothing is rebuilt):
-- their sums are whole, placed up to the zone's offset early or late.
ALTER TABLE flowloft.flows_1h_mv MODIFY QUERY
SELECT
    toDateTime(intDiv(toUInt32(time_received), 3600) * 3600) AS time,
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

ALTER TABLE flowloft.flows_1d_mv MODIFY QUERY
SELECT
    toDateTime(intDiv(toUInt32(flows_1h.time), 86400) * 86400) AS time, exporter, in_if, out_if, direction, proto, service_port,
    src_country, dst_country, src_as, dst_as, local_addr, app,
    sum(flows_1h.bytes) AS bytes, sum(flows_1h.packets) AS packets, sum(flows_1h.flows) AS flows
FROM flowloft.flows_1h
GROUP BY time, exporter, in_if, out_if, direction, proto, service_port, src_country, dst_country, src_as, dst_as, local_addr, app;
