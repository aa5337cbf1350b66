/* Connection pool, prepared-statement cache and transaction runner.
 * A connection found broken is reset on its next checkout; while the database is down
 * every checkout fails fast with SVC_EUNAVAILABLE, which the HTTP layer turns into 503. */
#include "db/pool.h"
#include "db/sql.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/log.h"
#include "service/rc.h"

#define STMT_CACHE_SIZE 512

typedef struct stmt_entry {
    uint64_t hash;
    char *sql;
} stmt_entry;

struct db_conn {
    PGconn *pg;
    int in_use;
    stmt_entry stmts[STMT_CACHE_SIZE];
    int nstmts;
    char sqlstate[6];
    char constraint[64];
};

struct db_pool {
    char *url;
    struct timespec last_connect_failure; /* guarded by lock */
    int size;
    int acquire_timeout_ms;
    db_conn *conns;
    int in_use;
    long timeouts;
    pthread_mutex_t lock;
    pthread_cond_t freed;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void notice_to_log(void *arg, const char *message)
{
    (void)arg;
    log_msg(LOG_DEBUG, "postgres notice: %.500s", message);
}

PGconn *db_connect(const char *url)
{
    /* Defaults come before dbname, so settings in the URL override them. */
    const char *keys[] = {"connect_timeout", "application_name", "options", "dbname", NULL};
    const char *values[] = {"3", "isms-objectives",
                            "-c TimeZone=UTC -c statement_timeout=30000 -c jit=off "
                            "-c idle_in_transaction_session_timeout=60000",
                            url, NULL};
    PGconn *pg = PQconnectdbParams(keys, values, 1);
    if (pg != NULL) {
        PQsetNoticeProcessor(pg, notice_to_log, NULL);
    }
    return pg;
}

int db_pool_new(db_pool **out, const char *url, int size, int acquire_timeout_ms)
{
    db_pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL) {
        return SVC_EINTERNAL;
    }
    pool->url = strdup(url);
    pool->size = size;
    pool->acquire_timeout_ms = acquire_timeout_ms;
    pool->conns = calloc((size_t)size, sizeof *pool->conns);
    if (pool->url == NULL || pool->conns == NULL) {
        free(pool->url);
        free(pool->conns);
        free(pool);
        return SVC_EINTERNAL;
    }
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->freed, NULL);
    *out = pool;
    return SVC_OK;
}

static void conn_forget_statements(db_conn *c)
{
    for (int i = 0; i < c->nstmts; i++) {
        free(c->stmts[i].sql);
    }
    c->nstmts = 0;
}

void db_pool_free(db_pool *pool)
{
    if (pool == NULL) {
        return;
    }
    for (int i = 0; i < pool->size; i++) {
        conn_forget_statements(&pool->conns[i]);
        if (pool->conns[i].pg != NULL) {
            PQfinish(pool->conns[i].pg);
        }
    }
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->freed);
    free(pool->conns);
    free(pool->url);
    free(pool);
}

void db_pool_stats(db_pool *pool, int *size, int *in_use, long *timeouts)
{
    pthread_mutex_lock(&pool->lock);
    *size = pool->size;
    *in_use = pool->in_use;
    *timeouts = pool->timeouts;
    pthread_mutex_unlock(&pool->lock);
}

/* An idle connection has nothing to read; if its socket is readable the server has sent
 * something, usually a termination notice and EOF. Consuming it updates PQstatus. */
static void conn_notice_hangup(db_conn *c)
{
    struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
    if (pfd.fd >= 0 && poll(&pfd, 1, 0) > 0) {
        PQconsumeInput(c->pg);
    }
}

#define RECONNECT_PAUSE_MS 200

static long ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* While the database is down, one connection attempt per pause is enough: the others
 * answer 503 at once, and the log gets one line per attempt, not one per request. */
static int pool_may_connect(db_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    int may = pool->last_connect_failure.tv_sec == 0 ||
              ms_since(&pool->last_connect_failure) >= RECONNECT_PAUSE_MS;
    if (may && pool->last_connect_failure.tv_sec != 0) {
        clock_gettime(CLOCK_MONOTONIC, &pool->last_connect_failure);
    }
    pthread_mutex_unlock(&pool->lock);
    return may;
}

static void pool_connect_result(db_pool *pool, int ok)
{
    pthread_mutex_lock(&pool->lock);
    if (ok) {
        pool->last_connect_failure.tv_sec = 0;
    } else {
        clock_gettime(CLOCK_MONOTONIC, &pool->last_connect_failure);
    }
    pthread_mutex_unlock(&pool->lock);
}

