/* A small closed-loop load generator for the objectives API, used by the reliability
 * scenarios in tests/reliability/. Every thread keeps one HTTP/1.1 keep-alive connection
 * to 127.0.0.1:PORT and sends a mix of reads (GET /v1/objectives/{id}, GET
 * /v1/objectives?limit=20) and writes (POST /v1/objectives with a unique ref). Every
 * write answered 2xx is appended to --acked-file as "ref id", so a scenario can check
 * afterwards that the database holds each one. Optionally one more connection streams
 * bulk imports (POST /v1/import) with a unique ref prefix each (--import-rows).
 *
 * Connection trouble is counted, never hidden:
 *   refused         connect() refused (nothing listening)
 *   connect_errors  any other connect failure or connect timeout
 *   idle_closed     the server closed an idle keep-alive connection before we reused it
 *   server_closed   the server answered with "Connection: close" and closed
 *   resets          a request was sent and the connection failed (RST or EOF) before
 *                   the whole reply arrived; resets_fresh counts those that happened on
 *                   the first request of a new connection with no reply byte received
 *   timeouts        no complete reply within --timeout-ms
 *
 * Replies are counted per status (imports included), with latency p50/p99/max from a
 * log-scale histogram (about 2% resolution). --timeline-file writes, per 10 ms of wall
 * clock, the replies by class and the slowest one, so a scenario can line them up with
 * what it did to the service or the database at a given time.
 *
 * Ends by itself after --seconds (or --max-requests, or SIGINT/SIGTERM) and prints one
 * JSON line. Exit status: 0 when the run happened (whatever the replies were), 1 when a
 * file could not be written, 2 on a usage error. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 1024
#define MAX_SECONDS 86400
#define ID_POOL_SIZE 8192
#define HIST_BUCKETS 1024   /* log2 buckets, 32 per doubling, of microseconds */
#define TIMELINE_MS 10      /* width of one timeline bucket */
#define CONNECT_TIMEOUT_MS 2000
#define RETRY_PAUSE_MS 20   /* after a failed connect, so a dead port is not hammered */

/* ---- options ---------------------------------------------------------------------- */

typedef struct options {
    int port;
    const char *token;
    int connections;
    double seconds;
    double write_ratio;
    double list_ratio;
    const char *acked_file;
    const char *ids_file;
    const char *timeline_file;
    const char *imports_file;
    long max_requests;
    int import_rows;
    int timeout_ms;
    char run[24];
} options;

static options opt = {
    .connections = 8,
    .seconds = 10,
    .write_ratio = 0.2,
    .list_ratio = 0.3,
    .timeout_ms = 10000,
};

/* ---- shared state ----------------------------------------------------------------- */

static atomic_int stop_now;
static atomic_long requests_started;
static struct timespec t_start;   /* CLOCK_MONOTONIC */
static double t_start_epoch_ms;   /* CLOCK_REALTIME at t_start */
static double t_deadline;         /* seconds since t_start */

static pthread_mutex_t acked_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *acked_fp;
static FILE *imports_fp;
static int write_failed;

static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;
static char (*id_pool)[37];
static size_t id_count;  /* filled slots */
static size_t id_next;   /* next slot to overwrite once full */

typedef struct bucket {
    atomic_uint n2xx, n4xx, n503, n5xx, nerr, other;
    atomic_uint max_us;
} bucket;
static bucket *timeline;
static size_t timeline_len;

typedef struct stats {
    long requests, reads, writes, writes_acked;
    long status[600];
    long s503_no_retry_after;
    long resets, resets_fresh, timeouts, refused, connect_errors, idle_closed;
    long server_closed, connects, protocol_errors;
    long imports, imports_ok, import_rows_acked;
    double max_ms, max_ms_503, max_ms_import;
    long hist[HIST_BUCKETS];
} stats;

typedef struct worker {
    pthread_t thread;
    int index;
    uint64_t rng;
    int fd;
    long on_conn;     /* requests sent on the current connection */
    char *buf;        /* reply buffer */
    size_t cap;
    stats st;
} worker;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)(ts.tv_sec - t_start.tv_sec) + (double)(ts.tv_nsec - t_start.tv_nsec) / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64* */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 2685821657736338717ULL;
}

static double rng_unit(uint64_t *s) { return (double)(rng_next(s) >> 11) / 9007199254740992.0; }

static int running(void)
{
    if (atomic_load(&stop_now)) {
        return 0;
    }
    if (now_s() >= t_deadline) {
        return 0;
    }
    if (opt.max_requests > 0 && atomic_load(&requests_started) >= opt.max_requests) {
        return 0;
    }
    return 1;
}

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&stop_now, 1);
}

