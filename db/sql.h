/* Statement execution for the db/ modules: the only header that exposes libpq. */
#ifndef DB_SQL_H
#define DB_SQL_H

#include <libpq-fe.h>

#include "db/pool.h"

/**
 * Runs one statement, prepared once per connection (cached by SQL text).
 * Parameters are text; NULL values are SQL NULL.
 * @param res_out the result (caller PQclears), set only on success
 * @return SVC_OK, or an rc mapped from SQLSTATE (db_rc_from_result)
 */
int db_exec(db_conn *conn, const char *sql, int nparams, const char *const *values,
            PGresult **res_out);

/** Like db_exec, but the result's status must be PGRES_COMMAND_OK (no rows wanted). */
int db_command(db_conn *conn, const char *sql, int nparams, const char *const *values);

/**
 * Runs @p copy_sql ("COPY ... FROM STDIN", never prepared) and sends @p data, COPY text
 * format, as its input.
 */
int db_copy_in(db_conn *conn, const char *copy_sql, const char *data, size_t len);

/** The SQLSTATE of the last failed statement on @p conn ("" if none). */
const char *db_last_sqlstate(const db_conn *conn);
/** The constraint named by the last failed statement ("" if none). */
const char *db_last_constraint(const db_conn *conn);

/** Checks a connection out of the pool (deadline: the pool's acquire timeout). */
int db_pool_acquire(db_pool *pool, db_conn **out);
/** Returns a connection to the pool. */
void db_pool_release(db_pool *pool, db_conn *conn);
/** The libpq connection behind @p conn (borrowed). */
PGconn *db_conn_pg(db_conn *conn);
/** Maps a failed result to an rc (and logs it), as db_exec does. */
int db_rc_from_result(db_conn *conn, const PGresult *res);

/** Opens a standalone connection with the session settings the service relies on. */
PGconn *db_connect(const char *url);

/** Value of column @p name in @p row, NULL when SQL NULL. Borrowed until PQclear. */
const char *db_get(const PGresult *res, int row, const char *name);

#endif