/* Makes sure the connection is usable: opens it, or resets it after a failure. */
static int conn_ensure(db_pool *pool, db_conn *c)
{
    if (c->pg != NULL) {
        conn_notice_hangup(c);
    }
    if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK) {
        if (PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
            return SVC_OK;
        }
        PGresult *res = PQexec(c->pg, "ROLLBACK");
        PQclear(res);
        if (PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
            return SVC_OK;
        }
    }
    /* Prepared statements die with the session: forget them before reconnecting. */
    conn_forget_statements(c);
    if (!pool_may_connect(pool)) {
        return SVC_EUNAVAILABLE;
    }
    if (c->pg == NULL) {
        c->pg = db_connect(pool->url);
    } else {
        PQreset(c->pg);
    }
    int ok = c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK;
    pool_connect_result(pool, ok);
    if (!ok) {
        log_msg(LOG_WARN, "database connection failed: %s",
                c->pg ? PQerrorMessage(c->pg) : "out of memory");
        return SVC_EUNAVAILABLE;
    }
    return SVC_OK;
}

int db_pool_acquire(db_pool *pool, db_conn **out)
{
    struct timespec deadline;
    db_conn *c = NULL;
    int rc;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += pool->acquire_timeout_ms / 1000;
    deadline.tv_nsec += (long)(pool->acquire_timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&pool->lock);
    while (pool->in_use == pool->size) {
        if (pthread_cond_timedwait(&pool->freed, &pool->lock, &deadline) == ETIMEDOUT) {
            pool->timeouts++;
            pthread_mutex_unlock(&pool->lock);
            log_msg(LOG_WARN, "no database connection free within %d ms",
                    pool->acquire_timeout_ms);
            return SVC_EUNAVAILABLE;
        }
    }
    /* Prefer a connection that is already open. */
    for (int i = 0; i < pool->size; i++) {
        db_conn *cand = &pool->conns[i];
        if (!cand->in_use && (c == NULL || (c->pg == NULL && cand->pg != NULL))) {
            c = cand;
        }
    }
    c->in_use = 1;
    pool->in_use++;
    pthread_mutex_unlock(&pool->lock);

    rc = conn_ensure(pool, c);
    if (rc != SVC_OK) {
        pthread_mutex_lock(&pool->lock);
        c->in_use = 0;
        pool->in_use--;
        pthread_cond_signal(&pool->freed);
        pthread_mutex_unlock(&pool->lock);
        return rc;
    }
    c->sqlstate[0] = '\0';
    c->constraint[0] = '\0';
    *out = c;
    return SVC_OK;
}

void db_pool_release(db_pool *pool, db_conn *c)
{
    pthread_mutex_lock(&pool->lock);
    c->in_use = 0;
    pool->in_use--;
    pthread_cond_signal(&pool->freed);
    pthread_mutex_unlock(&pool->lock);
}

/* SQLSTATE → rc. Connection-level failures carry no SQLSTATE: decide on the status. */
static int conn_rc_from_result(db_conn *c, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;

    snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state ? state : "");
    snprintf(c->constraint, sizeof c->constraint, "%s", constraint ? constraint : "");
    if (PQstatus(c->pg) != CONNECTION_OK || state == NULL) {
        log_msg(LOG_WARN, "database connection lost: %s", PQerrorMessage(c->pg));
        return SVC_EUNAVAILABLE;
    }
    if (strcmp(state, "23505") == 0) {
        return SVC_ECONFLICT;
    }
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
        return SVC_ERETRY;
    }
    if (strncmp(state, "08", 2) == 0 || strcmp(state, "57014") == 0 ||
        strncmp(state, "57P0", 4) == 0 || strcmp(state, "53300") == 0) {
        log_msg(LOG_WARN, "database unavailable (%s): %s", state, PQresultErrorMessage(res));
        return SVC_EUNAVAILABLE;
    }
    log_msg(LOG_ERROR, "database error %s: %s", state, PQresultErrorMessage(res));
    return SVC_EINTERNAL;
}

/* Returns the statement name for @p sql, preparing it on this connection if needed, or
 * NULL when the cache is full (the caller then sends the text unprepared). */
static int conn_statement(db_conn *c, const char *sql, int nparams, char name[24])
{
    uint64_t h = fnv1a(sql);
    for (int i = 0; i < c->nstmts; i++) {
        if (c->stmts[i].hash == h && strcmp(c->stmts[i].sql, sql) == 0) {
            snprintf(name, 24, "s%d", i);
            return SVC_OK;
        }
    }
    if (c->nstmts == STMT_CACHE_SIZE) {
        name[0] = '\0';
        return SVC_OK;
    }
    snprintf(name, 24, "s%d", c->nstmts);
    PGresult *res = PQprepare(c->pg, name, sql, nparams, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        int rc = conn_rc_from_result(c, res);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    c->stmts[c->nstmts].hash = h;
    c->stmts[c->nstmts].sql = strdup(sql);
    c->nstmts++;
    return SVC_OK;
}

int db_exec(db_conn *c, const char *sql, int nparams, const char *const *values,
            PGresult **res_out)
{
    char name[24];
    PGresult *res;
    int rc = conn_statement(c, sql, nparams, name);

    if (rc != SVC_OK) {
        return rc;
    }
    if (name[0] != '\0') {
        res = PQexecPrepared(c->pg, name, nparams, values, NULL, NULL, 0);
    } else {
        res = PQexecParams(c->pg, sql, nparams, NULL, values, NULL, NULL, 0);
    }
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        rc = conn_rc_from_result(c, res);
        PQclear(res);
        return rc;
    }
    *res_out = res;
    return SVC_OK;
}

