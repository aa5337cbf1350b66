/* Configuration from the environment: parsed once at start, read-only afterwards. */
#ifndef SVC_CONFIG_H
#define SVC_CONFIG_H

#include <stddef.h>

#include <jwt.h>

typedef struct svc_config {
    char *database_url;      /* NULL only for subcommands that need no database */
    int port;
    char *bind_address;
    jwt_alg_t jwt_alg;
    unsigned char *jwt_key;  /* HMAC secret or public key PEM */
    size_t jwt_key_len;
    long jwt_leeway_seconds;
    char *jwt_issuer;        /* NULL: not checked */
    char *jwt_audience;      /* NULL: not checked */
    char *jwt_roles_claim;
    int db_pool_size;
    int db_acquire_timeout_ms;
    int http_threads;        /* 0: a thread per connection; N: an epoll pool of N threads */
    int max_connections;
    int idle_timeout_seconds;
    size_t max_body_bytes;
    size_t import_max_bytes;
    size_t import_max_rows;
    long idempotency_ttl_seconds;
    char **cors_origins;     /* NULL-terminated */
    int log_level;
    int shutdown_grace_seconds;
} svc_config;

/** Looks a variable up; returns NULL when unset. */
typedef const char *(*config_lookup_fn)(const char *name, void *ud);

/**
 * Fills @p out from the variables @p lookup gives. Every bad variable is reported, in one
 * line, in @p error_out (caller frees with free()).
 * @return 0, or -1 with *error_out set; @p out is then cleared.
 */
int config_load(svc_config *out, config_lookup_fn lookup, void *ud, char **error_out);

/** Lookup in the process environment (ud unused). */
const char *config_getenv(const char *name, void *ud);

/** Releases what config_load allocated. */
void config_clear(svc_config *cfg);

/** True when @p origin is listed in CORS_ALLOWED_ORIGINS. */
int config_origin_allowed(const svc_config *cfg, const char *origin);

#endif
