/* The route table and the one dispatcher every request goes through: request id, CORS,
 * routing (404/405), body limit (413), authentication (401) and roles (403), then the
 * handler, then the log line and metrics. */
#ifndef SVC_ROUTER_H
#define SVC_ROUTER_H

#include <stddef.h>

#include <ulfius.h>

#include "service/request.h"

typedef void (*handler_fn)(req_ctx *rc);

typedef struct route {
    const char *method;
    const char *pattern; /* segments; "{name}" captures one */
    unsigned need;       /* roles, any of which grants access; NEED_NONE: no token */
    handler_fn handler;
    int bulk;            /* body limit IMPORT_MAX_BYTES instead of MAX_BODY_BYTES */
} route;

/** The route table (static). */
const route *router_routes(size_t *count);

/** Answers one request (ulfius structures); user_data is the app_ctx. */
int router_dispatch(const struct _u_request *req, struct _u_response *resp, void *user_data);

/** The body limit of the route @p req goes to (MAX_BODY_BYTES when none matches). */
size_t router_body_limit(const app_ctx *app, const struct _u_request *req);

/**
 * 1 when the request's declared Content-Length, or the body received so far, exceeds
 * router_body_limit(); the dispatcher then answers 413.
 */
int router_body_too_large(const app_ctx *app, const struct _u_request *req);

/** Once set, replies carry "Connection: close" (the server is draining). */
void router_set_draining(void);

#endif
