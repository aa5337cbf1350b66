/* A fixed pool of database connections shared by the HTTP threads, and the runners that
 * lend them out. Callers outside db/ see connections only as opaque handles. */
#ifndef DB_POOL_H
#define DB_POOL_H

#include <stddef.h>

typedef struct db_pool db_pool;
typedef struct db_conn db_conn;

/**
 * Creates a pool of @p size connections to @p url, opened lazily.
 * @param acquire_timeout_ms how long a checkout waits for a free connection
 * @return 0, or SVC_EINTERNAL on allocation failure
 */
int db_pool_new(db_pool **out, const char *url, int size, int acquire_timeout_ms);
void db_pool_free(db_pool *pool);

/** Pool use for /metrics. */
void db_pool_stats(db_pool *pool, int *size, int *in_use, long *timeouts);

/**
 * The work a runner executes with a checked-out connection.
 * Contract: fn may be called again after a retryable failure, so it must reset its
 * outputs on entry; it never touches the HTTP response.
 */
typedef int (*db_fn)(db_conn *conn, void *ctx);

/** Runs @p fn outside a transaction (single-statement reads). */
int db_run(db_pool *pool, db_fn fn, void *ctx);

/**
 * Runs @p fn between BEGIN and COMMIT. A non-zero return from fn rolls back and is
 * returned unchanged; SVC_ERETRY (and a connection lost before COMMIT) runs it again, at
 * most 3 times.
 */
int db_tx_run(db_pool *pool, db_fn fn, void *ctx);

#endif