/* ---- ids -------------------------------------------------------------------------- */

static int looks_like_uuid(const char *s, size_t n)
{
    if (n != 36) {
        return 0;
    }
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return 0;
            }
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

static void id_add(const char *id)
{
    pthread_mutex_lock(&ids_lock);
    size_t slot;
    if (id_count < ID_POOL_SIZE) {
        slot = id_count++;
    } else {
        slot = id_next;
        id_next = (id_next + 1) % ID_POOL_SIZE;
    }
    memcpy(id_pool[slot], id, 36);
    id_pool[slot][36] = '\0';
    pthread_mutex_unlock(&ids_lock);
}

static int id_pick(uint64_t *rng, char out[37])
{
    int found = 0;
    pthread_mutex_lock(&ids_lock);
    if (id_count > 0) {
        memcpy(out, id_pool[rng_next(rng) % id_count], 37);
        found = 1;
    }
    pthread_mutex_unlock(&ids_lock);
    return found;
}

/* Every whitespace-separated token that is a UUID becomes a known id (so an acked file
 * of "ref id" lines works as an ids file). */
static int ids_load(const char *path)
{
    FILE *fp = fopen(path, "r");
    char line[512];
    int n = 0;
    if (fp == NULL) {
        fprintf(stderr, "loadgen: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, fp) != NULL) {
        char *save = NULL;
        for (char *tok = strtok_r(line, " \t\r\n,", &save); tok;
             tok = strtok_r(NULL, " \t\r\n,", &save)) {
            if (looks_like_uuid(tok, strlen(tok))) {
                id_add(tok);
                n++;
            }
        }
    }
    fclose(fp);
    return n;
}

/* ---- connections ------------------------------------------------------------------ */

static void conn_close(worker *w)
{
    if (w->fd >= 0) {
        close(w->fd);
    }
    w->fd = -1;
    w->on_conn = 0;
}

/* 0: connected; -1: failed (counted). */
static int conn_open(worker *w, int timeout_ms)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        w->st.connect_errors++;
        return -1;
    }
    int rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
    if (rc != 0 && errno == EINPROGRESS) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int err = 0;
        socklen_t len = sizeof err;
        rc = poll(&pfd, 1, CONNECT_TIMEOUT_MS);
        if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
            rc = 0;
        } else {
            errno = rc == 0 ? ETIMEDOUT : (err ? err : errno);
            rc = -1;
        }
    }
    if (rc != 0) {
        if (errno == ECONNREFUSED) {
            w->st.refused++;
        } else {
            w->st.connect_errors++;
        }
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    w->fd = fd;
    w->on_conn = 0;
    w->st.connects++;
    return 0;
}

/* Before reusing a keep-alive connection: did the server close it meanwhile? */
static void conn_check_idle(worker *w)
{
    struct pollfd pfd = {.fd = w->fd, .events = POLLIN};
    if (w->fd < 0 || poll(&pfd, 1, 0) <= 0) {
        return;
    }
    char c;
    ssize_t n = recv(w->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        w->st.idle_closed++;
    } else if (n > 0) {
        w->st.protocol_errors++; /* bytes nobody asked for */
    } else {
        return;
    }
    conn_close(w);
}

static int send_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- replies ---------------------------------------------------------------------- */

typedef struct reply {
    int status;
    int close;          /* Connection: close */
    int retry_after;    /* header present */
    const char *body;
    size_t body_len;
    char location[160];
} reply;

enum { XC_DONE = 0, XC_RESET = -1, XC_TIMEOUT = -2, XC_PROTOCOL = -3 };

/* Reads more bytes into the worker's buffer. 1: got some; XC_*: failure; 0: EOF. */
static int fill(worker *w, size_t *len)
{
    if (*len + 4096 > w->cap) {
        size_t cap = w->cap * 2;
        if (cap > (size_t)256 * 1024 * 1024) {
            return XC_PROTOCOL;
        }
        char *grown = realloc(w->buf, cap + 1);
        if (grown == NULL) {
            return XC_PROTOCOL;
        }
        w->buf = grown;
        w->cap = cap;
    }
    for (;;) {
        ssize_t n = recv(w->fd, w->buf + *len, w->cap - *len, 0);
        if (n > 0) {
            *len += (size_t)n;
            w->buf[*len] = '\0';
            return 1;
        }
        if (n == 0) {
            return 0;
        }
        if (errno == EINTR) {
            continue;
        }
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? XC_TIMEOUT : XC_RESET;
    }
}

