-- Alerts (collector/src/alerts/, docs/alerts.md): what each device has already used, and
-- the alerts raised.
--
-- alert_seen: every remote country and AS each local device (the rollups' local_addr)
-- has talked to, with when it was first and last seen. The alert rules add the rows of
-- each window they check; the merges keep one row per (device, kind, value) with the
-- earliest first_seen and the latest last_seen. kind is 'country' (value: two letters)
-- or 'as' (value: the AS number as text). A device's first_seen (the least of its rows)
-- starts its learning period.
CREATE TABLE IF NOT EXISTS flowloft.alert_seen
(
    device     IPv6,
    kind       LowCardinality(String),
    value      String,
    first_seen SimpleAggregateFunction(min, DateTime),
    last_seen  SimpleAggregateFunction(max, DateTime)
)
ENGINE = AggregatingMergeTree
ORDER BY (device, kind, value)
TTL last_seen + INTERVAL 400 DAY;

-- alerts: one row per alert raised, in versions (the highest wins): a later version
-- records its delivery (sent, failed, rate_limited, dropped, none) or, for an alert on a
-- condition that lasts (a device over its threshold, a silent exporter), when the
-- condition ended (resolved_at; 0 while it lasts). event_key names the condition, so a
-- condition that lasts raises one alert. Read with FINAL.
CREATE TABLE IF NOT EXISTS flowloft.alerts
(
    id           String,
    raised_at    DateTime,
    kind         LowCardinality(String),
    event_key    String,
    subject      String,
    subject_name String,
    title        String,
    message      String,
    details      String,
    resolved_at  DateTime DEFAULT 0,
    delivery     LowCardinality(String),
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(raised_at)
ORDER BY (raised_at, id)
TTL raised_at + INTERVAL 400 DAY;
