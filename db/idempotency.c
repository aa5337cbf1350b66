#include "db/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/sql.h"
#include "service/rc.h"

void idem_reply_clear(idem_reply *r)
{
    free(r->content_type);
    free(r->location);
    free(r->etag);
    free(r->body);
    memset(r, 0, sizeof *r);
}

typedef struct claim_ctx {
    const char *subject, *key, *hash;
    char ttl[24];
    idem_state state;
    idem_reply *reply;
} claim_ctx;

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static int claim_fn(db_conn *conn, void *arg)
{
    claim_ctx *c = arg;
    const char *params[] = {c->subject, c->key, c->hash, c->ttl};
    PGresult *res = NULL;
    int rc;

    idem_reply_clear(c->reply);
    /* Take the key when new, expired, or abandoned by a request that never finished. */
    rc = db_exec(conn,
                 "INSERT INTO idempotency_keys (subject, key, request_hash, expires_at)"
                 " VALUES ($1, $2, $3, now() + $4::integer * interval '1 second')"
                 " ON CONFLICT (subject, key) DO UPDATE SET request_hash = EXCLUDED.request_hash,"
                 " status_code = NULL, content_type = NULL, location = NULL, etag = NULL,"
                 " body = NULL, created_at = now(), completed_at = NULL,"
                 " expires_at = EXCLUDED.expires_at"
                 " WHERE idempotency_keys.expires_at < now()"
                 "    OR (idempotency_keys.completed_at IS NULL"
                 "        AND idempotency_keys.created_at < now() - interval '10 minutes')"
                 " RETURNING 1",
                 4, params, &res);
    if (rc != SVC_OK) {
        return rc;
    }
    int claimed = PQntuples(res) == 1;
    PQclear(res);
    if (claimed) {
        c->state = IDEM_CLAIMED;
        return SVC_OK;
    }
    rc = db_exec(conn,
                 "SELECT request_hash, status_code, content_type, location, etag, body"
                 " FROM idempotency_keys WHERE subject = $1 AND key = $2",
                 2, params, &res);
    if (rc != SVC_OK) {
        return rc;
    }
    if (PQntuples(res) == 0) {
        /* Removed between the two statements: try again. */
        PQclear(res);
        return SVC_ERETRY;
    }
    if (strcmp(db_get(res, 0, "request_hash"), c->hash) != 0) {
        c->state = IDEM_MISMATCH;
    } else if (db_get(res, 0, "status_code") == NULL) {
        c->state = IDEM_IN_FLIGHT;
    } else {
        size_t len = 0;
        unsigned char *body =
            PQunescapeBytea((const unsigned char *)db_get(res, 0, "body"), &len);
        c->state = IDEM_REPLAY;
        c->reply->status = atoi(db_get(res, 0, "status_code"));
        c->reply->content_type = dup_or_null(db_get(res, 0, "content_type"));
        c->reply->location = dup_or_null(db_get(res, 0, "location"));
        c->reply->etag = dup_or_null(db_get(res, 0, "etag"));
        c->reply->body = malloc(len + 1);
        if (c->reply->body != NULL && body != NULL) {
            memcpy(c->reply->body, body, len);
            c->reply->body[len] = '\0';
            c->reply->body_len = len;
        }
        PQfreemem(body);
    }
    PQclear(res);
    return SVC_OK;
}

int db_idem_claim(db_pool *pool, const char *subject, const char *key, const char *hash,
                  long ttl_seconds, idem_state *state_out, idem_reply *reply_out)
{
    claim_ctx c = {.subject = subject, .key = key, .hash = hash, .reply = reply_out};
    snprintf(c.ttl, sizeof c.ttl, "%ld", ttl_seconds);
    int rc = db_tx_run(pool, claim_fn, &c);
    *state_out = c.state;
    return rc;
}

typedef struct complete_ctx {
    const char *subject, *key;
    const idem_reply *reply;
} complete_ctx;

static int complete_fn(db_conn *conn, void *arg)
{
    complete_ctx *c = arg;
    char status[16];
    snprintf(status, sizeof status, "%d", c->reply->status);
    const char *values[] = {c->subject, c->key, status, c->reply->content_type,
                            c->reply->location, c->reply->etag, c->reply->body};
    int lengths[] = {0, 0, 0, 0, 0, 0, (int)c->reply->body_len};
    int formats[] = {0, 0, 0, 0, 0, 0, 1};
    /* The body is sent as binary bytea: no escaping of the reply bytes. */
    PGresult *res = PQexecParams(db_conn_pg(conn),
                                 "UPDATE idempotency_keys SET status_code = $3::integer,"
                                 " content_type = $4, location = $5, etag = $6, body = $7,"
                                 " completed_at = now() WHERE subject = $1 AND key = $2",
                                 7, NULL, values, lengths, formats, 0);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? SVC_OK : db_rc_from_result(conn, res);
    PQclear(res);
    /* Now and then, forget replies past their time. */
    if (rc == SVC_OK && rand() % 64 == 0) {
        rc = db_command(conn, "DELETE FROM idempotency_keys WHERE expires_at < now()", 0, NULL);
    }
    return rc;
}

int db_idem_complete(db_pool *pool, const char *subject, const char *key,
                     const idem_reply *reply)
{
    complete_ctx c = {.subject = subject, .key = key, .reply = reply};
    return db_run(pool, complete_fn, &c);
}

typedef struct release_ctx {
    const char *subject, *key;
} release_ctx;

static int release_fn(db_conn *conn, void *arg)
{
    release_ctx *c = arg;
    const char *params[] = {c->subject, c->key};
    return db_command(conn,
                      "DELETE FROM idempotency_keys WHERE subject = $1 AND key = $2"
                      " AND completed_at IS NULL",
                      2, params);
}

int db_idem_release(db_pool *pool, const char *subject, const char *key)
{
    release_ctx c = {.subject = subject, .key = key};
    return db_run(pool, release_fn, &c);
}