static const char *find_crlf(const char *p, const char *end)
{
    for (; p + 1 < end; p++) {
        if (p[0] == '\r' && p[1] == '\n') {
            return p;
        }
    }
    return NULL;
}

static const char *find_head_end(const char *p, size_t len)
{
    for (size_t i = 0; i + 3 < len; i++) {
        if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n') {
            return p + i;
        }
    }
    return NULL;
}

/* Reads one whole reply. *got_bytes tells whether any byte arrived. */
static int read_reply(worker *w, reply *r, int *got_bytes)
{
    size_t len = 0;
    const char *head_end = NULL;
    int rc;

    memset(r, 0, sizeof *r);
    *got_bytes = 0;
    while ((head_end = find_head_end(w->buf, len)) == NULL) {
        if (len > 64 * 1024) {
            return XC_PROTOCOL;
        }
        rc = fill(w, &len);
        if (rc <= 0) {
            return rc == 0 ? XC_RESET : rc;
        }
        *got_bytes = 1;
    }
    if (len < 12 || strncmp(w->buf, "HTTP/1.", 7) != 0) {
        return XC_PROTOCOL;
    }
    r->status = atoi(w->buf + 9);
    if (r->status < 100 || r->status > 599) {
        return XC_PROTOCOL;
    }

    long content_length = -1;
    int chunked = 0;
    const char *line = find_crlf(w->buf, head_end + 2) + 2;
    while (line < head_end + 2) {
        const char *eol = find_crlf(line, head_end + 2);
        size_t n = (size_t)(eol - line);
        const char *colon = memchr(line, ':', n);
        if (colon != NULL) {
            size_t name_len = (size_t)(colon - line);
            const char *v = colon + 1;
            while (v < eol && (*v == ' ' || *v == '\t')) {
                v++;
            }
            size_t vlen = (size_t)(eol - v);
#define IS(name) (name_len == sizeof(name) - 1 && strncasecmp(line, name, name_len) == 0)
            if (IS("Content-Length")) {
                content_length = strtol(v, NULL, 10);
            } else if (IS("Transfer-Encoding")) {
                chunked = vlen >= 7 && strncasecmp(v, "chunked", 7) == 0;
            } else if (IS("Connection")) {
                r->close = vlen >= 5 && strncasecmp(v, "close", 5) == 0;
            } else if (IS("Retry-After")) {
                r->retry_after = 1;
            } else if (IS("Location")) {
                size_t k = vlen < sizeof r->location - 1 ? vlen : sizeof r->location - 1;
                memcpy(r->location, v, k);
                r->location[k] = '\0';
            }
#undef IS
        }
        line = eol + 2;
    }

    size_t body_start = (size_t)(head_end + 4 - w->buf);
    if (r->status == 204 || r->status == 304 || (r->status >= 100 && r->status < 200)) {
        content_length = 0;
        chunked = 0;
    }
    if (chunked) {
        /* Decode in place: chunk data is moved down to follow the previous chunk. */
        size_t pos = body_start, out = body_start;
        for (;;) {
            const char *eol;
            while ((eol = find_crlf(w->buf + pos, w->buf + len)) == NULL) {
                rc = fill(w, &len);
                if (rc <= 0) {
                    return rc == 0 ? XC_RESET : rc;
                }
            }
            unsigned long size = strtoul(w->buf + pos, NULL, 16);
            pos = (size_t)(eol - w->buf) + 2;
            if (size == 0) {
                /* Trailers, then an empty line. */
                for (;;) {
                    while ((eol = find_crlf(w->buf + pos, w->buf + len)) == NULL) {
                        rc = fill(w, &len);
                        if (rc <= 0) {
                            return rc == 0 ? XC_RESET : rc;
                        }
                    }
                    int empty = eol == w->buf + pos;
                    pos = (size_t)(eol - w->buf) + 2;
                    if (empty) {
                        break;
                    }
                }
                break;
            }
            while (len < pos + size + 2) {
                rc = fill(w, &len);
                if (rc <= 0) {
                    return rc == 0 ? XC_RESET : rc;
                }
            }
            memmove(w->buf + out, w->buf + pos, size);
            out += size;
            pos += size + 2;
        }
        if (pos != len) {
            return XC_PROTOCOL;
        }
        r->body = w->buf + body_start;
        r->body_len = out - body_start;
    } else if (content_length >= 0) {
        while (len < body_start + (size_t)content_length) {
            rc = fill(w, &len);
            if (rc <= 0) {
                return rc == 0 ? XC_RESET : rc;
            }
        }
        if (len != body_start + (size_t)content_length) {
            return XC_PROTOCOL; /* more than one reply: we never pipeline */
        }
        r->body = w->buf + body_start;
        r->body_len = (size_t)content_length;
    } else {
        /* No length: the body ends when the server closes. */
        for (;;) {
            rc = fill(w, &len);
            if (rc == 0) {
                break;
            }
            if (rc < 0) {
                return rc;
            }
        }
        r->close = 1;
        r->body = w->buf + body_start;
        r->body_len = len - body_start;
    }
    w->buf[body_start + r->body_len] = '\0';
    return XC_DONE;
}

