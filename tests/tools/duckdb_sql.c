/* duckdb_sql.c: runs SQL statements through libduckdb, so that tests can write their own Parquet
 * fixtures (COPY ... TO 'x.parquet'). Extension autoloading is off, as in omen.
 * usage: duckdb_sql "SQL" [...]   prints the first column of each result row; exit 1 on error. */
#include <duckdb.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    duckdb_config cfg;
    duckdb_database db;
    duckdb_connection con;
    duckdb_create_config(&cfg);
    duckdb_set_config(cfg, "autoinstall_known_extensions", "false");
    duckdb_set_config(cfg, "autoload_known_extensions", "false");
    if (duckdb_open_ext(NULL, &db, cfg, NULL) != DuckDBSuccess || duckdb_connect(db, &con))
        return 1;
    duckdb_destroy_config(&cfg);
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        duckdb_result res;
        if (duckdb_query(con, argv[i], &res) != DuckDBSuccess) {
            fprintf(stderr, "duckdb_sql: %s\n", duckdb_result_error(&res));
            rc = 1;
        } else {
            for (idx_t r = 0; r < duckdb_row_count(&res); r++) {
                char *v = duckdb_value_varchar(&res, 0, r);
                printf("%s\n", v ? v : "");
                duckdb_free(v);
            }
        }
        duckdb_destroy_result(&res);
    }
    duckdb_disconnect(&con);
    duckdb_close(&db);
    return rc;
}
