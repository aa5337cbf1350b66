/* Environment → svc_config. Owns parsing and range checks; knows nothing of the
 * process around it (main.c prints the error and exits). */
#include "service/config.h"
#include "service/log.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct problems {
    char buf[2048];
    size_t len;
} problems;

static void config_complain(problems *p, const char *fmt, ...)
{
    va_list ap;
    if (p->len > 0 && p->len < sizeof p->buf - 2) {
        p->len += (size_t)snprintf(p->buf + p->len, sizeof p->buf - p->len, "; ");
    }
    if (p->len >= sizeof p->buf) {
        return;
    }
    va_start(ap, fmt);
    int n = vsnprintf(p->buf + p->len, sizeof p->buf - p->len, fmt, ap);
    va_end(ap);
    if (n > 0) {
        p->len += (size_t)n;
        if (p->len > sizeof p->buf - 1) {
            p->len = sizeof p->buf - 1;
        }
    }
}

const char *config_getenv(const char *name, void *ud)
{
    (void)ud;
    return getenv(name);
}

/* Parses a decimal integer in [min, max]; an unset or empty variable keeps *out. */
static void config_long(problems *p, config_lookup_fn lookup, void *ud, const char *name,
                        long min, long max, long *out)
{
    const char *v = lookup(name, ud);
    char *end = NULL;
    long n;

    if (v == NULL || *v == '\0') {
        return;
    }
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || !(isdigit((unsigned char)v[0]) || v[0] == '-') || *end != '\0' ||
        n < min || n > max) {
        /* Quote the value printable only: the message must stay one line. */
        char shown[41];
        size_t i = 0;
        for (; v[i] && i < sizeof shown - 1; i++) {
            shown[i] = isprint((unsigned char)v[i]) ? v[i] : '?';
        }
        shown[i] = '\0';
        config_complain(p, "%s must be an integer from %ld to %ld (got \"%s\")", name, min, max,
                        shown);
        return;
    }
    *out = n;
}

static void config_int(problems *p, config_lookup_fn lookup, void *ud, const char *name,
                       long min, long max, int *out)
{
    long n = *out;
    config_long(p, lookup, ud, name, min, max, &n);
    *out = (int)n;
}

static void config_size(problems *p, config_lookup_fn lookup, void *ud, const char *name,
                        long min, long max, size_t *out)
{
    long n = (long)*out;
    config_long(p, lookup, ud, name, min, max, &n);
    *out = (size_t)n;
}

static char *config_string(config_lookup_fn lookup, void *ud, const char *name, const char *dflt)
{
    const char *v = lookup(name, ud);
    if (v == NULL || *v == '\0') {
        return dflt ? strdup(dflt) : NULL;
    }
    return strdup(v);
}

static int read_file(const char *path, unsigned char **out, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, len = 0;

    if (f == NULL) {
        return -1;
    }
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            unsigned char *grown = realloc(buf, cap);
            if (grown == NULL || cap > 1024 * 1024) {
                free(grown ? grown : buf);
                fclose(f);
                return -1;
            }
            buf = grown;
        }
        size_t n = fread(buf + len, 1, 4096, f);
        len += n;
        if (n < 4096) {
            break;
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed || len == 0) {
        free(buf);
        return -1;
    }
    buf[len] = '\0';
    *out = buf;
    *len_out = len;
    return 0;
}

static void config_jwt(problems *p, config_lookup_fn lookup, void *ud, svc_config *cfg)
{
    const char *alg = lookup("JWT_ALG", ud);
    static const struct {
        const char *name;
        jwt_alg_t alg;
    } algs[] = {{"HS256", JWT_ALG_HS256}, {"HS384", JWT_ALG_HS384}, {"HS512", JWT_ALG_HS512},
                {"RS256", JWT_ALG_RS256}, {"ES256", JWT_ALG_ES256}};

    cfg->jwt_alg = JWT_ALG_HS256;
    if (alg != NULL && *alg != '\0') {
        cfg->jwt_alg = JWT_ALG_INVAL;
        for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
            if (strcmp(alg, algs[i].name) == 0) {
                cfg->jwt_alg = algs[i].alg;
            }
        }
        if (cfg->jwt_alg == JWT_ALG_INVAL) {
            config_complain(p, "JWT_ALG must be one of HS256, HS384, HS512, RS256, ES256");
            return;
        }
    }
    if (cfg->jwt_alg == JWT_ALG_RS256 || cfg->jwt_alg == JWT_ALG_ES256) {
        const char *path = lookup("JWT_PUBLIC_KEY_FILE", ud);
        if (path == NULL || *path == '\0') {
            config_complain(p, "JWT_PUBLIC_KEY_FILE is required with JWT_ALG=%s", alg);
        } else if (read_file(path, &cfg->jwt_key, &cfg->jwt_key_len) != 0) {
            config_complain(p, "JWT_PUBLIC_KEY_FILE \"%.200s\" cannot be read", path);
        } else if (strstr((const char *)cfg->jwt_key, "-----BEGIN") == NULL) {
            config_complain(p, "JWT_PUBLIC_KEY_FILE \"%.200s\" is not a PEM key", path);
        }
        return;
    }
    const char *secret = lookup("JWT_SECRET", ud);
    if (secret == NULL || strlen(secret) < 32) {
        config_complain(p, "JWT_SECRET must be set to at least 32 bytes for JWT_ALG=%s",
                        alg && *alg ? alg : "HS256");
        return;
    }
    cfg->jwt_key = (unsigned char *)strdup(secret);
    cfg->jwt_key_len = strlen(secret);
}

