#include "db/stream.h"

#include <stdlib.h>

#include "db/sql.h"
#include "service/rc.h"

struct db_row_stream {
    db_pool *pool;
    db_conn *conn;
    PGresult *row;    /* current single-row result */
    PGresult *ahead;  /* a result read ahead by open */
    const char **values;
    int ncols;
    int done;
};

/* Reads the next result: a row (1), the end (0) or a failure (rc). */
static int stream_fetch(db_row_stream *s, PGresult **out)
{
    PGresult *res = PQgetResult(db_conn_pg(s->conn));
    if (res == NULL) {
        return 0;
    }
    switch (PQresultStatus(res)) {
    case PGRES_SINGLE_TUPLE:
        *out = res;
        return 1;
    case PGRES_TUPLES_OK:
        PQclear(res);
        /* Collect the terminating NULL so the connection is idle again. */
        while ((res = PQgetResult(db_conn_pg(s->conn))) != NULL) {
            PQclear(res);
        }
        return 0;
    default: {
        int rc = db_rc_from_result(s->conn, res);
        PQclear(res);
        while ((res = PQgetResult(db_conn_pg(s->conn))) != NULL) {
            PQclear(res);
        }
        return rc < 0 ? rc : SVC_EINTERNAL;
    }
    }
}

int db_stream_open(db_pool *pool, const char *sql, int nparams, const char *const *values,
                   db_row_stream **out)
{
    db_row_stream *s = calloc(1, sizeof *s);
    int rc;

    if (s == NULL) {
        return SVC_EINTERNAL;
    }
    s->pool = pool;
    rc = db_pool_acquire(pool, &s->conn);
    if (rc != SVC_OK) {
        free(s);
        return rc;
    }
    if (!PQsendQueryParams(db_conn_pg(s->conn), sql, nparams, NULL, values, NULL, NULL, 0) ||
        !PQsetSingleRowMode(db_conn_pg(s->conn))) {
        rc = db_rc_from_result(s->conn, NULL);
        db_stream_close(s);
        return rc;
    }
    rc = stream_fetch(s, &s->ahead);
    if (rc < 0) {
        s->done = 1;
        db_stream_close(s);
        return rc;
    }
    s->done = rc == 0;
    *out = s;
    return SVC_OK;
}

int db_stream_next(db_row_stream *s, int *ncols_out, const char *const **values_out)
{
    int rc = 1;

    PQclear(s->row);
    s->row = NULL;
    if (s->ahead != NULL) {
        s->row = s->ahead;
        s->ahead = NULL;
    } else if (s->done) {
        return 0;
    } else {
        rc = stream_fetch(s, &s->row);
        if (rc <= 0) {
            s->done = 1;
            return rc;
        }
    }
    s->ncols = PQnfields(s->row);
    free(s->values);
    s->values = malloc((size_t)s->ncols * sizeof *s->values);
    if (s->values == NULL) {
        return SVC_EINTERNAL;
    }
    for (int i = 0; i < s->ncols; i++) {
        s->values[i] = PQgetisnull(s->row, 0, i) ? NULL : PQgetvalue(s->row, 0, i);
    }
    *ncols_out = s->ncols;
    *values_out = s->values;
    return 1;
}

void db_stream_close(db_row_stream *s)
{
    if (s == NULL) {
        return;
    }
    PQclear(s->row);
    PQclear(s->ahead);
    if (!s->done) {
        /* The client went away mid-stream: stop the query, then drain it. */
        PGconn *pg = db_conn_pg(s->conn);
        PGcancel *cancel = PQgetCancel(pg);
        char err[256];
        if (cancel != NULL) {
            PQcancel(cancel, err, sizeof err);
            PQfreeCancel(cancel);
        }
        PGresult *res;
        while ((res = PQgetResult(pg)) != NULL) {
            PQclear(res);
        }
    }
    free(s->values);
    db_pool_release(s->pool, s->conn);
    free(s);
}
