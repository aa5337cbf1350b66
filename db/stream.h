/* Rows read one at a time while a reply is being sent (libpq single-row mode), so a
 * large result is never held whole in memory. The stream owns a pooled connection from
 * open to close; close may run on another thread than open. */
#ifndef DB_STREAM_H
#define DB_STREAM_H

#include "db/pool.h"

typedef struct db_row_stream db_row_stream;

/**
 * Sends @p sql and waits for its first row (or its end), so errors surface before any
 * reply is sent.
 * @return SVC_OK with *out set (caller closes), or an rc
 */
int db_stream_open(db_pool *pool, const char *sql, int nparams, const char *const *values,
                   db_row_stream **out);

/**
 * Moves to the next row.
 * @param values_out borrowed column values (NULL for SQL NULL), valid until the next call
 * @return 1 with a row, 0 at the end, or an rc (< 0) on failure
 */
int db_stream_next(db_row_stream *s, int *ncols_out, const char *const **values_out);

/** Drains what is left, returns the connection to the pool, frees @p s (NULL-safe). */
void db_stream_close(db_row_stream *s);

#endif
