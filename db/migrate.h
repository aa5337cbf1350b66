/* Schema migrations compiled into the binary (db/migrations/NNN_name.sql). */
#ifndef DB_MIGRATE_H
#define DB_MIGRATE_H

#include "db/pool.h"

/**
 * Applies every migration not yet recorded in schema_migrations, each in its own
 * transaction, under a PostgreSQL advisory lock so concurrent starts do not race.
 * @param error_out on failure a one-line message (caller frees with free())
 * @return SVC_OK, SVC_EUNAVAILABLE (cannot connect) or SVC_EINTERNAL
 */
int db_migrate(const char *url, char **error_out);

/** SVC_OK when every embedded migration is recorded (readiness), else an error rc. */
int db_schema_current(db_pool *pool);

#endif
