/* List parameters (limit, cursor, sort, include_archived, filters) and the page reply,
 * shared by every collection. The cursor names the sort it was made for, and each key
 * value is checked against its kind before it reaches SQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/parse.h"
#include "api/resource.h"
#include "api/validate.h"

#define LIMIT_DEFAULT 50
#define LIMIT_MAX 200

static char *scratch_keep(list_scratch *s, char *owned)
{
    if (owned != NULL && s->nowned < (int)(sizeof s->owned / sizeof s->owned[0])) {
        s->owned[s->nowned++] = owned;
        return owned;
    }
    free(owned);
    return NULL;
}

void list_scratch_clear(list_scratch *s)
{
    for (int i = 0; i < s->nowned; i++) {
        free(s->owned[i]);
    }
    s->nowned = 0;
}

static int parse_sort(req_ctx *rc, const db_resource *r, db_list_query *q, list_scratch *s)
{
    const char *sort = api_query(rc, "sort");
    char copy[256];
    char *save = NULL;

    q->nsort = 0;
    if (sort == NULL) {
        q->sort_index[0] = 0;
        q->sort_desc[0] = r->newest_first;
        q->nsort = 1;
        snprintf(s->sort_text, sizeof s->sort_text, "%s%s", r->newest_first ? "-" : "",
                 r->sort_keys[0].name);
        return 0;
    }
    if (strlen(sort) >= sizeof copy) {
        api_bad_parameter(rc, "sort", "length", "is too long");
        return -1;
    }
    snprintf(copy, sizeof copy, "%s", sort);
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int desc = tok[0] == '-';
        int found = -1;
        const char *name = desc ? tok + 1 : tok;
        for (int i = 0; r->sort_keys[i].name != NULL; i++) {
            if (strcmp(r->sort_keys[i].name, name) == 0) {
                found = i;
            }
        }
        for (int i = 0; i < q->nsort && found >= 0; i++) {
            if (q->sort_index[i] == found) {
                found = -2;
            }
        }
        if (found < 0 || q->nsort == 8) {
            char allowed[512] = "";
            for (int i = 0; r->sort_keys[i].name != NULL; i++) {
                size_t len = strlen(allowed);
                snprintf(allowed + len, sizeof allowed - len, "%s%s", i ? ", " : "",
                         r->sort_keys[i].name);
            }
            char message[640];
            snprintf(message, sizeof message,
                     found == -2 ? "names a field twice" : "must list fields from: %s", allowed);
            api_bad_parameter(rc, "sort", "enum", message);
            return -1;
        }
        q->sort_index[q->nsort] = found;
        q->sort_desc[q->nsort] = desc;
        q->nsort++;
    }
    if (q->nsort == 0) {
        api_bad_parameter(rc, "sort", "enum", "must name at least one field");
        return -1;
    }
    snprintf(s->sort_text, sizeof s->sort_text, "%s", sort);
    return 0;
}

static int key_value_ok(key_kind kind, const char *v)
{
    long n;
    switch (kind) {
    case KEY_TIMESTAMP:
        return parse_timestamp(v);
    case KEY_DATE:
        return parse_date(v) || strcmp(v, "infinity") == 0;
    case KEY_INT:
        return parse_long(v, -9223372036854775807L, 9223372036854775807L, &n);
    case KEY_TEXT:
        return 1;
    }
    return 0;
}

static int parse_cursor(req_ctx *rc, const db_resource *r, db_list_query *q, list_scratch *s)
{
    const char *token = api_query(rc, "cursor");
    char *keys[9] = {0};
    char id[37];
    int ok;

    if (token == NULL) {
        return 0;
    }
    ok = cursor_decode(token, s->sort_text, q->nsort + 1, keys);
    for (int i = 0; ok && i < q->nsort; i++) {
        ok = key_value_ok(r->sort_keys[q->sort_index[i]].kind, keys[i]);
    }
    ok = ok && parse_uuid(keys[q->nsort], id);
    for (int i = 0; i <= q->nsort; i++) {
        q->cursor_values[i] = scratch_keep(s, keys[i]);
        ok = ok && q->cursor_values[i] != NULL;
    }
    if (!ok) {
        api_bad_parameter(rc, "cursor", "format",
                          "is not a cursor this list gave out for this sort order");
        return -1;
    }
    return 0;
}

/* ILIKE pattern matching @p text anywhere, with its wildcards escaped. */
static char *search_pattern(const char *text)
{
    size_t len = strlen(text);
    char *out = malloc(len * 2 + 3);
    char *p = out;
    if (out == NULL) {
        return NULL;
    }
    *p++ = '%';
    for (; *text; text++) {
        if (*text == '%' || *text == '_' || *text == '\\') {
            *p++ = '\\';
        }
        *p++ = *text;
    }
    *p++ = '%';
    *p = '\0';
    return out;
}

