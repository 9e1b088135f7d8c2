// concentration_duckdb.mjs: the DuckDB peer of `omen concentration --level developer` (weekly
// HHI, Gini, top-k shares and entity counts), written as plain SQL from the definitions of
// docs/methodology.md ("The concentration engine"), run through @duckdb/node-api.
//
// usage: node bench/concentration_duckdb.mjs IN_DIR OUT_DIR
// IN_DIR holds models.csv, edges.csv and downloads.csv as bench/concentration_export.sh writes
// them from omen's store. Loading them into an in-memory database is not timed; each query (two
// statements, see concentrationSql) is timed from submission to its materialised result, best
// of 3, with DuckDB's default threads (one per core). Writes OUT_DIR/duckdb_<name>.csv (one row
// per week) and prints `duckdb_<name>_s SECONDS` per query plus the DuckDB version and threads.
import { DuckDBInstance } from '@duckdb/node-api';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [inDir, outDir] = process.argv.slice(2);
if (!inDir || !outDir) {
    console.error('usage: node concentration_duckdb.mjs IN_DIR OUT_DIR');
    process.exit(2);
}

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const csv = (name, columns) =>
    `read_csv('${join(inDir, name)}', header = true, columns = ${columns})`;

// The store's tables, typed as omen's panel holds them: created parsed to a DATE then to days
// since 1970-01-01 (like the weeks), and each model's developer (the models row's, else the
// namespace of its id) as a dense integer id, as the panel interns it. Not timed.
await con.run(`CREATE TABLE models AS
    SELECT id, name, developer, CAST(TRY_CAST(created AS DATE) - DATE '1970-01-01' AS INTEGER) AS created
    FROM ${csv('models.csv', "{'id': 'INTEGER', 'name': 'VARCHAR', 'developer': 'VARCHAR', 'created': 'VARCHAR'}")}`);
await con.run(`CREATE TABLE developers AS
    SELECT CAST(row_number() OVER (ORDER BY developer) AS INTEGER) AS dev_id, developer
    FROM (SELECT DISTINCT CASE WHEN developer IS NOT NULL AND developer <> '' THEN developer
                               WHEN strpos(name, '/') > 0 THEN substr(name, 1, strpos(name, '/') - 1)
                               ELSE name END AS developer FROM models)`);
await con.run(`CREATE OR REPLACE TABLE models AS
    SELECT m.id, m.name, d.dev_id, m.created FROM models m JOIN developers d
    ON d.developer = CASE WHEN m.developer IS NOT NULL AND m.developer <> '' THEN m.developer
                          WHEN strpos(m.name, '/') > 0 THEN substr(m.name, 1, strpos(m.name, '/') - 1)
                          ELSE m.name END`);
await con.run(`CREATE TABLE edges AS SELECT * FROM
    ${csv('edges.csv', "{'child': 'INTEGER', 'parent': 'INTEGER', 'position': 'INTEGER'}")}`);
await con.run(`CREATE TABLE downloads AS SELECT * FROM
    ${csv('downloads.csv', "{'model': 'INTEGER', 'week': 'INTEGER', 'downloads': 'BIGINT'}")}`);

