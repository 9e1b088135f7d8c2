// hub_duckdb.mjs: the DuckDB peer of `omen ingest snapshot` for one week of the Hub replica
// (bench/hub): reads this week's models.parquet (the columns omen reads: id, author, createdAt,
// downloadsAllTime, tags, pipeline_tag, library_name, baseModels, safetensors.total,
// usedStorage, cardData) and the previous week's (id, downloadsAllTime), and materialises one
// row per model with its metadata and its weekly flow: downloadsAllTime minus last week's, the
// count itself for a model seen for the first time, a decrease clipped to 0. Run through
// @duckdb/node-api with DuckDB's default threads (one per core); timed from the first read to the
// materialised table, one run (the files are read cold, as an ingest reads them).
//
// usage: node bench/hub_duckdb.mjs PREV.parquet CUR.parquet
// prints: duckdb_hub_s SECONDS rows N flow_sum S new K clipped C
import { DuckDBInstance } from '@duckdb/node-api';

const [prev, cur] = process.argv.slice(2);
if (!prev || !cur) {
    console.error('usage: node hub_duckdb.mjs PREV.parquet CUR.parquet');
    process.exit(2);
}
const q = (s) => `'${s.replaceAll("'", "''")}'`;
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const t0 = performance.now();
await con.run(`CREATE TABLE flows AS
    SELECT c.id, c.author, c.createdAt, c.tags, c.pipeline_tag, c.library_name,
        c.baseModels.relation AS base_relation, list_transform(c.baseModels.models, m -> m.id) AS base_models,
        c.safetensors.total AS params, c.usedStorage, c.cardData,
        p.id IS NULL AS is_new, c.downloadsAllTime < p.downloadsAllTime AS clipped,
        CASE WHEN p.id IS NULL THEN c.downloadsAllTime
             ELSE greatest(c.downloadsAllTime - p.downloadsAllTime, 0) END AS flow
    FROM read_parquet(${q(cur)}) c
    LEFT JOIN (SELECT id, downloadsAllTime FROM read_parquet(${q(prev)})) p ON p.id = c.id`);
const seconds = (performance.now() - t0) / 1000;
const reader = await con.runAndReadAll(`SELECT count(*)::VARCHAR, sum(flow)::VARCHAR,
    count(*) FILTER (WHERE is_new)::VARCHAR, count(*) FILTER (WHERE clipped)::VARCHAR FROM flows`);
const [rows, sum, fresh, clipped] = reader.getRows()[0];
console.log(`duckdb_hub_s ${seconds.toFixed(3)} rows ${rows} flow_sum ${sum} new ${fresh} clipped ${clipped}`);