/* The "id" member of a JSON object body ("id" : "uuid", any spacing), else the last
 * segment of Location. */
static int reply_id(const reply *r, char out[37])
{
    for (const char *p = r->body; p != NULL && (p = strstr(p, "\"id\"")) != NULL; p += 4) {
        const char *q = p + 4;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') {
            q++;
        }
        if (*q != ':') {
            continue;
        }
        q++;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') {
            q++;
        }
        if (*q == '"' && strnlen(q + 1, 37) == 37 && q[37] == '"' && looks_like_uuid(q + 1, 36)) {
            memcpy(out, q + 1, 36);
            out[36] = '\0';
            return 1;
        }
    }
    const char *slash = strrchr(r->location, '/');
    if (slash != NULL && looks_like_uuid(slash + 1, strlen(slash + 1))) {
        memcpy(out, slash + 1, 36);
        out[36] = '\0';
        return 1;
    }
    return 0;
}

/* ---- accounting ------------------------------------------------------------------- */

static int hist_index(double us)
{
    int i = us < 1 ? 0 : (int)(log2(us) * 32.0);
    return i < 0 ? 0 : (i >= HIST_BUCKETS ? HIST_BUCKETS - 1 : i);
}

static double hist_value_ms(int i) { return pow(2.0, ((double)i + 0.5) / 32.0) / 1000.0; }

static void timeline_note(double at_s, int status, int failed, double ms)
{
    if (timeline == NULL) {
        return;
    }
    size_t i = (size_t)(at_s * 1000.0 / TIMELINE_MS);
    if (i >= timeline_len) {
        i = timeline_len - 1;
    }
    bucket *b = &timeline[i];
    if (failed) {
        atomic_fetch_add(&b->nerr, 1);
    } else if (status >= 200 && status < 300) {
        atomic_fetch_add(&b->n2xx, 1);
    } else if (status == 503) {
        atomic_fetch_add(&b->n503, 1);
    } else if (status >= 500) {
        atomic_fetch_add(&b->n5xx, 1);
    } else if (status >= 400) {
        atomic_fetch_add(&b->n4xx, 1);
    } else {
        atomic_fetch_add(&b->other, 1);
    }
    if (!failed) {
        unsigned us = ms * 1000.0 > 4e9 ? 4000000000u : (unsigned)(ms * 1000.0);
        unsigned cur = atomic_load(&b->max_us);
        while (us > cur && !atomic_compare_exchange_weak(&b->max_us, &cur, us)) {
        }
    }
}

/* Accounts a failed exchange and drops the connection. */
static void note_failure(worker *w, int rc, int fresh, int got_bytes)
{
    if (rc == XC_TIMEOUT) {
        w->st.timeouts++;
    } else if (rc == XC_PROTOCOL) {
        w->st.protocol_errors++;
    } else {
        w->st.resets++;
        if (fresh && !got_bytes) {
            w->st.resets_fresh++;
        }
    }
    timeline_note(now_s(), 0, 1, 0);
    conn_close(w);
}

static void note_reply(worker *w, const reply *r, double ms)
{
    w->st.status[r->status]++;
    w->st.hist[hist_index(ms * 1000.0)]++;
    if (ms > w->st.max_ms) {
        w->st.max_ms = ms;
    }
    if (r->status == 503) {
        if (!r->retry_after) {
            w->st.s503_no_retry_after++;
        }
        if (ms > w->st.max_ms_503) {
            w->st.max_ms_503 = ms;
        }
    }
    timeline_note(now_s(), r->status, 0, ms);
}

/* ---- the exchange ----------------------------------------------------------------- */

/* Sends @p req on the worker's connection (opening one if needed) and reads the reply.
 * Returns XC_DONE with *r filled, 1 when no connection could be made (nothing sent), or a
 * failure code (already counted). */
