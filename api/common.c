/* Request and reply plumbing shared by the resource handlers. */
#include "api/common.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/parse.h"
#include "service/problem.h"

/* Media type without parameters, compared case-insensitively (RFC 9110). */
static int media_type_is(const char *header, const char *want)
{
    size_t n = strlen(want);
    if (header == NULL || strncasecmp(header, want, n) != 0) {
        return 0;
    }
    header += n;
    while (*header == ' ') {
        header++;
    }
    return *header == '\0' || *header == ';';
}

int api_read_object_or_problem(req_ctx *rc, int merge_patch, json_t **out)
{
    const char *type = u_map_get_case(rc->req->map_header, "Content-Type");
    json_error_t err;
    json_t *j_body;

    *out = NULL;
    if (!media_type_is(type, "application/json") &&
        !(merge_patch && media_type_is(type, "application/merge-patch+json"))) {
        problem_send(rc, PROBLEM_UNSUPPORTED_MEDIA_TYPE,
                     merge_patch ? "send application/merge-patch+json or application/json"
                                 : "send application/json",
                     NULL);
        return -1;
    }
    /* Any JSON value parses here, so a well-formed non-object gets 422, not 400. */
    j_body = json_loadb(rc->req->binary_body, rc->req->binary_body_length,
                        JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (j_body == NULL) {
        char detail[256];
        snprintf(detail, sizeof detail, "the body is not valid JSON: %s at line %d column %d",
                 err.text, err.line, err.column);
        /* jansson's text may quote the offending bytes; keep the reply valid UTF-8. */
        for (char *p = detail; *p; p++) {
            if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20) {
                *p = '?';
            }
        }
        problem_send(rc, PROBLEM_MALFORMED_JSON, detail, NULL);
        return -1;
    }
    if (!json_is_object(j_body)) {
        json_t *j_errors = json_array();
        errors_add(j_errors, "", "type", "the body must be a JSON object");
        problem_send(rc, PROBLEM_VALIDATION_FAILED, "the body must be a JSON object", j_errors);
        json_decref(j_body);
        return -1;
    }
    *out = j_body;
    return 0;
}

void api_bad_parameter(req_ctx *rc, const char *name, const char *code, const char *message)
{
    char detail[256];
    json_t *j_errors = json_array();
    errors_add(j_errors, name, code, "%s", message);
    snprintf(detail, sizeof detail, "query parameter %.64s %s", name, message);
    problem_send(rc, PROBLEM_INVALID_PARAMETER, detail, j_errors);
}

int api_path_uuid_or_problem(req_ctx *rc, int index, char out[37])
{
    json_t *j_errors;
    if (parse_uuid(rc->path_params[index], out)) {
        return 0;
    }
    j_errors = json_array();
    errors_add(j_errors, index == 0 ? "id" : "risk_id", "format", "must be a UUID");
    problem_send(rc, PROBLEM_INVALID_PARAMETER, "the id in the path is not a UUID", j_errors);
    return -1;
}

const char *api_query(const req_ctx *rc, const char *name)
{
    return u_map_get(rc->req->map_url, name);
}

int api_query_known_or_problem(req_ctx *rc, const char *const *allowed)
{
    const char **keys = u_map_enum_keys(rc->req->map_url);
    for (size_t i = 0; keys != NULL && keys[i] != NULL; i++) {
        int known = 0;
        for (size_t k = 0; allowed[k] != NULL; k++) {
            known |= strcmp(keys[i], allowed[k]) == 0;
        }
        if (!known) {
            char name[80];
            snprintf(name, sizeof name, "%.64s", keys[i]);
            for (char *p = name; *p; p++) {
                if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20) {
                    *p = '?';
                }
            }
            api_bad_parameter(rc, name, "unknown_field", "is not a parameter of this operation");
            return -1;
        }
    }
    return 0;
}

void api_reply_json(req_ctx *rc, int status, const char *json, size_t len)
{
    ulfius_set_binary_body_response(rc->resp, (unsigned)status, json, len);
    u_map_put(rc->resp->map_header, "Content-Type", "application/json");
}

void api_set_etag(req_ctx *rc, int version)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"%d\"", version);
    u_map_put(rc->resp->map_header, "ETag", etag);
}

void api_reply_doc(req_ctx *rc, int status, const db_doc *doc)
{
    api_set_etag(rc, doc->version);
    api_reply_json(rc, status, doc->json, strlen(doc->json));
}

/* Whether the entity-tag list @p header names @p version; weak tags match only if @p weak. */
static int etag_list_matches(const char *header, int version, int weak)
{
    char want[32];
    const char *p = header;
    size_t n;

    snprintf(want, sizeof want, "\"%d\"", version);
    n = strlen(want);
    while (*p) {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        if (*p == '*') {
            return 1;
        }
        int is_weak = strncmp(p, "W/", 2) == 0;
        const char *tag = is_weak ? p + 2 : p;
        if ((weak || !is_weak) && strncmp(tag, want, n) == 0 &&
            (tag[n] == '\0' || tag[n] == ',' || tag[n] == ' ')) {
            return 1;
        }
        while (*p && *p != ',') {
            p++;
        }
    }
    return 0;
}

int api_if_match(const req_ctx *rc, int version)
{
    const char *h = u_map_get_case(rc->req->map_header, "If-Match");
    return h == NULL || etag_list_matches(h, version, 0);
}

int api_if_none_match(const req_ctx *rc, int version)
{
    const char *h = u_map_get_case(rc->req->map_header, "If-None-Match");
    return h != NULL && etag_list_matches(h, version, 1);
}

void api_utc_date(char out[11], int days)
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}
