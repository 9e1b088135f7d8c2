/* duckdb_sql.c: runs SQL statements through libduckdb, so that tests can write their own Parquet
 * fixtures (COPY ... TO 'x.parquet'). Extension autoloading is off, as in omen.
 * usage: duckdb_sql "SQL" [...]   prints the first column of each result row; exit 1 on error.
 * An argument -f FILE runs the statements of FILE instead (bench/hub-replica's long SQL). */
#include <duckdb.h>
#include <stdio.h>
#include <stdlib.h>

/* The whole of a file as a string (malloc'ed), or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    do {
        if (cap - len < 65536) {
            char *grown = realloc(buf, cap = cap * 2 + 65536);
            if (!grown) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
    } while (n > 0);
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

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
        char *text = NULL;
        if (argv[i][0] == '-' && argv[i][1] == 'f' && argv[i][2] == '\0' && i + 1 < argc) {
            if (!(text = slurp(argv[++i]))) {
                fprintf(stderr, "duckdb_sql: cannot read %s\n", argv[i]);
                rc = 1;
                break;
            }
        }
        if (duckdb_query(con, text ? text : argv[i], &res) != DuckDBSuccess) {
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
        free(text);
    }
    duckdb_disconnect(&con);
    duckdb_close(&db);
    return rc;
}
