#include "service/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "db/idempotency.h"
#include "service/log.h"
#include "service/problem.h"
#include "service/rc.h"

int idem_request_hash(const char *method, const char *url, const void *body, size_t len,
                      char out[65])
{
    gnutls_hash_hd_t h;
    unsigned char digest[32];
    if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) != 0) {
        return -1;
    }
    gnutls_hash(h, method, strlen(method) + 1);
    gnutls_hash(h, url, strlen(url) + 1);
    if (len > 0) {
        gnutls_hash(h, body, len);
    }
    gnutls_hash_deinit(h, digest);
    for (int i = 0; i < 32; i++) {
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    }
    return 0;
}

static int key_valid(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > 255) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (key[i] < 0x21 || key[i] > 0x7e) {
            return 0;
        }
    }
    return 1;
}

static void replay(req_ctx *rc, const idem_reply *r)
{
    struct _u_map *h = rc->resp->map_header;
    if (r->body_len > 0) {
        ulfius_set_binary_body_response(rc->resp, (unsigned)r->status, r->body, r->body_len);
    } else {
        ulfius_set_empty_body_response(rc->resp, (unsigned)r->status);
    }
    if (r->content_type) {
        u_map_put(h, "Content-Type", r->content_type);
    }
    if (r->location) {
        u_map_put(h, "Location", r->location);
    }
    if (r->etag) {
        u_map_put(h, "ETag", r->etag);
    }
    u_map_put(h, "Idempotent-Replayed", "true");
}

int idem_begin(req_ctx *rc, idem_claim *claim)
{
    const char *key = u_map_get_case(rc->req->map_header, "Idempotency-Key");
    char hash[65];
    idem_state state = IDEM_CLAIMED;
    idem_reply reply = {0};
    json_t *j_errors;
    int code;

    claim->active = 0;
    if (key == NULL) {
        return 0;
    }
    if (!key_valid(key)) {
        j_errors = json_array();
        errors_add(j_errors, "Idempotency-Key", "format",
                   "must be 1-255 visible ASCII characters");
        problem_send(rc, PROBLEM_INVALID_PARAMETER, "the Idempotency-Key header is not valid",
                     j_errors);
        return 1;
    }
    idem_request_hash(rc->req->http_verb, rc->req->http_url, rc->req->binary_body,
                      rc->req->binary_body_length, hash);
    code = db_idem_claim(rc->app->pool, rc->who.sub, key, hash,
                         rc->app->cfg->idempotency_ttl_seconds, &state, &reply);
    if (code != SVC_OK) {
        problem_from_rc(rc, code, "idempotency key");
        return 1;
    }
    switch (state) {
    case IDEM_CLAIMED:
        claim->active = 1;
        snprintf(claim->key, sizeof claim->key, "%s", key);
        return 0;
    case IDEM_REPLAY:
        replay(rc, &reply);
        idem_reply_clear(&reply);
        return 1;
    case IDEM_MISMATCH:
        j_errors = json_array();
        errors_add(j_errors, "", "conflict",
                   "this Idempotency-Key was used for a different request");
        problem_send(rc, PROBLEM_VALIDATION_FAILED,
                     "the Idempotency-Key was already used for another request", j_errors);
        return 1;
    case IDEM_IN_FLIGHT:
        j_errors = json_array();
        errors_add(j_errors, "", "conflict", "the first request with this key is still running");
        problem_send(rc, PROBLEM_CONFLICT, "a request with this Idempotency-Key is in flight",
                     j_errors);
        return 1;
    }
    return 0;
}

void idem_finish(req_ctx *rc, const idem_claim *claim)
{
    struct _u_response *resp = rc->resp;
    int code;

    if (!claim->active) {
        return;
    }
    if (resp->status >= 500) {
        code = db_idem_release(rc->app->pool, rc->who.sub, claim->key);
    } else {
        idem_reply reply = {
            .status = (int)resp->status,
            .content_type = (char *)u_map_get_case(resp->map_header, "Content-Type"),
            .location = (char *)u_map_get_case(resp->map_header, "Location"),
            .etag = (char *)u_map_get_case(resp->map_header, "ETag"),
            .body = resp->binary_body,
            .body_len = resp->binary_body_length,
        };
        code = db_idem_complete(rc->app->pool, rc->who.sub, claim->key, &reply);
    }
    if (code != SVC_OK) {
        /* The change itself is committed; only its replay record is missing. The claim
         * expires as abandoned after ten minutes. */
        log_msg(LOG_ERROR, "storing the reply for an Idempotency-Key failed (%d)", code);
    }
}