// The query in two statements, both timed: (1) per sample model, its effective created date and
// the developer its downloads go to; (2) the weekly measures. One statement gives the same
// numbers, but the optimiser then estimates the recursive CTE at billions of rows and builds
// the big join's hash table on the downloads side (3x slower at scale 0.1); a table of the
// mapping gives it exact cardinalities, which is what a DuckDB user would do.
// rolling: days or null (--no-rolling); recursive: credit the root of the first-base-model
// chain, else the model itself.
function concentrationSql({ rolling, recursive }) {
    const attribution = recursive
        ? `
    -- The first listed base model of each model (position, then parent id, breaks ties).
    first_parent AS (
        SELECT child, arg_min(parent, (position, parent)) AS parent FROM edges GROUP BY child),
    -- Every model on each sample model's chain. UNION (not UNION ALL) stops at a cycle.
    chain(model, cur) AS (
        SELECT model, model FROM sample
        UNION
        SELECT c.model, f.parent FROM chain c JOIN first_parent f ON f.child = c.cur),
    -- The root: the chain's model without a base model ...
    ended AS (
        SELECT c.model, c.cur AS root FROM chain c ANTI JOIN first_parent f ON f.child = c.cur),
    -- ... or, when the chain runs into a cycle, the cycle's model with the smallest id (name).
    open_chain AS (SELECT model FROM sample ANTI JOIN ended USING (model)),
    reach(start, cur) AS (
        SELECT DISTINCT c.cur, f.parent FROM chain c SEMI JOIN open_chain o ON o.model = c.model
            JOIN first_parent f ON f.child = c.cur
        UNION
        SELECT r.start, f.parent FROM reach r JOIN first_parent f ON f.child = r.cur),
    on_cycle AS (SELECT DISTINCT start AS node FROM reach WHERE start = cur),
    cycle_root AS (
        SELECT c.model, arg_min(c.cur, m.name) AS root
        FROM chain c JOIN on_cycle o ON o.node = c.cur JOIN models m ON m.id = c.cur
        WHERE c.model IN (SELECT model FROM open_chain) GROUP BY c.model),
    roots AS (SELECT * FROM ended UNION ALL SELECT * FROM cycle_root)`
        : `
    roots AS (SELECT model, model AS root FROM sample)`;
    const filter = rolling == null ? '' : `AND (s.created_eff IS NULL OR d.week - s.created_eff < ${rolling})`;
    const modelDev = `
CREATE OR REPLACE TEMP TABLE model_dev AS
WITH RECURSIVE
    facts AS (
        SELECT model, sum(downloads) AS total, min(week) FILTER (WHERE downloads > 0) AS first_week
        FROM downloads GROUP BY model),
    -- Population Sample (total >= 200) with the effective created date
    -- min(created, first week with downloads > 0).
    sample AS (
        SELECT f.model,
               CASE WHEN m.created IS NOT NULL AND (f.first_week IS NULL OR m.created <= f.first_week)
                    THEN m.created ELSE f.first_week END AS created_eff
        FROM facts f JOIN models m ON m.id = f.model
        WHERE f.total >= 200),${attribution}
-- The developer of a download is the credited model's.
SELECT s.model, s.created_eff, m.dev_id
FROM sample s JOIN roots r ON r.model = s.model JOIN models m ON m.id = r.root`;
    const measures = `
WITH
    credited AS (
        SELECT d.week, s.dev_id, sum(d.downloads) AS amount
        FROM downloads d JOIN model_dev s ON s.model = d.model
        WHERE d.downloads > 0 ${filter}
        GROUP BY d.week, s.dev_id),
    ranked AS (
        SELECT week, amount,
               sum(amount) OVER w AS total, count(*) OVER w AS n,
               row_number() OVER (PARTITION BY week ORDER BY amount DESC) AS rk
        FROM credited WINDOW w AS (PARTITION BY week)),
    measures AS (
        SELECT week, count(*) AS entities, sum(amount) AS downloads,
               sum((amount / total) * (amount / total)) AS hhi,
               -- Gini = 2 sum(i x_i) / (N S) - (N + 1) / N with i ascending; i = N + 1 - rk.
               sum((n + 1 - 2 * rk) * amount) / (any_value(n) * any_value(total)) AS gini,
               sum(amount) FILTER (WHERE rk <= 1) / any_value(total) AS top1,
               sum(amount) FILTER (WHERE rk <= 10) / any_value(total) AS top10,
               sum(amount) FILTER (WHERE rk <= 100) / any_value(total) AS top100
        FROM ranked GROUP BY week),
    weeks AS (SELECT unnest(range(min(week), max(week) + 7, 7)) AS week FROM downloads)
SELECT w.week, coalesce(m.entities, 0) AS entities, coalesce(m.downloads, 0) AS downloads,
       coalesce(m.hhi, 0) AS hhi, coalesce(m.gini, 0) AS gini, coalesce(m.top1, 0) AS top1,
       coalesce(m.top10, 0) AS top10, coalesce(m.top100, 0) AS top100
FROM weeks w LEFT JOIN measures m USING (week) ORDER BY w.week`;
    return [modelDev, measures];
}

const queries = [
    ['rolling_recursive', { rolling: 365, recursive: true }],
    ['direct_norolling', { rolling: null, recursive: false }],
];

const version = (await con.runAndReadAll("SELECT version(), current_setting('threads')")).getRows()[0];
console.log(`duckdb_version ${version[0]}`);
console.log(`duckdb_threads ${version[1]}`);
for (const [name, opts] of queries) {
    const [modelDev, measures] = concentrationSql(opts);
    let best = Infinity;
    let rows;
    for (let i = 0; i < 3; i++) {
        const t0 = process.hrtime.bigint();
        await con.run(modelDev);
        const reader = await con.runAndReadAll(measures);
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        best = Math.min(best, s);
        rows = reader.getRows();
    }
    const lines = ['week,entities,downloads,hhi,gini,top1_share,top10_share,top100_share'];
    for (const r of rows)
        lines.push(r.map((v) => (typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(17) : String(v))).join(','));
    writeFileSync(join(outDir, `duckdb_${name}.csv`), lines.join('\n') + '\n');
    console.log(`duckdb_${name}_s ${best.toFixed(4)}`);
}
