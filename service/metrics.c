/* Request counters by route, method and status; a latency histogram by route; pool use.
 * One mutex: an observation costs far less than the database work of a request. */
#include "service/metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SERIES 512
#define MAX_ROUTES 128

static const double bucket_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                       0.1,   0.25,   0.5,   1,    2.5,   5};
#define NBUCKETS (sizeof bucket_bounds / sizeof bucket_bounds[0])

typedef struct series {
    const char *route, *method;
    int status;
    unsigned long count;
} series;

typedef struct histogram {
    const char *route, *method;
    unsigned long buckets[NBUCKETS];
    unsigned long count;
    double sum;
} histogram;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static series counters[MAX_SERIES];
static int ncounters;
static histogram histograms[MAX_ROUTES];
static int nhistograms;
static unsigned long dropped;

void metrics_observe(const char *route, const char *method, int status, double seconds)
{
    series *s = NULL;
    histogram *h = NULL;

    pthread_mutex_lock(&lock);
    for (int i = 0; i < ncounters && s == NULL; i++) {
        if (counters[i].route == route && counters[i].method == method &&
            counters[i].status == status) {
            s = &counters[i];
        }
    }
    if (s == NULL && ncounters < MAX_SERIES) {
        s = &counters[ncounters++];
        *s = (series){route, method, status, 0};
    }
    for (int i = 0; i < nhistograms && h == NULL; i++) {
        if (histograms[i].route == route && histograms[i].method == method) {
            h = &histograms[i];
        }
    }
    if (h == NULL && nhistograms < MAX_ROUTES) {
        h = &histograms[nhistograms++];
        memset(h, 0, sizeof *h);
        h->route = route;
        h->method = method;
    }
    if (s != NULL) {
        s->count++;
    } else {
        dropped++;
    }
    if (h != NULL) {
        for (size_t b = 0; b < NBUCKETS; b++) {
            h->buckets[b] += seconds <= bucket_bounds[b];
        }
        h->count++;
        h->sum += seconds;
    }
    pthread_mutex_unlock(&lock);
}

typedef struct text {
    char *buf;
    size_t len, cap;
} text;

static void text_add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_add(text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            return;
        }
        if (t->buf != NULL && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 8192;
        while (cap < t->len + (size_t)n + 1) {
            cap *= 2;
        }
        char *grown = realloc(t->buf, cap);
        if (grown == NULL) {
            return;
        }
        t->buf = grown;
        t->cap = cap;
    }
}

char *metrics_render(db_pool *pool)
{
    text t = {0};
    int size = 0, in_use = 0;
    long timeouts = 0;

    pthread_mutex_lock(&lock);
    text_add(&t, "# HELP http_requests_total Requests answered, by route, method and status.\n"
                 "# TYPE http_requests_total counter\n");
    for (int i = 0; i < ncounters; i++) {
        text_add(&t, "http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %lu\n",
                 counters[i].route, counters[i].method, counters[i].status, counters[i].count);
    }
    text_add(&t, "# HELP http_request_duration_seconds Time to produce a reply.\n"
                 "# TYPE http_request_duration_seconds histogram\n");
    for (int i = 0; i < nhistograms; i++) {
        const histogram *h = &histograms[i];
        for (size_t b = 0; b < NBUCKETS; b++) {
            text_add(&t,
                     "http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%g\"}"
                     " %lu\n",
                     h->route, h->method, bucket_bounds[b], h->buckets[b]);
        }
        text_add(&t,
                 "http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"+Inf\"}"
                 " %lu\n",
                 h->route, h->method, h->count);
        text_add(&t, "http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n",
                 h->route, h->method, h->sum);
        text_add(&t, "http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %lu\n",
                 h->route, h->method, h->count);
    }
    text_add(&t, "# HELP metrics_series_dropped_total Observations beyond the series limit.\n"
                 "# TYPE metrics_series_dropped_total counter\nmetrics_series_dropped_total %lu\n",
             dropped);
    pthread_mutex_unlock(&lock);
    if (pool != NULL) {
        db_pool_stats(pool, &size, &in_use, &timeouts);
    }
    text_add(&t,
             "# HELP db_pool_connections Database connections by state.\n"
             "# TYPE db_pool_connections gauge\n"
             "db_pool_connections{state=\"in_use\"} %d\n"
             "db_pool_connections{state=\"idle\"} %d\n"
             "# HELP db_pool_wait_timeouts_total Checkouts that found no free connection in time.\n"
             "# TYPE db_pool_wait_timeouts_total counter\n"
             "db_pool_wait_timeouts_total %ld\n",
             in_use, size - in_use, timeouts);
    return t.buf;
}
