/* Routing is data: one table, matched segment by segment. Everything every request
 * needs happens here once, so handlers only parse, validate, call the db and render. */
#include "service/router.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "api/audit_events.h"
#include "api/import.h"
#include "api/measurements.h"
#include "api/objectives.h"
#include "api/ops.h"
#include "api/parse.h"
#include "api/plans.h"
#include "api/reports.h"
#include "api/reviews.h"
#include "api/risks.h"
#include "service/idempotency.h"
#include "service/log.h"
#include "service/metrics.h"
#include "service/problem.h"

static const route routes[] = {
    {"GET", "/healthz", NEED_NONE, api_ops_healthz, 0},
    {"GET", "/readyz", NEED_NONE, api_ops_readyz, 0},
    {"GET", "/metrics", NEED_NONE, api_ops_metrics, 0},
    {"GET", "/openapi.json", NEED_NONE, api_ops_openapi, 0},
    {"GET", "/docs", NEED_NONE, api_ops_docs, 0},
    {"GET", "/docs/redoc.standalone.js", NEED_NONE, api_ops_docs_script, 0},
    {"GET", "/v1/objectives", NEED_VIEWER, api_objectives_list, 0},
    {"POST", "/v1/objectives", NEED_EDITOR, api_objectives_create, 0},
    {"GET", "/v1/objectives/{id}", NEED_VIEWER, api_objectives_get, 0},
    {"PATCH", "/v1/objectives/{id}", NEED_EDITOR, api_objectives_update, 0},
    {"DELETE", "/v1/objectives/{id}", NEED_ADMIN, api_objectives_archive, 0},
    {"POST", "/v1/objectives/{id}/restore", NEED_ADMIN, api_objectives_restore, 0},
    {"GET", "/v1/objectives/{id}/progress", NEED_VIEWER, api_objectives_progress, 0},
    {"GET", "/v1/objectives/{id}/measurements", NEED_VIEWER, api_measurements_list, 0},
    {"POST", "/v1/objectives/{id}/measurements", NEED_EDITOR, api_measurements_create, 0},
    {"GET", "/v1/objectives/{id}/risks", NEED_VIEWER, api_links_risks_of_objective, 0},
    {"PUT", "/v1/objectives/{id}/risks/{risk_id}", NEED_EDITOR, api_links_put, 0},
    {"DELETE", "/v1/objectives/{id}/risks/{risk_id}", NEED_EDITOR, api_links_delete, 0},
    {"GET", "/v1/measurements/{id}", NEED_VIEWER, api_measurements_get, 0},
    {"PATCH", "/v1/measurements/{id}", NEED_EDITOR, api_measurements_update, 0},
    {"DELETE", "/v1/measurements/{id}", NEED_ADMIN, api_measurements_archive, 0},
    {"POST", "/v1/measurements/{id}/restore", NEED_ADMIN, api_measurements_restore, 0},
    {"GET", "/v1/plans", NEED_VIEWER, api_plans_list, 0},
    {"POST", "/v1/plans", NEED_EDITOR, api_plans_create, 0},
    {"GET", "/v1/plans/{id}", NEED_VIEWER, api_plans_get, 0},
    {"PATCH", "/v1/plans/{id}", NEED_EDITOR, api_plans_update, 0},
    {"DELETE", "/v1/plans/{id}", NEED_ADMIN, api_plans_archive, 0},
    {"POST", "/v1/plans/{id}/restore", NEED_ADMIN, api_plans_restore, 0},
    {"GET", "/v1/plans/{id}/actions", NEED_VIEWER, api_actions_list, 0},
    {"POST", "/v1/plans/{id}/actions", NEED_EDITOR, api_actions_create, 0},
    {"GET", "/v1/actions/{id}", NEED_VIEWER, api_actions_get, 0},
    {"PATCH", "/v1/actions/{id}", NEED_EDITOR, api_actions_update, 0},
    {"DELETE", "/v1/actions/{id}", NEED_ADMIN, api_actions_archive, 0},
    {"POST", "/v1/actions/{id}/restore", NEED_ADMIN, api_actions_restore, 0},
    {"GET", "/v1/risks", NEED_VIEWER, api_risks_list, 0},
    {"POST", "/v1/risks", NEED_EDITOR, api_risks_create, 0},
    {"GET", "/v1/risks/{id}", NEED_VIEWER, api_risks_get, 0},
    {"PATCH", "/v1/risks/{id}", NEED_EDITOR, api_risks_update, 0},
    {"DELETE", "/v1/risks/{id}", NEED_ADMIN, api_risks_archive, 0},
    {"POST", "/v1/risks/{id}/restore", NEED_ADMIN, api_risks_restore, 0},
    {"GET", "/v1/risks/{id}/objectives", NEED_VIEWER, api_links_objectives_of_risk, 0},
    {"GET", "/v1/reviews", NEED_VIEWER, api_reviews_list, 0},
    {"POST", "/v1/reviews", NEED_EDITOR, api_reviews_create, 0},
    {"GET", "/v1/reviews/{id}", NEED_VIEWER, api_reviews_get, 0},
    {"PATCH", "/v1/reviews/{id}", NEED_EDITOR, api_reviews_update, 0},
    {"DELETE", "/v1/reviews/{id}", NEED_ADMIN, api_reviews_archive, 0},
    {"POST", "/v1/reviews/{id}/restore", NEED_ADMIN, api_reviews_restore, 0},
    {"GET", "/v1/reviews/{id}/items", NEED_VIEWER, api_review_items_list, 0},
    {"POST", "/v1/reviews/{id}/items", NEED_EDITOR, api_review_items_create, 0},
    {"GET", "/v1/review-items/{id}", NEED_VIEWER, api_review_items_get, 0},
    {"PATCH", "/v1/review-items/{id}", NEED_EDITOR, api_review_items_update, 0},
    {"DELETE", "/v1/review-items/{id}", NEED_ADMIN, api_review_items_archive, 0},
    {"POST", "/v1/review-items/{id}/restore", NEED_ADMIN, api_review_items_restore, 0},
    {"GET", "/v1/audit-events", NEED_AUDITOR, api_audit_events_list, 0},
    {"POST", "/v1/import", NEED_EDITOR, api_import, 1},
    {"GET", "/v1/reports/objectives-summary", NEED_VIEWER, api_reports_objectives_summary, 0},
    {"GET", "/v1/reports/plans-summary", NEED_VIEWER, api_reports_plans_summary, 0},
    {"GET", "/v1/reports/risk-matrix", NEED_VIEWER, api_reports_risk_matrix, 0},
    {"GET", "/v1/reports/reviews-summary", NEED_VIEWER, api_reports_reviews_summary, 0},
    {"GET", "/v1/reports/compliance", NEED_VIEWER, api_reports_compliance, 0},
    {"GET", "/v1/reports/traceability", NEED_VIEWER, api_reports_traceability, 0},
    {"GET", "/v1/reports/overdue", NEED_VIEWER, api_reports_overdue, 0},
    {"GET", "/v1/reports/register", NEED_VIEWER, api_reports_register, 0},
};
#define NROUTES (sizeof routes / sizeof routes[0])