static int parse_filter(req_ctx *rc, const db_filter *f, const char *v, const char **out,
                        list_scratch *s)
{
    char message[640];
    long n;
    int ok = 1;
    char uuid[37];

    switch (f->kind) {
    case FILTER_ENUM_IN:
        ok = enum_csv_valid(f->enum_values, v);
        if (!ok) {
            char allowed[512];
            enum_list(f->enum_values, allowed, sizeof allowed);
            snprintf(message, sizeof message, "must be a comma-separated list of: %s", allowed);
            api_bad_parameter(rc, f->name, "enum", message);
            return -1;
        }
        break;
    case FILTER_TEXT_EQ:
        ok = strlen(v) <= 10000;
        break;
    case FILTER_UUID_EQ:
        ok = parse_uuid(v, uuid);
        break;
    case FILTER_DATE_LE:
    case FILTER_DATE_GE:
        ok = parse_date(v);
        break;
    case FILTER_TS_LE:
    case FILTER_TS_GE:
        ok = parse_timestamp(v);
        break;
    case FILTER_INT_GE:
        ok = parse_long(v, -1000000, 1000000, &n);
        break;
    case FILTER_SEARCH:
        ok = strlen(v) <= 200;
        if (ok) {
            *out = scratch_keep(s, search_pattern(v));
            return *out ? 0 : -1;
        }
        break;
    }
    if (!ok) {
        static const char *const what[] = {
            [FILTER_ENUM_IN] = "", [FILTER_TEXT_EQ] = "must be at most 10000 characters",
            [FILTER_UUID_EQ] = "must be a UUID", [FILTER_DATE_LE] = "must be a date YYYY-MM-DD",
            [FILTER_DATE_GE] = "must be a date YYYY-MM-DD",
            [FILTER_TS_LE] = "must be an RFC 3339 timestamp",
            [FILTER_TS_GE] = "must be an RFC 3339 timestamp",
            [FILTER_SEARCH] = "must be at most 200 characters",
            [FILTER_INT_GE] = "must be an integer"};
        const char *code = f->kind == FILTER_TEXT_EQ || f->kind == FILTER_SEARCH ? "length"
                           : f->kind == FILTER_INT_GE                           ? "type"
                                                                                : "format";
        api_bad_parameter(rc, f->name, code, what[f->kind]);
        return -1;
    }
    *out = v;
    return 0;
}

int api_list_params_or_problem(req_ctx *rc, const db_resource *r, db_list_query *q,
                               list_scratch *s)
{
    const char *allowed[40];
    int n = 0;
    const char *v;
    long limit = LIMIT_DEFAULT;

    memset(q, 0, sizeof *q);
    memset(s, 0, sizeof *s);
    allowed[n++] = "limit";
    allowed[n++] = "cursor";
    if (!r->newest_first) {
        allowed[n++] = "sort";
        allowed[n++] = "include_archived";
    }
    for (int i = 0; r->filters[i].name != NULL && n < 39; i++) {
        allowed[n++] = r->filters[i].name;
    }
    allowed[n] = NULL;
    if (api_query_known_or_problem(rc, allowed) != 0) {
        return -1;
    }
    v = api_query(rc, "limit");
    if (v != NULL && !parse_long(v, 1, LIMIT_MAX, &limit)) {
        api_bad_parameter(rc, "limit", "range", "must be an integer from 1 to 200");
        return -1;
    }
    q->limit = (int)limit;
    v = api_query(rc, "include_archived");
    if (v != NULL && strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
        api_bad_parameter(rc, "include_archived", "type", "must be true or false");
        return -1;
    }
    /* Lists without archived rows (the audit trail) show everything. */
    q->include_archived = r->newest_first || (v != NULL && strcmp(v, "true") == 0);
    for (int i = 0; r->filters[i].name != NULL; i++) {
        v = api_query(rc, r->filters[i].name);
        if (v != NULL && parse_filter(rc, &r->filters[i], v, &q->filter_values[i], s) != 0) {
            list_scratch_clear(s);
            return -1;
        }
    }
    if (parse_sort(rc, r, q, s) != 0 || parse_cursor(rc, r, q, s) != 0) {
        list_scratch_clear(s);
        return -1;
    }
    return 0;
}

/* The request's query string with cursor replaced by @p cursor. Caller frees. */
static char *next_query(const req_ctx *rc, const char *cursor)
{
    const char **keys = u_map_enum_keys(rc->req->map_url);
    size_t cap = strlen(cursor) + 16, len = 0;
    char *out;

    for (size_t i = 0; keys && keys[i]; i++) {
        cap += strlen(keys[i]) * 3 + strlen(u_map_get(rc->req->map_url, keys[i])) * 3 + 2;
    }
    out = malloc(cap);
    if (out == NULL) {
        return NULL;
    }
    out[0] = '\0';
    for (size_t i = 0; keys && keys[i]; i++) {
        if (strcmp(keys[i], "cursor") == 0) {
            continue;
        }
        char *k = ulfius_url_encode(keys[i]);
        char *v = ulfius_url_encode(u_map_get(rc->req->map_url, keys[i]));
        if (k && v) {
            len += (size_t)snprintf(out + len, cap - len, "%s=%s&", k, v);
        }
        u_free(k);
        u_free(v);
    }
    snprintf(out + len, cap - len, "cursor=%s", cursor);
    return out;
}

void api_reply_page(req_ctx *rc, const list_scratch *s, const db_page *page)
{
    char *cursor = NULL, *query = NULL, *body = NULL, *link = NULL;
    size_t body_len;

    if (page->more) {
        cursor = cursor_encode(s->sort_text, (const char *const *)page->last_keys, page->nkeys);
    }
    body_len = strlen(page->items_json) + (cursor ? strlen(cursor) : 4) + 40;
    body = malloc(body_len);
    if (body != NULL) {
        if (cursor != NULL) {
            body_len = (size_t)snprintf(body, body_len, "{\"items\":%s,\"next_cursor\":\"%s\"}",
                                        page->items_json, cursor);
        } else {
            body_len = (size_t)snprintf(body, body_len, "{\"items\":%s,\"next_cursor\":null}",
                                        page->items_json);
        }
        api_reply_json(rc, 200, body, body_len);
    }
    if (cursor != NULL && (query = next_query(rc, cursor)) != NULL) {
        size_t n = strlen(rc->req->url_path) + strlen(query) + 32;
        link = malloc(n);
        if (link != NULL) {
            snprintf(link, n, "<%s?%s>; rel=\"next\"", rc->req->url_path, query);
            u_map_put(rc->resp->map_header, "Link", link);
        }
    }
    free(link);
    free(query);
    free(body);
    free(cursor);
}
