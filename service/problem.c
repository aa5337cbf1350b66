/* Problem rendering and the rc → status table. Logs nothing: callers log internals where
 * they happen; the client sees only the stable type, title and a safe detail. */
#include "service/problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "service/rc.h"

static const struct {
    int status;
    const char *slug;
    const char *title;
} problems[] = {
    [PROBLEM_MALFORMED_JSON] = {400, "malformed-json", "Malformed JSON"},
    [PROBLEM_MALFORMED_BODY] = {400, "malformed-body", "Malformed body"},
    [PROBLEM_INVALID_PARAMETER] = {400, "invalid-parameter", "Invalid parameter"},
    [PROBLEM_UNAUTHORIZED] = {401, "unauthorized", "Unauthorized"},
    [PROBLEM_FORBIDDEN] = {403, "forbidden", "Forbidden"},
    [PROBLEM_NOT_FOUND] = {404, "not-found", "Not found"},
    [PROBLEM_METHOD_NOT_ALLOWED] = {405, "method-not-allowed", "Method not allowed"},
    [PROBLEM_CONFLICT] = {409, "conflict", "Conflict"},
    [PROBLEM_PRECONDITION_FAILED] = {412, "precondition-failed", "Precondition failed"},
    [PROBLEM_PAYLOAD_TOO_LARGE] = {413, "payload-too-large", "Payload too large"},
    [PROBLEM_UNSUPPORTED_MEDIA_TYPE] = {415, "unsupported-media-type", "Unsupported media type"},
    [PROBLEM_VALIDATION_FAILED] = {422, "validation-failed", "Validation failed"},
    [PROBLEM_INTERNAL] = {500, "internal", "Internal error"},
    [PROBLEM_SERVICE_UNAVAILABLE] = {503, "service-unavailable", "Service unavailable"},
};

int problem_status(problem_kind kind) { return problems[kind].status; }

void problem_send(req_ctx *rc, problem_kind kind, const char *detail, json_t *j_errors)
{
    problem_send_ext(rc, kind, detail, j_errors, NULL);
}

void problem_send_ext(req_ctx *rc, problem_kind kind, const char *detail, json_t *j_errors,
                      json_t *j_extra)
{
    char type[96], instance[160];
    json_t *j_body = NULL;
    char *text = NULL;

    snprintf(type, sizeof type, "urn:isms:problem:%s", problems[kind].slug);
    snprintf(instance, sizeof instance, "urn:request:%s", rc->request_id);
    j_body = json_pack("{ss ss si ss? ss ss}", "type", type, "title", problems[kind].title, "status",
                       problems[kind].status, "detail", detail, "instance", instance,
                       "request_id", rc->request_id);
    if (j_body != NULL && j_extra != NULL) {
        json_object_update_missing(j_body, j_extra);
    }
    if (j_body != NULL && j_errors != NULL) {
        json_object_set(j_body, "errors", j_errors);
    }
    text = j_body ? json_dumps(j_body, JSON_COMPACT) : NULL;
    if (text != NULL) {
        ulfius_set_binary_body_response(rc->resp, (unsigned)problems[kind].status, text,
                                        strlen(text));
    } else {
        ulfius_set_string_body_response(rc->resp, 500, "{\"status\":500}");
    }
    u_map_put(rc->resp->map_header, "Content-Type", "application/problem+json");
    if (kind == PROBLEM_UNAUTHORIZED) {
        u_map_put(rc->resp->map_header, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
    if (kind == PROBLEM_SERVICE_UNAVAILABLE) {
        u_map_put(rc->resp->map_header, "Retry-After", "2");
    }
    free(text);
    json_decref(j_body);
    json_decref(j_errors);
    json_decref(j_extra);
}

void problem_from_rc(req_ctx *rc, int code, const char *what)
{
    char detail[160];
    switch (code) {
    case SVC_ENOTFOUND:
        snprintf(detail, sizeof detail, "no %s has this id", what);
        problem_send(rc, PROBLEM_NOT_FOUND, detail, NULL);
        return;
    case SVC_EPRECONDITION:
        snprintf(detail, sizeof detail, "the %s has changed since the version in If-Match",
                 what);
        problem_send(rc, PROBLEM_PRECONDITION_FAILED, detail, NULL);
        return;
    case SVC_EUNAVAILABLE:
    case SVC_ERETRY:
        problem_send(rc, PROBLEM_SERVICE_UNAVAILABLE,
                     "the database is unavailable; retry shortly", NULL);
        return;
    default:
        problem_send(rc, PROBLEM_INTERNAL, "the request could not be completed", NULL);
        return;
    }
}

static void errors_append(json_t *j_errors, size_t max, const char *field, const char *code,
                          const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void errors_append(json_t *j_errors, size_t max, const char *field, const char *code,
                          const char *fmt, va_list ap)
{
    char message[512];
    size_t listed = json_array_size(j_errors);

    if (listed > max) {
        return;
    }
    if (listed == max) {
        code = "too_many_errors";
        snprintf(message, sizeof message, "more errors were found; only the first %zu are listed",
                 max);
    } else {
        vsnprintf(message, sizeof message, fmt, ap);
    }
    json_t *j_err = json_pack("{ssssss}", "field", field, "code", code, "message", message);
    if (j_err == NULL) {
        /* Client text cut mid-character is not valid UTF-8: keep the error, drop the text. */
        char safe_field[256];
        size_t i = 0;
        for (; field[i] && i < sizeof safe_field - 1; i++) {
            safe_field[i] = (unsigned char)field[i] < 0x80 ? field[i] : '?';
        }
        safe_field[i] = '\0';
        j_err = json_pack("{ssssss}", "field", safe_field, "code", code, "message", code);
    }
    json_array_append_new(j_errors, j_err);
}

void errors_add(json_t *j_errors, const char *field, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    errors_append(j_errors, ERRORS_MAX, field, code, fmt, ap);
    va_end(ap);
}

void errors_add_max(json_t *j_errors, size_t max, const char *field, const char *code,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    errors_append(j_errors, max < ERRORS_MAX ? max : ERRORS_MAX, field, code, fmt, ap);
    va_end(ap);
}
