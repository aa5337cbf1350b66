/* Server start and graceful stop. In-flight requests are counted from the moment
 * libmicrohttpd parses a request line (URI log callback) to the moment it reports the
 * reply complete (notify-completed callback), so a drain waits for replies on the wire,
 * not only for handlers. */
#include "service/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/log.h"
#include "service/router.h"

static atomic_long in_flight;

long http_in_flight(void) { return atomic_load(&in_flight); }

static void *on_request_line(void *cls, const char *uri)
{
    atomic_fetch_add(&in_flight, 1);
    return ulfius_uri_logger(cls, uri);
}

static void on_request_done(void *cls, struct MHD_Connection *connection, void **con_cls,
                            enum MHD_RequestTerminationCode toe)
{
    mhd_request_completed(cls, connection, con_cls, toe);
    atomic_fetch_sub(&in_flight, 1);
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
    if (ulfius_init_instance(&srv->instance, (unsigned)cfg->port, NULL, NULL) != U_OK) {
        log_msg(LOG_ERROR, "ulfius_init_instance failed");
        return -1;
    }
    /* ulfius truncates bodies past its cap without a word; ours is one byte larger than
     * any limit we enforce, so an oversized chunked body is detectable. */
    srv->instance.max_post_body_size =
        (cfg->import_max_bytes > cfg->max_body_bytes ? cfg->import_max_bytes
                                                     : cfg->max_body_bytes) + 1;
    srv->instance.allowed_post_processor = U_POST_PROCESS_NONE;
    /* ulfius would silently drop parameters and headers that are not UTF-8; the router
     * refuses such requests instead. */
    srv->instance.check_utf8 = 0;
    ulfius_set_default_endpoint(&srv->instance, router_dispatch, (void *)app);

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
        {cfg->http_threads > 0 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_ARRAY,
         cfg->http_threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    if (cfg->http_threads == 0) {
        /* MHD_OPTION_ARRAY with a NULL array is a no-op placeholder. */
        options[7] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    }
    if (ulfius_start_framework_with_mhd_options(&srv->instance, flags, options) != U_OK) {
        log_msg(LOG_ERROR, "cannot listen on %s:%d", cfg->bind_address, cfg->port);
        ulfius_clean_instance(&srv->instance);
        return -1;
    }
    srv->started = 1;
    return 0;
}

void http_stop(http_server *srv, int grace_seconds)
{
    struct timespec pause = {0, 20 * 1000 * 1000};
    time_t deadline = time(NULL) + grace_seconds;

    if (!srv->started) {
        return;
    }
    router_set_draining();
    /* Quiescing hands the listening socket back: close it, so new connections are
     * refused at once instead of waiting in the backlog until the process exits. */
    MHD_socket listener = MHD_quiesce_daemon(srv->instance.mhd_daemon);
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
    ulfius_stop_framework(&srv->instance);
    ulfius_clean_instance(&srv->instance);
    srv->started = 0;
}