static void config_cors(svc_config *cfg, config_lookup_fn lookup, void *ud)
{
    const char *v = lookup("CORS_ALLOWED_ORIGINS", ud);
    size_t n = 0;
    char *copy, *save = NULL;

    cfg->cors_origins = calloc(1, sizeof(char *));
    if (v == NULL || *v == '\0' || cfg->cors_origins == NULL) {
        return;
    }
    copy = strdup(v);
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') {
            tok++;
        }
        size_t len = strlen(tok);
        while (len > 0 && tok[len - 1] == ' ') {
            tok[--len] = '\0';
        }
        if (len == 0) {
            continue;
        }
        char **grown = realloc(cfg->cors_origins, (n + 2) * sizeof(char *));
        if (grown == NULL) {
            break;
        }
        cfg->cors_origins = grown;
        cfg->cors_origins[n++] = strdup(tok);
        cfg->cors_origins[n] = NULL;
    }
    free(copy);
}

int config_load(svc_config *cfg, config_lookup_fn lookup, void *ud, char **error_out)
{
    problems p = {.len = 0};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const char *level;

    memset(cfg, 0, sizeof *cfg);
    cores = cores < 1 ? 1 : cores;
    cfg->port = 8080;
    cfg->db_pool_size = (int)(cores * 2 < 4 ? 4 : cores * 2);
    cfg->db_acquire_timeout_ms = 5000;
    cfg->http_threads = 0;
    cfg->max_connections = 4096;
    cfg->idle_timeout_seconds = 60;
    cfg->max_body_bytes = 1024 * 1024;
    cfg->import_max_bytes = 64 * 1024 * 1024;
    cfg->import_max_rows = 100000;
    cfg->idempotency_ttl_seconds = 86400;
    cfg->jwt_leeway_seconds = 60;
    cfg->log_level = 1;
    cfg->shutdown_grace_seconds = 30;

    cfg->database_url = config_string(lookup, ud, "DATABASE_URL", NULL);
    cfg->bind_address = config_string(lookup, ud, "BIND_ADDRESS", "127.0.0.1");
    cfg->jwt_issuer = config_string(lookup, ud, "JWT_ISSUER", NULL);
    cfg->jwt_audience = config_string(lookup, ud, "JWT_AUDIENCE", NULL);
    cfg->jwt_roles_claim = config_string(lookup, ud, "JWT_ROLES_CLAIM", "roles");
    config_int(&p, lookup, ud, "PORT", 1, 65535, &cfg->port);
    config_int(&p, lookup, ud, "DB_POOL_SIZE", 1, 512, &cfg->db_pool_size);
    config_int(&p, lookup, ud, "DB_ACQUIRE_TIMEOUT_MS", 10, 600000, &cfg->db_acquire_timeout_ms);
    config_int(&p, lookup, ud, "HTTP_THREADS", 0, 1024, &cfg->http_threads);
    config_int(&p, lookup, ud, "MAX_CONNECTIONS", 16, 65536, &cfg->max_connections);
    config_int(&p, lookup, ud, "HTTP_IDLE_TIMEOUT_SECONDS", 1, 3600, &cfg->idle_timeout_seconds);
    config_size(&p, lookup, ud, "MAX_BODY_BYTES", 1024, 1L << 30, &cfg->max_body_bytes);
    config_size(&p, lookup, ud, "IMPORT_MAX_BYTES", 1024, 1L << 32, &cfg->import_max_bytes);
    config_size(&p, lookup, ud, "IMPORT_MAX_ROWS", 1, 10000000, &cfg->import_max_rows);
    config_long(&p, lookup, ud, "IDEMPOTENCY_TTL_SECONDS", 1, 365L * 86400,
                &cfg->idempotency_ttl_seconds);
    config_long(&p, lookup, ud, "JWT_LEEWAY_SECONDS", 0, 3600, &cfg->jwt_leeway_seconds);
    config_int(&p, lookup, ud, "SHUTDOWN_GRACE_SECONDS", 0, 3600, &cfg->shutdown_grace_seconds);
    level = lookup("LOG_LEVEL", ud);
    if (level != NULL && *level != '\0') {
        cfg->log_level = log_level_parse(level);
        if (cfg->log_level < 0) {
            config_complain(&p, "LOG_LEVEL must be one of debug, info, warn, error");
        }
    }
    config_jwt(&p, lookup, ud, cfg);
    config_cors(cfg, lookup, ud);

    if (p.len > 0) {
        *error_out = strdup(p.buf);
        config_clear(cfg);
        return -1;
    }
    return 0;
}

void config_clear(svc_config *cfg)
{
    free(cfg->database_url);
    free(cfg->bind_address);
    free(cfg->jwt_key);
    free(cfg->jwt_issuer);
    free(cfg->jwt_audience);
    free(cfg->jwt_roles_claim);
    if (cfg->cors_origins != NULL) {
        for (char **o = cfg->cors_origins; *o; o++) {
            free(*o);
        }
        free(cfg->cors_origins);
    }
    memset(cfg, 0, sizeof *cfg);
}

int config_origin_allowed(const svc_config *cfg, const char *origin)
{
    if (origin == NULL || cfg->cors_origins == NULL) {
        return 0;
    }
    for (char **o = cfg->cors_origins; *o; o++) {
        if (strcmp(*o, origin) == 0 || strcmp(*o, "*") == 0) {
            return 1;
        }
    }
    return 0;
}
