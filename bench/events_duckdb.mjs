// events_duckdb.mjs: the DuckDB peer of `omen ingest events` for bench/events.sh: the stage of
// sql/events_to_weekly.sql (one download per user, model and UTC day; weekly sums) over the
// generated log, read by DuckDB's own CSV reader, with the same memory limit as omen's run.
// The log of bench/events_gen.c holds ISO 8601 UTC times ending in Z and epoch seconds only, so
// both are parsed without time-zone support (DuckDB's ICU extension is never loaded).
//
// usage: node bench/events_duckdb.mjs LOG.csv OUT.csv MEMORY_LIMIT TEMP_DIR
// Prints `duckdb_events_s SECONDS` (read + deduplicate + sum, one run) and writes the weekly
// table as model,week,downloads sorted by model and week.
import { DuckDBInstance } from '@duckdb/node-api';

const [log, out, memory, tempDir] = process.argv.slice(2);
if (!log || !out) {
    console.error('usage: node events_duckdb.mjs LOG.csv OUT.csv [MEMORY_LIMIT]');
    process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: memory || '512MB',
    // DuckDB's own advice for large aggregations under a memory limit (its OOM message)
    preserve_insertion_order: 'false',
    // spills go beside the log, not into the current folder
    ...(tempDir ? { temp_directory: tempDir } : {}),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
});
const con = await instance.connect();
const t0 = performance.now();
await con.run(`CREATE TABLE weekly AS
    WITH events AS (
        SELECT model, "user" AS user_id,
               CASE WHEN regexp_full_match(timestamp, '[0-9]+')
                    THEN make_timestamp(CAST(timestamp AS BIGINT) * 1000000)
                    ELSE CAST(rtrim(timestamp, 'Z') AS TIMESTAMP) END AS ts
        FROM read_csv('${log}', header = true,
                      columns = {'model': 'VARCHAR', 'user': 'VARCHAR', 'timestamp': 'VARCHAR'})),
    daily AS (SELECT DISTINCT model, user_id, CAST(ts AS DATE) AS day FROM events)
    SELECT model, CAST(date_trunc('week', day) AS DATE) AS week, count(*) AS downloads
    FROM daily GROUP BY ALL`);
const seconds = (performance.now() - t0) / 1000;
await con.run(`COPY (SELECT model, strftime(week, '%Y-%m-%d') AS week, downloads FROM weekly
    ORDER BY model, week) TO '${out}' (HEADER, DELIMITER ',')`);
console.log(`duckdb_events_s ${seconds.toFixed(3)}`);