static int exchange(worker *w, const char *req, size_t req_len, reply *r, double *ms_out)
{
    int got_bytes = 0;
    if (w->fd >= 0) {
        conn_check_idle(w);
    }
    if (w->fd < 0 && conn_open(w, opt.timeout_ms) != 0) {
        return 1;
    }
    int fresh = w->on_conn == 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    atomic_fetch_add(&requests_started, 1);
    w->st.requests++;
    w->on_conn++;
    int rc = send_all(w->fd, req, req_len) == 0 ? XC_DONE : XC_RESET;
    if (rc == XC_DONE) {
        rc = read_reply(w, r, &got_bytes);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        rc = XC_TIMEOUT;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc != XC_DONE) {
        note_failure(w, rc, fresh, got_bytes);
        return rc;
    }
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    *ms_out = ms;
    if (r->close) {
        w->st.server_closed++;
    }
    return XC_DONE;
}

static size_t build_request(char *out, size_t cap, const char *method, const char *path,
                            const char *body, size_t body_len)
{
    int n;
    if (body != NULL) {
        n = snprintf(out, cap,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n"
                     "Accept: application/json\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     method, path, opt.port, opt.token, body_len);
    } else {
        n = snprintf(out, cap,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n"
                     "Accept: application/json\r\n\r\n",
                     method, path, opt.port, opt.token);
    }
    if (n < 0 || (size_t)n + body_len >= cap) {
        return 0;
    }
    if (body != NULL) {
        memcpy(out + n, body, body_len);
    }
    return (size_t)n + body_len;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    size_t req_cap = 8192 + strlen(opt.token);
    char *req = malloc(req_cap);
    long n = 0;

    while (req != NULL && running()) {
        char path[128], body[512], ref[80], id[37];
        size_t len;
        int is_write = rng_unit(&w->rng) < opt.write_ratio;

        if (is_write) {
            snprintf(ref, sizeof ref, "LG-%s-%d-%ld", opt.run, w->index, n++);
            int blen = snprintf(body, sizeof body,
                                "{\"ref\":\"%s\",\"title\":\"Load objective %s\","
                                "\"level\":\"operational\",\"description\":\"written by "
                                "loadgen\"}",
                                ref, ref);
            len = build_request(req, req_cap, "POST", "/v1/objectives", body, (size_t)blen);
        } else if (rng_unit(&w->rng) >= opt.list_ratio && id_pick(&w->rng, id)) {
            snprintf(path, sizeof path, "/v1/objectives/%s", id);
            len = build_request(req, req_cap, "GET", path, NULL, 0);
        } else {
            len = build_request(req, req_cap, "GET", "/v1/objectives?limit=20", NULL, 0);
        }

        reply r;
        double ms = 0;
        int rc = exchange(w, req, len, &r, &ms);
        if (rc == 1) {
            sleep_ms(RETRY_PAUSE_MS);
            continue;
        }
        if (is_write) {
            w->st.writes++;
        } else {
            w->st.reads++;
        }
        if (rc != XC_DONE) {
            continue;
        }
        if (is_write && r.status >= 200 && r.status < 300) {
            w->st.writes_acked++;
            if (!reply_id(&r, id)) {
                strcpy(id, "-");
                w->st.protocol_errors++;
            } else {
                id_add(id);
            }
            if (acked_fp != NULL) {
                pthread_mutex_lock(&acked_lock);
                if (fprintf(acked_fp, "%s %s\n", ref, id) < 0) {
                    write_failed = 1;
                }
                pthread_mutex_unlock(&acked_lock);
            }
        }
        note_reply(w, &r, ms);
        if (r.close) {
            conn_close(w);
        }
    }
    conn_close(w);
    free(req);
    return NULL;
}

/* One more connection: back-to-back bulk imports of opt.import_rows objectives, each
 * with its own ref prefix, recorded in --imports-file as "prefix rows outcome ms". */
static void *importer_main(void *arg)
{
    worker *w = arg;
    size_t cap = (size_t)opt.import_rows * 160 + 1024;
    char *body = malloc(cap);
    char *req = malloc(cap + 8192 + strlen(opt.token));
    int k = 0;

    while (body != NULL && req != NULL && running()) {
        char prefix[64];
        size_t len = 0;
        snprintf(prefix, sizeof prefix, "LGI-%s-%d-", opt.run, k++);
        len += (size_t)snprintf(body + len, cap - len, "{\"objectives\":[");
        for (int i = 0; i < opt.import_rows; i++) {
            len += (size_t)snprintf(body + len, cap - len,
                                    "%s{\"ref\":\"%s%05d\",\"title\":\"Imported row %d\","
                                    "\"level\":\"operational\"}",
                                    i ? "," : "", prefix, i, i);
        }
        len += (size_t)snprintf(body + len, cap - len, "]}");
        size_t req_len = build_request(req, cap + 8192 + strlen(opt.token), "POST",
                                       "/v1/import", body, len);
        reply r;
        double ms = 0;
        int rc = exchange(w, req, req_len, &r, &ms);
        if (rc == 1) {
            k--; /* nothing was sent: reuse the prefix */
            sleep_ms(RETRY_PAUSE_MS);
            continue;
        }
        w->st.imports++;
        char outcome[32];
        if (rc == XC_DONE) {
            snprintf(outcome, sizeof outcome, "%d", r.status);
            if (r.status == 200) {
                w->st.imports_ok++;
                w->st.import_rows_acked += opt.import_rows;
            }
            if (ms > w->st.max_ms_import) {
                w->st.max_ms_import = ms;
            }
            note_reply(w, &r, ms);
            if (r.close) {
                conn_close(w);
            }
        } else {
            snprintf(outcome, sizeof outcome, "%s",
                     rc == XC_TIMEOUT ? "timeout" : rc == XC_PROTOCOL ? "protocol" : "reset");
        }
        if (imports_fp != NULL) {
            pthread_mutex_lock(&acked_lock);
            if (fprintf(imports_fp, "%s %d %s %.1f\n", prefix, opt.import_rows, outcome, ms) < 0) {
                write_failed = 1;
            }
            pthread_mutex_unlock(&acked_lock);
        }
    }
    conn_close(w);
    free(body);
    free(req);
    return NULL;
}

/* ---- main ------------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr,
            "usage: loadgen --port P --token T [--connections N] [--seconds S]\n"
            "               [--write-ratio 0.2] [--list-ratio 0.3] [--acked-file F]\n"
            "               [--ids-file F] [--max-requests M] [--run ID] [--timeout-ms MS]\n"
            "               [--timeline-file F] [--import-rows N --imports-file F]\n"
            "Sends its traffic to 127.0.0.1:P only; prints one JSON summary line.\n");
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_double(const char *s, double min, double max, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max)) {
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long l;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            exit(0);
        }
        if (v == NULL) {
            fprintf(stderr, "loadgen: %s needs a value\n", a);
            return -1;
        }
        i++;
        if (strcmp(a, "--port") == 0) {
            if (parse_long(v, 1, 65535, &l) != 0) {
                goto bad;
            }
            opt.port = (int)l;
        } else if (strcmp(a, "--token") == 0) {
            opt.token = v;
        } else if (strcmp(a, "--connections") == 0) {
            if (parse_long(v, 1, MAX_CONNECTIONS, &l) != 0) {
                goto bad;
            }
            opt.connections = (int)l;
        } else if (strcmp(a, "--seconds") == 0) {
            if (parse_double(v, 0.1, MAX_SECONDS, &opt.seconds) != 0) {
                goto bad;
            }
        } else if (strcmp(a, "--write-ratio") == 0) {
            if (parse_double(v, 0, 1, &opt.write_ratio) != 0) {
                goto bad;
            }
        } else if (strcmp(a, "--list-ratio") == 0) {
            if (parse_double(v, 0, 1, &opt.list_ratio) != 0) {
                goto bad;
            }
        } else if (strcmp(a, "--acked-file") == 0) {
            opt.acked_file = v;
        } else if (strcmp(a, "--ids-file") == 0) {
            opt.ids_file = v;
        } else if (strcmp(a, "--timeline-file") == 0) {
            opt.timeline_file = v;
        } else if (strcmp(a, "--imports-file") == 0) {
            opt.imports_file = v;
        } else if (strcmp(a, "--max-requests") == 0) {
            if (parse_long(v, 0, 1000000000L, &opt.max_requests) != 0) {
                goto bad;
            }
        } else if (strcmp(a, "--import-rows") == 0) {
            if (parse_long(v, 0, 100000, &l) != 0) {
                goto bad;
            }
            opt.import_rows = (int)l;
        } else if (strcmp(a, "--timeout-ms") == 0) {
            if (parse_long(v, 100, 600000, &l) != 0) {
                goto bad;
            }
            opt.timeout_ms = (int)l;
        } else if (strcmp(a, "--run") == 0) {
            size_t n = strlen(v);
            if (n == 0 || n >= sizeof opt.run) {
                goto bad;
            }
            for (size_t k = 0; k < n; k++) {
                if (!isalnum((unsigned char)v[k])) {
                    goto bad;
                }
            }
            memcpy(opt.run, v, n + 1);
        } else {
            fprintf(stderr, "loadgen: unknown option %s\n", a);
            return -1;
        }
        continue;
    bad:
        fprintf(stderr, "loadgen: bad value for %s: %s\n", a, v);
        return -1;
    }
    if (opt.port == 0 || opt.token == NULL || *opt.token == '\0' || strlen(opt.token) > 4096) {
        fprintf(stderr, "loadgen: --port and --token are required\n");
        return -1;
    }
    return 0;
}

static double percentile(const stats *s, long total, double p)
{
    long rank = (long)ceil(p * (double)total), seen = 0;
    if (total == 0) {
        return 0;
    }
    if (rank < 1) {
        rank = 1;
    }
    for (int i = 0; i < HIST_BUCKETS; i++) {
        seen += s->hist[i];
        if (seen >= rank) {
            double v = hist_value_ms(i);
            return v > s->max_ms ? s->max_ms : v;
        }
    }
    return s->max_ms;
}

static void merge(stats *into, const stats *s)
{
#define ADD(f) into->f += s->f
#define MAX(f) into->f = s->f > into->f ? s->f : into->f
    ADD(requests);
    ADD(reads);
    ADD(writes);
    ADD(writes_acked);
    ADD(s503_no_retry_after);
    ADD(resets);
    ADD(resets_fresh);
    ADD(timeouts);
    ADD(refused);
    ADD(connect_errors);
    ADD(idle_closed);
    ADD(server_closed);
    ADD(connects);
    ADD(protocol_errors);
    ADD(imports);
    ADD(imports_ok);
    ADD(import_rows_acked);
    MAX(max_ms);
    MAX(max_ms_503);
    MAX(max_ms_import);
#undef ADD
#undef MAX
    for (int i = 0; i < 600; i++) {
        into->status[i] += s->status[i];
    }
    for (int i = 0; i < HIST_BUCKETS; i++) {
        into->hist[i] += s->hist[i];
    }
}

static int timeline_write(const char *path)
{
    FILE *fp = fopen(path, "w");
    if (fp == NULL) {
        fprintf(stderr, "loadgen: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(fp, "# epoch_ms n2xx n4xx n503 n5xx_other failed max_ms (buckets of %d ms)\n",
            TIMELINE_MS);
    for (size_t i = 0; i < timeline_len; i++) {
        bucket *b = &timeline[i];
        unsigned total = atomic_load(&b->n2xx) + atomic_load(&b->n4xx) + atomic_load(&b->n503) +
                         atomic_load(&b->n5xx) + atomic_load(&b->nerr) + atomic_load(&b->other);
        if (total == 0) {
            continue;
        }
        fprintf(fp, "%.0f %u %u %u %u %u %.1f\n", t_start_epoch_ms + (double)(i * TIMELINE_MS),
                atomic_load(&b->n2xx), atomic_load(&b->n4xx), atomic_load(&b->n503),
                atomic_load(&b->n5xx), atomic_load(&b->nerr), atomic_load(&b->max_us) / 1000.0);
    }
    return fclose(fp) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct timespec real;
    int status = 0;

    if (parse_args(argc, argv) != 0) {
        usage();
        return 2;
    }
    if (opt.import_rows > 0 && opt.imports_file == NULL) {
        fprintf(stderr, "loadgen: --import-rows needs --imports-file\n");
        return 2;
    }
    if (opt.run[0] == '\0') {
        /* Unique enough across runs on one machine: time and pid in base 36. */
        static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
        unsigned long long v = ((unsigned long long)time(NULL) << 20) ^ (unsigned long long)getpid();
        char tmp[24];
        int n = 0;
        do {
            tmp[n++] = digits[v % 36];
            v /= 36;
        } while (v > 0 && n < 16);
        for (int i = 0; i < n; i++) {
            opt.run[i] = tmp[n - 1 - i];
        }
        opt.run[n] = '\0';
    }

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    id_pool = calloc(ID_POOL_SIZE, sizeof *id_pool);
    if (id_pool == NULL) {
        return 1;
    }
    if (opt.ids_file != NULL && ids_load(opt.ids_file) < 0) {
        return 1;
    }
    if (opt.acked_file != NULL) {
        acked_fp = fopen(opt.acked_file, "a");
        if (acked_fp == NULL) {
            fprintf(stderr, "loadgen: cannot write %s: %s\n", opt.acked_file, strerror(errno));
            return 1;
        }
        setvbuf(acked_fp, NULL, _IOLBF, 0);
    }
    if (opt.imports_file != NULL) {
        imports_fp = fopen(opt.imports_file, "a");
        if (imports_fp == NULL) {
            fprintf(stderr, "loadgen: cannot write %s: %s\n", opt.imports_file, strerror(errno));
            return 1;
        }
        setvbuf(imports_fp, NULL, _IOLBF, 0);
    }
    if (opt.timeline_file != NULL) {
        timeline_len = (size_t)((opt.seconds + 120.0) * 1000.0 / TIMELINE_MS);
        timeline = calloc(timeline_len, sizeof *timeline);
        if (timeline == NULL) {
            return 1;
        }
    }

    int nworkers = opt.connections + (opt.import_rows > 0 ? 1 : 0);
    worker *workers = calloc((size_t)nworkers, sizeof *workers);
    if (workers == NULL) {
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t_start);
    clock_gettime(CLOCK_REALTIME, &real);
    t_start_epoch_ms = (double)real.tv_sec * 1e3 + (double)real.tv_nsec / 1e6;
    t_deadline = opt.seconds;

    int started = 0;
    for (int i = 0; i < nworkers; i++) {
        worker *w = &workers[i];
        w->index = i;
        w->fd = -1;
        w->rng = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)(i + 1) * 0xBF58476D1CE4E5B9ULL) ^
                 (uint64_t)real.tv_nsec;
        w->cap = 64 * 1024;
        w->buf = malloc(w->cap + 1);
        if (w->buf == NULL) {
            break;
        }
        int is_importer = opt.import_rows > 0 && i == nworkers - 1;
        if (pthread_create(&w->thread, NULL, is_importer ? importer_main : worker_main, w) != 0) {
            fprintf(stderr, "loadgen: cannot start thread %d\n", i);
            free(w->buf);
            w->buf = NULL;
            break;
        }
        started++;
    }
    if (started < nworkers) {
        atomic_store(&stop_now, 1);
        status = 1;
    }

    stats *total = calloc(1, sizeof *total);
    for (int i = 0; i < started; i++) {
        pthread_join(workers[i].thread, NULL);
        if (total != NULL) {
            merge(total, &workers[i].st);
        }
        free(workers[i].buf);
    }
    double elapsed = now_s();
    if (total == NULL) {
        return 1;
    }

    if (acked_fp != NULL && fclose(acked_fp) != 0) {
        write_failed = 1;
    }
    if (imports_fp != NULL && fclose(imports_fp) != 0) {
        write_failed = 1;
    }
    if (opt.timeline_file != NULL && timeline_write(opt.timeline_file) != 0) {
        write_failed = 1;
    }

    long replies = 0, by_class[6] = {0};
    for (int s = 100; s < 600; s++) {
        replies += total->status[s];
        by_class[s / 100] += total->status[s];
    }
    printf("{\"run\":\"%s\",\"connections\":%d,\"elapsed_s\":%.2f,\"requests\":%ld,"
           "\"replies\":%ld,\"rps\":%.1f,\"reads\":%ld,\"writes\":%ld,\"writes_acked\":%ld,"
           "\"s2xx\":%ld,\"s3xx\":%ld,\"s4xx\":%ld,\"s5xx\":%ld,\"s503\":%ld,"
           "\"s503_no_retry_after\":%ld,\"resets\":%ld,\"resets_fresh\":%ld,"
           "\"timeouts\":%ld,\"refused\":%ld,\"connect_errors\":%ld,\"idle_closed\":%ld,"
           "\"server_closed\":%ld,\"connects\":%ld,\"protocol_errors\":%ld,"
           "\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.1f,\"max_ms_503\":%.1f,"
           "\"imports\":%ld,\"imports_ok\":%ld,\"import_rows_acked\":%ld,\"max_ms_import\":%.1f,"
           "\"statuses\":{",
           opt.run, opt.connections, elapsed, total->requests, replies,
           elapsed > 0 ? (double)replies / elapsed : 0.0, total->reads, total->writes,
           total->writes_acked, by_class[2], by_class[3], by_class[4], by_class[5],
           total->status[503], total->s503_no_retry_after, total->resets, total->resets_fresh,
           total->timeouts, total->refused, total->connect_errors, total->idle_closed,
           total->server_closed, total->connects, total->protocol_errors,
           percentile(total, replies, 0.50), percentile(total, replies, 0.99), total->max_ms,
           total->max_ms_503, total->imports, total->imports_ok, total->import_rows_acked,
           total->max_ms_import);
    int first = 1;
    for (int s = 100; s < 600; s++) {
        if (total->status[s] > 0) {
            printf("%s\"%d\":%ld", first ? "" : ",", s, total->status[s]);
            first = 0;
        }
    }
    printf("}}\n");
    fflush(stdout);
    free(total);
    free(workers);
    free(timeline);
    free(id_pool);
    if (write_failed) {
        fprintf(stderr, "loadgen: writing a result file failed\n");
        return 1;
    }
    return status;
}
