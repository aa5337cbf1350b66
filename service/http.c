/* The HTTP front: libmicrohttpd calls us directly and we fill ulfius's request and
 * response structures ourselves. ulfius's own access handler buffers every body whole
 * before any code of ours runs; ours looks at the request as soon as its headers are in,
 * so a body declared larger than its route allows is refused (413) before a byte of it
 * is read, and a body sent without a length is kept only up to the limit.
 *
 * In-flight requests are counted from the moment libmicrohttpd parses a request line
 * (URI log callback) to the moment it reports the reply complete (notify-completed
 * callback), so a drain waits for replies on the wire, not only for handlers. */
#include "service/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/log.h"
#include "service/router.h"

/* One request on its way through the server. */
typedef struct exchange {
    struct _u_request req;
    int headers_seen;
    size_t body_limit; /* the route's limit; one byte more is kept to detect excess */
    size_t body_cap;   /* bytes allocated for req.binary_body */
} exchange;

static atomic_long in_flight;

long http_in_flight(void) { return atomic_load(&in_flight); }

static void *on_request_line(void *cls, const char *uri)
{
    exchange *ex = calloc(1, sizeof *ex);
    (void)cls;
    atomic_fetch_add(&in_flight, 1);
    if (ex == NULL || ulfius_init_request(&ex->req) != U_OK) {
        free(ex);
        return NULL; /* the access handler then drops the connection */
    }
    ex->req.http_url = o_strdup(uri);
    ex->req.url_path = o_strndup(uri, strcspn(uri, "?"));
    return ex;
}

static void on_request_done(void *cls, struct MHD_Connection *connection, void **con_cls,
                            enum MHD_RequestTerminationCode toe)
{
    exchange *ex = *con_cls;
    (void)cls;
    (void)connection;
    (void)toe;
    if (ex != NULL) {
        ulfius_clean_request(&ex->req);
        free(ex);
        *con_cls = NULL;
    }
    atomic_fetch_sub(&in_flight, 1);
}

/* Repeated names are joined with commas, as HTTP defines for list-valued headers. A pair
 * the map refuses (a nameless query parameter) is left out and iteration goes on: the
 * router judges the raw query string itself. */
static enum MHD_Result map_add(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    struct _u_map *map = cls;
    const char *seen = u_map_get(map, key);
    (void)kind;
    if (seen == NULL) {
        u_map_put(map, key, value ? value : "");
        return MHD_YES;
    }
    char *joined = msprintf("%s,%s", seen, value ? value : "");
    if (joined != NULL) {
        u_map_put(map, key, joined);
    }
    o_free(joined);
    return MHD_YES;
}

static int request_begin(exchange *ex, struct MHD_Connection *connection, const char *method,
                         const char *version)
{
    ex->req.http_verb = o_strdup(method);
    ex->req.http_protocol = o_strdup(version);
    MHD_get_connection_values(connection, MHD_HEADER_KIND, map_add, ex->req.map_header);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, map_add, ex->req.map_url);
    return ex->req.http_verb == NULL || ex->req.http_protocol == NULL ? -1 : 0;
}

/* Keeps at most body_limit + 1 bytes: enough to know a body without a declared length
 * is too large, without holding what follows. */
static int body_append(exchange *ex, const char *data, size_t len)
{
    size_t keep = ex->body_limit + 1 - ex->req.binary_body_length;
    if (len < keep) {
        keep = len;
    }
    if (keep == 0) {
        return 0;
    }
    if (ex->req.binary_body_length + keep > ex->body_cap) {
        size_t cap = ex->body_cap ? ex->body_cap : 4096;
        while (cap < ex->req.binary_body_length + keep) {
            cap *= 2;
        }
        if (cap > ex->body_limit + 1) {
            cap = ex->body_limit + 1;
        }
        void *grown = o_realloc(ex->req.binary_body, cap);
        if (grown == NULL) {
            return -1;
        }
        ex->req.binary_body = grown;
        ex->body_cap = cap;
    }
    memcpy((char *)ex->req.binary_body + ex->req.binary_body_length, data, keep);
    ex->req.binary_body_length += keep;
    return 0;
}

static int add_headers(struct MHD_Response *out, const struct _u_map *headers)
{
    const char **keys = u_map_enum_keys(headers);
    for (size_t i = 0; keys != NULL && keys[i] != NULL; i++) {
        if (MHD_add_response_header(out, keys[i], u_map_get(headers, keys[i])) != MHD_YES) {
            return -1;
        }
    }
    return 0;
}