static atomic_int draining;

const route *router_routes(size_t *count)
{
    *count = NROUTES;
    return routes;
}

void router_set_draining(void) { atomic_store(&draining, 1); }

/* Matches @p path against @p pattern, capturing "{x}" segments into rc->path_params. */
static int route_matches(const char *pattern, const char *path, req_ctx *rc)
{
    int nparams = 0;
    char *out = rc->path_buf;
    size_t room = sizeof rc->path_buf;

    while (*pattern && *path) {
        if (*pattern != '/' || *path != '/') {
            return 0;
        }
        pattern++;
        path++;
        size_t plen = strcspn(pattern, "/"), slen = strcspn(path, "/");
        if (pattern[0] == '{') {
            if (slen == 0 || slen + 1 > room || nparams == PATH_PARAMS_MAX) {
                return 0;
            }
            memcpy(out, path, slen);
            out[slen] = '\0';
            rc->path_params[nparams++] = out;
            out += slen + 1;
            room -= slen + 1;
        } else if (plen != slen || strncmp(pattern, path, plen) != 0) {
            return 0;
        }
        pattern += plen;
        path += slen;
    }
    return *pattern == '\0' && *path == '\0';
}

/* Finds the route; on a path match with another method, fills @p allow instead. */
static const route *route_find(const char *method, const char *path, req_ctx *rc, char *allow,
                               size_t cap)
{
    allow[0] = '\0';
    for (size_t i = 0; i < NROUTES; i++) {
        if (!route_matches(routes[i].pattern, path, rc)) {
            continue;
        }
        if (strcmp(routes[i].method, method) == 0) {
            return &routes[i];
        }
        size_t len = strlen(allow);
        snprintf(allow + len, cap - len, "%s%s", len ? ", " : "", routes[i].method);
    }
    return NULL;
}

