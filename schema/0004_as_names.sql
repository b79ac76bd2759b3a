-- AS names by number, latest wins, so answers read from the rollups (which keep only
-- the numbers) can name them. Fed like exporters and interfaces; filled at migration
-- time from the last day of raw flows.
CREATE TABLE IF NOT EXISTS flowloft.as_names
(
    asn       UInt32,
    as_name   String,
    last_seen DateTime
)
ENGINE = ReplacingMergeTree(last_seen)
ORDER BY asn
TTL last_seen + INTERVAL 400 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowloft.as_names_mv TO flowloft.as_names AS
SELECT
    tupleElement(a, 1) AS asn,
    argMax(tupleElement(a, 2), time_received) AS as_name,
    max(time_received) AS last_seen
FROM flowloft.flows
ARRAY JOIN [(src_as, toString(src_as_name)), (dst_as, toString(dst_as_name))] AS a
WHERE tupleElement(a, 1) != 0 AND tupleElement(a, 2) != ''
GROUP BY asn;

INSERT INTO flowloft.as_names
SELECT
    tupleElement(a, 1) AS asn,
    argMax(tupleElement(a, 2), time_received) AS as_name,
    max(time_received) AS last_seen
FROM flowloft.flows
ARRAY JOIN [(src_as, toString(src_as_name)), (dst_as, toString(dst_as_name))] AS a
WHERE time_received >= now() - INTERVAL 1 DAY AND tupleElement(a, 1) != 0 AND tupleElement(a, 2) != ''
GROUP BY asn;
