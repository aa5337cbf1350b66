/* Forward-only migrations. Owns schema_migrations; knows nothing of what the
 * migrations contain. */
#include "db/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/sql.h"
#include "service/embedded.h"
#include "service/log.h"
#include "service/rc.h"

/* Any constant works as long as every instance uses the same one. */
#define MIGRATION_LOCK_KEY "7305291144"

static int exec_ok(PGconn *pg, const char *sql, char **error_out, const char *what)
{
    PGresult *res = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(res);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) {
        char line[1024];
        snprintf(line, sizeof line, "migration step \"%s\" failed: %s", what,
                 PQresultErrorMessage(res));
        line[strcspn(line, "\n")] = '\0';
        *error_out = strdup(line);
    }
    PQclear(res);
    return ok ? SVC_OK : SVC_EINTERNAL;
}

static int migration_applied(PGconn *pg, const char *name, int *applied)
{
    const char *params[] = {name};
    PGresult *res = PQexecParams(pg, "SELECT 1 FROM schema_migrations WHERE version = $1", 1,
                                 NULL, params, NULL, NULL, 0);
    int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? SVC_OK : SVC_EINTERNAL;
    *applied = rc == SVC_OK && PQntuples(res) > 0;
    PQclear(res);
    return rc;
}

static int apply_one(PGconn *pg, const embedded_file *m, char **error_out)
{
    const char *params[] = {m->name};
    PGresult *res;
    int rc = exec_ok(pg, "BEGIN", error_out, m->name);
    if (rc == SVC_OK) {
        rc = exec_ok(pg, m->data, error_out, m->name);
    }
    if (rc == SVC_OK) {
        res = PQexecParams(pg, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, NULL,
                           params, NULL, NULL, 0);
        rc = PQresultStatus(res) == PGRES_COMMAND_OK ? SVC_OK : SVC_EINTERNAL;
        PQclear(res);
    }
    if (rc == SVC_OK) {
        rc = exec_ok(pg, "COMMIT", error_out, m->name);
    }
    if (rc != SVC_OK) {
        PQclear(PQexec(pg, "ROLLBACK"));
        if (*error_out == NULL) {
            *error_out = strdup("recording the migration failed");
        }
        return rc;
    }
    log_msg(LOG_INFO, "applied migration %s", m->name);
    return SVC_OK;
}

int db_migrate(const char *url, char **error_out)
{
    PGconn *pg = db_connect(url);
    int rc = SVC_OK;

    *error_out = NULL;
    if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
        char line[1024];
        snprintf(line, sizeof line, "cannot connect to the database: %s",
                 pg ? PQerrorMessage(pg) : "out of memory");
        line[strcspn(line, "\n")] = '\0';
        *error_out = strdup(line);
        PQfinish(pg);
        return SVC_EUNAVAILABLE;
    }
    rc = exec_ok(pg, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", error_out, "lock");
    if (rc != SVC_OK) {
        goto out;
    }
    rc = exec_ok(pg,
                 "CREATE TABLE IF NOT EXISTS schema_migrations ("
                 " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                 error_out, "schema_migrations");
    for (size_t i = 0; rc == SVC_OK && i < embedded_migrations_count; i++) {
        int applied = 0;
        rc = migration_applied(pg, embedded_migrations[i].name, &applied);
        if (rc == SVC_OK && !applied) {
            rc = apply_one(pg, &embedded_migrations[i], error_out);
        }
    }
    PQclear(PQexec(pg, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")"));
out:
    if (rc != SVC_OK && *error_out == NULL) {
        *error_out = strdup("reading schema_migrations failed");
    }
    PQfinish(pg);
    return rc;
}

static int count_migrations(db_conn *conn, void *ctx)
{
    PGresult *res = NULL;
    int rc = db_exec(conn, "SELECT count(*) AS n FROM schema_migrations", 0, NULL, &res);
    if (rc == SVC_OK) {
        *(long *)ctx = strtol(db_get(res, 0, "n"), NULL, 10);
    }
    PQclear(res);
    return rc;
}

int db_schema_current(db_pool *pool)
{
    long applied = -1;
    int rc = db_run(pool, count_migrations, &applied);
    if (rc != SVC_OK) {
        return rc;
    }
    return applied >= (long)embedded_migrations_count ? SVC_OK : SVC_EUNAVAILABLE;
}
