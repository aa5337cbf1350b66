/* Idempotency-Key on POST (DESIGN section 6), applied by the dispatcher around every
 * POST handler: scope is the token's subject plus the key; the first final reply is
 * stored and replayed for the same request. */
#ifndef SVC_IDEMPOTENCY_H
#define SVC_IDEMPOTENCY_H

#include "service/request.h"

typedef struct idem_claim {
    int active; /* the request holds a claim to complete */
    char key[256];
} idem_claim;

/**
 * Runs before a POST handler. Returns 1 when it answered the request itself (a replay,
 * a key reused for another request, a request still in flight, a bad key, or 503), 0 to
 * go on (with @p claim set when the reply must be stored afterwards).
 */
int idem_begin(req_ctx *rc, idem_claim *claim);

/** Stores the handler's reply (2xx or 4xx), or releases the claim (5xx). */
void idem_finish(req_ctx *rc, const idem_claim *claim);

/** Lowercase hex SHA-256 of method, URL and body, the request's identity. */
int idem_request_hash(const char *method, const char *url, const void *body, size_t len,
                      char out[65]);

#endif
