/* Integration test harness: starts the real service binary against the PostgreSQL in
 * DATABASE_URL, mints tokens, and wraps the HTTP client for the common cases. */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

#include <sys/types.h>

#include "support/http.h"

#define TEST_JWT_SECRET "integration-test-secret-0123456789abcdef"
#define TEST_CORS_ORIGIN "https://app.example"

typedef struct service_proc {
    pid_t pid;
    int port;
    char log_path[512];
} service_proc;

/** DATABASE_URL, or NULL when unset (the suite then exits 77). */
const char *harness_database_url(void);

/** A free TCP port on 127.0.0.1. */
int harness_free_port(void);

/**
 * Starts the service with the test environment plus @p extra_env ("NAME=value" entries,
 * NULL-terminated, may be NULL; they override), and waits for /healthz when @p wait.
 * @return 0, or -1 (the process did not come up)
 */
int harness_spawn(service_proc *out, const char *const *extra_env, int wait);

/** Sends @p sig and waits; returns the exit status (or 128+signal). */
int harness_stop(service_proc *p, int sig);

/** Starts the shared instance the suites talk to. */
int harness_start(void);
/** Stops it with SIGTERM; returns its exit status (0 when it stopped cleanly). */
int harness_finish(void);

/** A token for subject @p sub with comma-separated @p roles, valid for an hour. */
char *harness_token(const char *sub, const char *roles);

/** A string unique to this run and call, prefixed by @p prefix (static buffer per call). */
const char *harness_unique(const char *prefix, char *buf, size_t cap);

/**
 * Sends a JSON request as subject @p role holding that one role ("viewer", "editor",
 * "auditor", "admin"; NULL: no token). Extra header lines may follow (NULL-terminated).
 */
int api_call(http_response *out, const char *method, const char *path, const char *role,
             const char *body, const char *const *extra_headers);

/** printf-style path helper. */
const char *fmt_path(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
