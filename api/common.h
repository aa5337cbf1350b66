/* Helpers every handler uses: request bodies, path ids, query parameters, ETags and
 * replies. Each *_or_problem function sends the problem reply itself and returns -1. */
#ifndef API_COMMON_H
#define API_COMMON_H

#include <jansson.h>

#include "db/resource.h"
#include "service/request.h"

/**
 * Reads the body as a JSON object. Content-Type must be application/json (or
 * application/merge-patch+json when @p merge_patch): else 415; bad JSON → 400;
 * not an object → 422.
 * @param out new reference on success
 */
int api_read_object_or_problem(req_ctx *rc, int merge_patch, json_t **out);

/** Path parameter @p index as a canonical UUID; malformed → 400. */
int api_path_uuid_or_problem(req_ctx *rc, int index, char out[37]);

/** Query parameter @p name (URL-decoded), or NULL. */
const char *api_query(const req_ctx *rc, const char *name);

/** Rejects (400) any query parameter not in NULL-terminated @p allowed. */
int api_query_known_or_problem(req_ctx *rc, const char *const *allowed);

/** Sends @p json (a complete JSON text) with @p status as application/json. */
void api_reply_json(req_ctx *rc, int status, const char *json, size_t len);

/** Sends a resource document with its ETag. */
void api_reply_doc(req_ctx *rc, int status, const db_doc *doc);

/** Sets ETag: "<version>". */
void api_set_etag(req_ctx *rc, int version);

/** 1 when If-Match is absent or matches @p version (strong comparison). */
int api_if_match(const req_ctx *rc, int version);

/** 1 when If-None-Match lists @p version (weak comparison) or "*". */
int api_if_none_match(const req_ctx *rc, int version);

/** Today's UTC date plus @p days, as YYYY-MM-DD. */
void api_utc_date(char out[11], int days);

/** Sends the problem for a 400 query parameter. */
void api_bad_parameter(req_ctx *rc, const char *name, const char *code, const char *message);

#endif
