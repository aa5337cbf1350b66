/* Prometheus counters and latency histograms, kept in memory per process. */
#ifndef SVC_METRICS_H
#define SVC_METRICS_H

#include "db/pool.h"

/**
 * Counts one request. @p route and @p method must be static strings (route table
 * entries or literals): they are kept by pointer.
 */
void metrics_observe(const char *route, const char *method, int status, double seconds);

/** Renders the exposition text (caller frees with free()). */
char *metrics_render(db_pool *pool);

#endif
