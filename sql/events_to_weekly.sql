-- events_to_weekly.sql: the raw-log stage of the paper as SQL, for engines that hold logs
-- larger than one machine (PostgreSQL with Citus, Spark SQL, ClickHouse: see
-- docs/distributed.md). It is `omen ingest events` in SQL: one download per user, model and
-- UTC day, summed per ISO week (the Monday), and gives the same numbers
-- (tests/crosscheck/test_events_postgres.py checks that on a real PostgreSQL server).
--
-- Input:  events(model TEXT, user_id TEXT, ts TIMESTAMP WITH TIME ZONE)
-- Output: weekly_downloads(model TEXT, week DATE, downloads BIGINT), ready for
--         `omen ingest downloads` (as CSV) or `omen ingest downloads --pg ... --query
--         'SELECT model, week, downloads FROM weekly_downloads'`.
--
-- Written in PostgreSQL's dialect of standard SQL; the other engines' spellings of the two
-- date expressions are in docs/distributed.md.

DROP TABLE IF EXISTS weekly_downloads;

CREATE TABLE weekly_downloads AS
WITH daily AS (
    -- the UTC day of each event, whatever the session's time zone
    SELECT DISTINCT model, user_id, CAST(ts AT TIME ZONE 'UTC' AS DATE) AS day
    FROM events
)
SELECT model,
       day - (CAST(EXTRACT(ISODOW FROM day) AS INTEGER) - 1) AS week,
       COUNT(*) AS downloads
FROM daily
GROUP BY model, day - (CAST(EXTRACT(ISODOW FROM day) AS INTEGER) - 1);