static int request_id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > REQUEST_ID_MAX) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

static void request_id_assign(req_ctx *rc)
{
    const char *given = u_map_get_case(rc->req->map_header, "X-Request-Id");
    unsigned char raw[16];

    if (request_id_valid(given)) {
        snprintf(rc->request_id, sizeof rc->request_id, "%s", given);
        return;
    }
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        static atomic_ulong fallback;
        unsigned long n = atomic_fetch_add(&fallback, 1);
        memset(raw, 0, sizeof raw);
        memcpy(raw, &n, sizeof n);
    }
    for (size_t i = 0; i < sizeof raw; i++) {
        snprintf(rc->request_id + 2 * i, 3, "%02x", raw[i]);
    }
}

/* CORS: the listed origins get the headers; returns 1 when this was a preflight. */
static int cors_apply(req_ctx *rc)
{
    const char *origin = u_map_get_case(rc->req->map_header, "Origin");
    int preflight = strcmp(rc->req->http_verb, "OPTIONS") == 0 &&
                    u_map_get_case(rc->req->map_header, "Access-Control-Request-Method");

    if (config_origin_allowed(rc->app->cfg, origin)) {
        struct _u_map *h = rc->resp->map_header;
        u_map_put(h, "Access-Control-Allow-Origin", origin);
        u_map_put(h, "Vary", "Origin");
        u_map_put(h, "Access-Control-Expose-Headers",
                  "ETag, Location, Link, X-Request-Id, Retry-After, WWW-Authenticate, "
                  "Idempotent-Replayed");
        if (preflight) {
            u_map_put(h, "Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
            u_map_put(h, "Access-Control-Allow-Headers",
                      "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, "
                      "X-Request-Id, Accept");
            u_map_put(h, "Access-Control-Max-Age", "600");
        }
    }
    if (preflight) {
        ulfius_set_empty_body_response(rc->resp, 204);
    }
    return preflight;
}

static size_t route_body_limit(const app_ctx *app, const route *rt)
{
    return rt != NULL && rt->bulk ? app->cfg->import_max_bytes : app->cfg->max_body_bytes;
}

/* The route @p req goes to, or NULL; path parameters land in a scratch context. */
static const route *route_of(const struct _u_request *req)
{
    req_ctx scratch;
    char allow[128];
    return route_find(req->http_verb, req->url_path, &scratch, allow, sizeof allow);
}

size_t router_body_limit(const app_ctx *app, const struct _u_request *req)
{
    return route_body_limit(app, route_of(req));
}

static int body_over(const struct _u_request *req, size_t limit)
{
    const char *declared = u_map_get_case(req->map_header, "Content-Length");
    if (declared != NULL) {
        char *end = NULL;
        unsigned long long n = strtoull(declared, &end, 10);
        if (end != declared && n > limit) {
            return 1;
        }
    }
    /* A body without a declared length is kept up to one byte past the limit. */
    return req->binary_body_length > limit;
}

int router_body_too_large(const app_ctx *app, const struct _u_request *req)
{
    return body_over(req, router_body_limit(app, req));
}

/* Query parameters must be named, UTF-8 text. */
static int query_is_text(const req_ctx *rc)
{
    const char *q = strchr(rc->req->http_url, '?');
    const char **keys = u_map_enum_keys(rc->req->map_url);
    if (q != NULL && (strstr(q, "%00") != NULL || q[1] == '=' || strstr(q, "&=") != NULL)) {
        return 0; /* a NUL that would cut a value short unseen, or a nameless parameter */
    }
    for (size_t i = 0; keys != NULL && keys[i] != NULL; i++) {
        const char *v = u_map_get(rc->req->map_url, keys[i]);
        if (keys[i][0] == '\0' || !utf8_valid(keys[i], strlen(keys[i])) ||
            (v != NULL && !utf8_valid(v, strlen(v)))) {
            return 0;
        }
    }
    return 1;
}

static int authorize(req_ctx *rc, const route *rt)
{
    const char *reason = NULL;
    const char *header = u_map_get_case(rc->req->map_header, "Authorization");

    if (auth_verify(rc->app->cfg, header, time(NULL), &rc->who, &reason) != 0) {
        problem_send(rc, PROBLEM_UNAUTHORIZED, reason, NULL);
        return -1;
    }
    log_set_request_id(rc->request_id);
    if ((rc->who.roles & rt->need) == 0) {
        problem_send(rc, PROBLEM_FORBIDDEN, "your roles do not allow this operation", NULL);
        return -1;
    }
    return 0;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void log_request(const req_ctx *rc, const route *rt, double seconds)
{
    json_t *j_line = json_pack("{sssssssisfss*}", "msg", "request", "method",
                               rc->req->http_verb, "route", rt ? rt->pattern : "unmatched",
                               "status", (int)rc->resp->status, "duration_ms", seconds * 1000.0,
                               "actor", rc->who.sub[0] ? rc->who.sub : NULL);
    if (j_line != NULL) {
        /* The raw path may hold anything a client sent: only add it when it is valid text. */
        json_t *j_path = json_string(rc->req->url_path);
        if (j_path != NULL) {
            json_object_set_new(j_line, "path", j_path);
        }
        log_json(LOG_INFO, j_line);
    }
    json_decref(j_line);
}

static const char *method_label(const char *verb)
{
    static const char *const known[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(verb, known[i]) == 0) {
            return known[i];
        }
    }
    return "OTHER";
}

int router_dispatch(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    req_ctx rc;
    const route *rt = NULL;
    char allow[128];
    struct timespec start;
    idem_claim claim = {0};

    clock_gettime(CLOCK_MONOTONIC, &start);
    memset(&rc, 0, sizeof rc);
    rc.app = user_data;
    rc.req = req;
    rc.resp = resp;
    request_id_assign(&rc);
    log_set_request_id(rc.request_id);
    u_map_put(resp->map_header, "X-Request-Id", rc.request_id);
    if (atomic_load(&draining)) {
        u_map_put(resp->map_header, "Connection", "close");
    }

    if (cors_apply(&rc)) {
        goto out;
    }
    rt = route_find(req->http_verb, req->url_path, &rc, allow, sizeof allow);
    if (rt == NULL) {
        if (allow[0] != '\0') {
            u_map_put(resp->map_header, "Allow", allow);
            problem_send(&rc, PROBLEM_METHOD_NOT_ALLOWED, "this path does not support the method",
                         NULL);
        } else {
            problem_send(&rc, PROBLEM_NOT_FOUND, "no resource at this path", NULL);
        }
        goto out;
    }
    if (!query_is_text(&rc)) {
        json_t *j_errors = json_array();
        errors_add(j_errors, "", "format", "query parameters must be UTF-8 text without NUL");
        problem_send(&rc, PROBLEM_INVALID_PARAMETER, "the query string is not valid text",
                     j_errors);
        goto out;
    }
    if (body_over(req, route_body_limit(rc.app, rt))) {
        problem_send(&rc, PROBLEM_PAYLOAD_TOO_LARGE, "the request body exceeds the size limit",
                     NULL);
        goto out;
    }
    if (rt->need != NEED_NONE && authorize(&rc, rt) != 0) {
        goto out;
    }
    if (strcmp(rt->method, "POST") == 0 && idem_begin(&rc, &claim)) {
        goto out;
    }
    rt->handler(&rc);
    idem_finish(&rc, &claim);
out: {
    double seconds = seconds_since(&start);
    log_request(&rc, rt, seconds);
    metrics_observe(rt ? rt->pattern : "unmatched", method_label(req->http_verb),
                    (int)resp->status, seconds);
    log_set_request_id(NULL);
}
    return U_CALLBACK_COMPLETE;
}
