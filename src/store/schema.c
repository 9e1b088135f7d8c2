/* schema.c: the store's SQL schema and its migrations, keyed by the version kept in `meta`.
 *
 * Weeks and snapshot days are INTEGER days since 1970-01-01 to keep the large tables small;
 * the views give them as dates for people reading the store with sqlite3. */
#include "schema.h"

const int omen_schema_version_current = 2;

const char *const omen_schema_v1 =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
    "CREATE TABLE models(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  developer TEXT,       -- NULL: the namespace of the name\n"
    "  created TEXT,         -- YYYY-MM-DD as the source reported it\n"
    "  pipeline_tag TEXT, library TEXT, license TEXT,\n"
    "  gated TEXT,           -- no, auto, manual\n"
    "  params INTEGER, params_source TEXT,\n"
    "  file_bytes INTEGER,\n"
    "  languages TEXT, tags TEXT -- ';'-separated lists\n"
    ");\n"
    "CREATE TABLE developers(name TEXT PRIMARY KEY, country TEXT, org_type TEXT,\n"
    "  display_name TEXT);\n"
    "CREATE TABLE edges(child INTEGER NOT NULL, parent INTEGER NOT NULL, relation TEXT NOT NULL,\n"
    "  position INTEGER NOT NULL, PRIMARY KEY(child, parent)) WITHOUT ROWID;\n"
    "CREATE TABLE annotations(model INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,\n"
    "  source TEXT NOT NULL, PRIMARY KEY(model, field, value, source)) WITHOUT ROWID;\n"
    "CREATE TABLE downloads(model INTEGER NOT NULL, week INTEGER NOT NULL,\n"
    "  downloads INTEGER NOT NULL CHECK(downloads >= 0), PRIMARY KEY(model, week)) WITHOUT ROWID;\n"
    "CREATE TABLE snapshots(model INTEGER NOT NULL, day INTEGER NOT NULL,\n"
    "  cumulative INTEGER NOT NULL, PRIMARY KEY(model, day)) WITHOUT ROWID;\n"
    "CREATE TABLE ingests(id INTEGER PRIMARY KEY, at TEXT NOT NULL, source TEXT NOT NULL,\n"
    "  file TEXT NOT NULL, sha256 TEXT, bytes INTEGER, rows_read INTEGER, rows_rejected INTEGER,\n"
    "  rows_written INTEGER, options TEXT, rejects TEXT);\n"
    "CREATE VIEW weekly_downloads AS SELECT m.name AS model,\n"
    "  date(d.week * 86400, 'unixepoch') AS week, d.downloads AS downloads\n"
    "  FROM downloads d JOIN models m ON m.id = d.model;\n"
    "CREATE VIEW model_edges AS SELECT p.name AS parent, c.name AS child, e.relation,\n"
    "  e.position FROM edges e JOIN models p ON p.id = e.parent JOIN models c ON c.id = e.child;\n"
    "CREATE VIEW model_annotations AS SELECT m.name AS model, a.field, a.value, a.source\n"
    "  FROM annotations a JOIN models m ON m.id = a.model;\n"
    "CREATE VIEW cumulative_snapshots AS SELECT m.name AS model,\n"
    "  date(s.day * 86400, 'unixepoch') AS day, s.cumulative FROM snapshots s\n"
    "  JOIN models m ON m.id = s.model;\n";

/* Version 2: metadata values outside omen's vocabularies are kept and counted per ingest
 * (`ingests.unmapped`, "field=value:count" lines), and every snapshot date ingested is recorded
 * (`snapshot_days`), with whether it was a stale copy of an earlier listing, so that a folder
 * ingest can skip what the store has and spread the downloads of a stale week (methodology.md,
 * "Folders of weekly snapshots"). */
const char *const omen_schema_v2 =
    "ALTER TABLE ingests ADD COLUMN unmapped TEXT;\n"
    "CREATE TABLE snapshot_days(day INTEGER PRIMARY KEY, file TEXT, sha256 TEXT,\n"
    "  bytes INTEGER, records INTEGER, stale INTEGER NOT NULL DEFAULT 0);\n"
    "INSERT OR IGNORE INTO snapshot_days(day) SELECT DISTINCT day FROM snapshots;\n"
    "CREATE VIEW snapshot_dates AS SELECT date(day * 86400, 'unixepoch') AS day, file, sha256,\n"
    "  bytes, records, stale FROM snapshot_days;\n";
