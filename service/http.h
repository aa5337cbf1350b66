/* The HTTP server: libmicrohttpd with explicit options, requests and replies in ulfius's
 * structures, every request handed to the router. */
#ifndef SVC_HTTP_H
#define SVC_HTTP_H

#include <ulfius.h>

#include "service/request.h"

typedef struct http_server {
    struct MHD_Daemon *daemon; /* NULL when not started */
} http_server;

/**
 * Binds and starts serving. Threading: HTTP_THREADS = 0 gives a thread per connection
 * polled with poll(); N > 0 gives N epoll worker threads.
 * @return 0, or -1 (logged)
 */
int http_start(http_server *srv, const app_ctx *app);

/**
 * Stops accepting, waits up to @p grace_seconds for requests in flight to finish
 * (including sending their replies), then stops the server.
 */
void http_stop(http_server *srv, int grace_seconds);

/** Requests received whose reply has not been sent completely yet. */
long http_in_flight(void);

#endif