int db_command(db_conn *c, const char *sql, int nparams, const char *const *values)
{
    PGresult *res = NULL;
    int rc = db_exec(c, sql, nparams, values, &res);
    PQclear(res);
    return rc;
}

int db_copy_in(db_conn *c, const char *copy_sql, const char *data, size_t len)
{
    PGresult *res = PQexec(c->pg, copy_sql);
    int rc = SVC_OK;
    int sent = 1;

    if (PQresultStatus(res) != PGRES_COPY_IN) {
        rc = conn_rc_from_result(c, res);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    /* libpq queues what it cannot send at once; chunks keep its buffer bounded. */
    for (size_t off = 0; off < len && sent == 1;) {
        size_t n = len - off < (1u << 20) ? len - off : (1u << 20);
        sent = PQputCopyData(c->pg, data + off, (int)n);
        off += n;
    }
    if (PQputCopyEnd(c->pg, sent == 1 ? NULL : "client failed to send the rows") != 1) {
        sent = 0;
    }
    while ((res = PQgetResult(c->pg)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == SVC_OK) {
            rc = conn_rc_from_result(c, res);
        }
        PQclear(res);
    }
    if (rc == SVC_OK && sent != 1) {
        rc = conn_rc_from_result(c, NULL);
    }
    return rc;
}

const char *db_last_sqlstate(const db_conn *c) { return c->sqlstate; }

PGconn *db_conn_pg(db_conn *c) { return c->pg; }

int db_rc_from_result(db_conn *c, const PGresult *res) { return conn_rc_from_result(c, res); }
const char *db_last_constraint(const db_conn *c) { return c->constraint; }

const char *db_get(const PGresult *res, int row, const char *name)
{
    int col = PQfnumber(res, name);
    if (col < 0 || PQgetisnull(res, row, col)) {
        return NULL;
    }
    return PQgetvalue(res, row, col);
}

static void retry_pause(int attempt)
{
    struct timespec ts = {0, (long)(1 + rand() % (10 * attempt)) * 1000000L};
    nanosleep(&ts, NULL);
}

static int conn_lost(const db_conn *c) { return c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK; }

int db_run(db_pool *pool, db_fn fn, void *ctx)
{
    int rc = SVC_EUNAVAILABLE;
    for (int attempt = 1; attempt <= 2; attempt++) {
        db_conn *c = NULL;
        rc = db_pool_acquire(pool, &c);
        if (rc != SVC_OK) {
            return rc;
        }
        rc = fn(c, ctx);
        int lost = conn_lost(c);
        db_pool_release(pool, c);
        /* A read on a connection that died (e.g. a server restart) is safe to repeat. */
        if (!(rc == SVC_EUNAVAILABLE && lost) && rc != SVC_ERETRY) {
            return rc;
        }
    }
    return rc == SVC_ERETRY ? SVC_EUNAVAILABLE : rc;
}

int db_tx_run(db_pool *pool, db_fn fn, void *ctx)
{
    int rc = SVC_EUNAVAILABLE;
    for (int attempt = 1; attempt <= 3; attempt++) {
        db_conn *c = NULL;
        int committing = 0;

        rc = db_pool_acquire(pool, &c);
        if (rc != SVC_OK) {
            return rc;
        }
        rc = db_command(c, "BEGIN", 0, NULL);
        if (rc == SVC_OK) {
            rc = fn(c, ctx);
        }
        if (rc == SVC_OK) {
            committing = 1;
            rc = db_command(c, "COMMIT", 0, NULL);
        } else if (!conn_lost(c)) {
            PQclear(PQexec(c->pg, "ROLLBACK"));
        }
        int lost = conn_lost(c);
        db_pool_release(pool, c);
        if (rc == SVC_OK) {
            return rc;
        }
        /* A commit whose outcome is unknown must not run again. */
        int again = rc == SVC_ERETRY || (rc == SVC_EUNAVAILABLE && lost && !committing);
        if (!again) {
            return rc;
        }
        retry_pause(attempt);
    }
    return rc == SVC_ERETRY ? SVC_EUNAVAILABLE : rc;
}