/* The libmicrohttpd reply for @p resp; a buffered body changes owner. */
static struct MHD_Response *reply_build(struct _u_response *resp)
{
    struct MHD_Response *out;

    if (resp->stream_callback != NULL) {
        out = MHD_create_response_from_callback(resp->stream_size, resp->stream_block_size,
                                                resp->stream_callback, resp->stream_user_data,
                                                resp->stream_callback_free);
        if (out == NULL && resp->stream_callback_free != NULL) {
            resp->stream_callback_free(resp->stream_user_data); /* no one else will */
        }
    } else {
        out = MHD_create_response_from_buffer_with_free_callback(resp->binary_body_length,
                                                                 resp->binary_body, o_free);
        if (out != NULL) {
            resp->binary_body = NULL;
            resp->binary_body_length = 0;
        }
    }
    if (out != NULL && add_headers(out, resp->map_header) != 0) {
        MHD_destroy_response(out);
        out = NULL;
    }
    return out;
}

static enum MHD_Result reply(struct MHD_Connection *connection, exchange *ex,
                             const app_ctx *app)
{
    struct _u_response resp;
    struct MHD_Response *out;
    enum MHD_Result queued = MHD_NO;

    if (ulfius_init_response(&resp) != U_OK) {
        return MHD_NO;
    }
    router_dispatch(&ex->req, &resp, (void *)app);
    out = reply_build(&resp);
    if (out != NULL) {
        queued = MHD_queue_response(connection, (unsigned)resp.status, out);
        MHD_destroy_response(out);
    } else {
        log_msg(LOG_ERROR, "cannot build the reply");
    }
    ulfius_clean_response(&resp);
    return queued;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection,
                                  const char *url, const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    const app_ctx *app = cls;
    exchange *ex = *con_cls;
    (void)url; /* the raw request line was kept by on_request_line */

    if (ex == NULL) {
        return MHD_NO;
    }
    if (!ex->headers_seen) {
        ex->headers_seen = 1;
        if (request_begin(ex, connection, method, version) != 0) {
            return MHD_NO;
        }
        ex->body_limit = router_body_limit(app, &ex->req);
        /* Answering now tells libmicrohttpd not to read the body (nor send 100-continue). */
        return router_body_too_large(app, &ex->req) ? reply(connection, ex, app) : MHD_YES;
    }
    if (*upload_data_size > 0) {
        int rc = body_append(ex, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return rc == 0 ? MHD_YES : MHD_NO;
    }
    return reply(connection, ex, app);
}

int http_start(http_server *srv, const app_ctx *app)
{
    const svc_config *cfg = app->cfg;
    static struct sockaddr_in addr;
    unsigned int flags;

    memset(srv, 0, sizeof *srv);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->bind_address, &addr.sin_addr) != 1) {
        log_msg(LOG_ERROR, "BIND_ADDRESS %s is not an IPv4 address", cfg->bind_address);
        return -1;
    }

    flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (cfg->http_threads == 0) {
        flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
    } else {
        flags |= MHD_USE_EPOLL_INTERNAL_THREAD;
    }
    struct MHD_OptionItem options[] = {
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_request_done, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_request_line, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &addr},
        {MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_seconds, NULL},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
        /* Room for long query strings and many headers (the default is 32 KiB). */
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 256 * 1024, NULL},
        {cfg->http_threads > 0 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
         cfg->http_threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    srv->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request,
                                   (void *)app, MHD_OPTION_ARRAY, options, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        log_msg(LOG_ERROR, "cannot listen on %s:%d", cfg->bind_address, cfg->port);
        return -1;
    }
    return 0;
}

void http_stop(http_server *srv, int grace_seconds)
{
    struct timespec pause = {0, 20 * 1000 * 1000};
    time_t deadline = time(NULL) + grace_seconds;

    if (srv->daemon == NULL) {
        return;
    }
    router_set_draining();
    /* Quiescing hands the listening socket back: close it, so new connections are
     * refused at once instead of waiting in the backlog until the process exits. */
    MHD_socket listener = MHD_quiesce_daemon(srv->daemon);
    if (listener != MHD_INVALID_SOCKET) {
        close(listener);
    }
    while (atomic_load(&in_flight) > 0 && time(NULL) < deadline) {
        nanosleep(&pause, NULL);
    }
    if (atomic_load(&in_flight) > 0) {
        log_msg(LOG_WARN, "stopping with %ld requests still in flight",
                atomic_load(&in_flight));
    }
    MHD_stop_daemon(srv->daemon);
    srv->daemon = NULL;
}
