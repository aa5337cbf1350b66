/* Storage of Idempotency-Key replies (db/migrations/004). */
#ifndef DB_IDEMPOTENCY_H
#define DB_IDEMPOTENCY_H

#include <stddef.h>

#include "db/pool.h"

typedef enum {
    IDEM_CLAIMED,   /* first use (or the old entry expired): run the request */
    IDEM_REPLAY,    /* a stored reply for the same request */
    IDEM_MISMATCH,  /* the key was used for another request */
    IDEM_IN_FLIGHT, /* the first request is still running */
} idem_state;

typedef struct idem_reply {
    int status;
    char *content_type, *location, *etag; /* malloc'd or NULL */
    char *body;                           /* malloc'd */
    size_t body_len;
} idem_reply;

void idem_reply_clear(idem_reply *r);

/**
 * Claims (subject, key) for a request whose hash is @p hash, or reports why not.
 * A claim left unfinished for 10 minutes counts as abandoned and can be taken over.
 * @param reply_out filled for IDEM_REPLAY
 */
int db_idem_claim(db_pool *pool, const char *subject, const char *key, const char *hash,
                  long ttl_seconds, idem_state *state_out, idem_reply *reply_out);

/** Stores the final reply of a claimed request. */
int db_idem_complete(db_pool *pool, const char *subject, const char *key,
                     const idem_reply *reply);

/** Releases a claim whose request failed with a server error (the client may retry). */
int db_idem_release(db_pool *pool, const char *subject, const char *key);

#endif
