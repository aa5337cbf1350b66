/* Fuzz target: path and query parameters. The input is a request target such as
 * "objectives?limit=10&sort=-due_date"; the part before '?' picks the collection (any
 * other text picks one by its first byte). Each '&'-separated pair is URL-decoded and put
 * in map_url, as ulfius hands query arguments to a handler, and the list parameters are
 * parsed with api_list_params_or_problem (no database: it only parses). After a success
 * the next-page reply is rendered with api_reply_page, and its Link header is fed back
 * through the parser. The scalar parsers run on the whole input and on every value.
 *
 * Properties: a bad parameter gives 400 with a problem body, never a crash or a silent
 * default; accepted parameters are in range; the Link a page gives is accepted again and
 * carries the same sort and cursor keys; the scalar parsers agree with each other. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <ulfius.h>

#include "api/common.h"
#include "api/parse.h"
#include "api/resource.h"
#include "db/audit.h"
#include "db/model.h"
#include "db/objectives.h"
#include "fuzz_util.h"

static const struct {
    const char *name;
    const db_resource *r;
} collections[] = {
    {"objectives", &db_objectives},
    {"measurements", &db_measurements},
    {"plans", &db_plans},
    {"actions", &db_actions},
    {"risks", &db_risks},
    {"reviews", &db_reviews},
    {"review-items", &db_review_items},
    {"audit-events", &db_audit_events},
    {"objective-risks", &db_objective_risks},
    {"risk-objectives", &db_risk_objectives},
};
#define NCOLLECTIONS (sizeof collections / sizeof collections[0])

static const char example_id[] = "5f0c2b9e-8a41-4d6b-9c3e-2a7d1f4b6e80";

/* ---- scalar parsers ------------------------------------------------------------------- */

static int valid_utf8(const char *s)
{
    json_t *j = json_string(s);
    int ok = j != NULL;
    json_decref(j);
    return ok;
}

static void check_scalars(const char *s)
{
    char uuid[37], uuid2[37], pointer[600], ts[64];
    static const size_t caps[] = {1, 2, 5, 16, 64, 600};
    long v = 0;
    size_t len = strlen(s);

    if (parse_uuid(s, uuid)) {
        FUZZ_CHECK(strlen(uuid) == 36 && parse_uuid(uuid, uuid2) && strcmp(uuid, uuid2) == 0);
        for (int i = 0; i < 36; i++) {
            FUZZ_CHECK(!(uuid[i] >= 'A' && uuid[i] <= 'F'));
        }
    }
    if (parse_date(s)) {
        FUZZ_CHECK(len == 10);
        snprintf(ts, sizeof ts, "%sT00:00:00Z", s);
        FUZZ_CHECK(parse_timestamp(ts));
    }
    if (parse_timestamp(s)) {
        memcpy(ts, s, 10);
        ts[10] = '\0';
        FUZZ_CHECK(parse_date(ts));
    }
    if (parse_long(s, -1000000, 1000000, &v)) {
        FUZZ_CHECK(v >= -1000000 && v <= 1000000);
    }
    if (parse_long(s, 1, 200, &v)) {
        FUZZ_CHECK(v >= 1 && v <= 200);
    }
    (void)parse_long(s, -9223372036854775807L, 9223372036854775807L, &v);
    FUZZ_CHECK(utf8_length(s) <= len);
    if (ref_problem(s) == NULL) {
        FUZZ_CHECK(len >= 1 && len <= 64);
    }
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        pointer[0] = '\0';
        pointer_append(pointer, caps[i], s);
        FUZZ_CHECK(strlen(pointer) < caps[i]);
        if (valid_utf8(s)) {
            FUZZ_CHECK(valid_utf8(pointer));
        }
    }
}

/* ---- list parameters ------------------------------------------------------------------- */

/* Puts the '&'-separated, URL-decoded pairs of @p query into @p map; checks each value. */
static void put_query(struct _u_map *map, const char *query)
{
    char *copy = strdup(query), *save = NULL;
    FUZZ_CHECK(copy != NULL);
    for (char *pair = strtok_r(copy, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        char *key, *value;
        if (eq != NULL) {
            *eq = '\0';
        }
        key = ulfius_url_decode(pair);
        value = ulfius_url_decode(eq ? eq + 1 : "");
        if (key != NULL && value != NULL) {
            check_scalars(value);
            u_map_put(map, key, value);
        }
        u_free(key);
        u_free(value);
    }
    free(copy);
}

typedef struct parsed {
    struct _u_request req;
    struct _u_response resp;
    req_ctx rc;
    db_list_query q;
    list_scratch s;
    int status; /* api_list_params_or_problem's return */
} parsed;

static void parse_list(parsed *p, const db_resource *r, const char *query)
{
    memset(p, 0, sizeof *p);
    FUZZ_CHECK(ulfius_init_request(&p->req) == U_OK);
    FUZZ_CHECK(ulfius_init_response(&p->resp) == U_OK);
    p->req.url_path = o_strdup("/v1/list");
    put_query(p->req.map_url, query);
    p->rc.req = &p->req;
    p->rc.resp = &p->resp;
    snprintf(p->rc.request_id, sizeof p->rc.request_id, "fuzz");
    p->status = api_list_params_or_problem(&p->rc, r, &p->q, &p->s);
}

static void parsed_clear(parsed *p)
{
    if (p->status == 0) {
        list_scratch_clear(&p->s);
    }
    ulfius_clean_request(&p->req);
    ulfius_clean_response(&p->resp);
}

static void check_rejected(const parsed *p)
{
    json_t *j_body;
    const char *type = u_map_get(p->resp.map_header, "Content-Type");

    FUZZ_CHECK(p->resp.status == 400);
    FUZZ_CHECK(type != NULL && strcmp(type, "application/problem+json") == 0);
    FUZZ_CHECK(p->resp.binary_body != NULL && p->resp.binary_body_length > 0);
    j_body = json_loadb(p->resp.binary_body, p->resp.binary_body_length, 0, NULL);
    FUZZ_CHECK(json_is_array(json_object_get(j_body, "errors")));
    json_decref(j_body);
}

static void check_accepted(const parsed *p, const db_resource *r)
{
    int nkeys = 0;
    const db_list_query *q = &p->q;

    while (r->sort_keys[nkeys].name != NULL) {
        nkeys++;
    }
    FUZZ_CHECK(p->resp.binary_body == NULL);
    FUZZ_CHECK(q->limit >= 1 && q->limit <= 200);
    FUZZ_CHECK(q->nsort >= 1 && q->nsort <= 8);
    for (int i = 0; i < q->nsort; i++) {
        FUZZ_CHECK(q->sort_index[i] >= 0 && q->sort_index[i] < nkeys);
        for (int k = 0; k < i; k++) {
            FUZZ_CHECK(q->sort_index[k] != q->sort_index[i]);
        }
    }
    if (q->cursor_values[0] != NULL) {
        char id[37];
        for (int i = 0; i <= q->nsort; i++) {
            FUZZ_CHECK(q->cursor_values[i] != NULL);
        }
        FUZZ_CHECK(parse_uuid(q->cursor_values[q->nsort], id));
    }
}

/* A key value of the right kind for the last row of a page. */
static const char *example_key(key_kind kind)
{
    switch (kind) {
    case KEY_TIMESTAMP:
        return "2025-01-01T00:00:00.5+02:00";
    case KEY_DATE:
        return "2025-06-30";
    case KEY_INT:
        return "-42";
    case KEY_TEXT:
        return "OBJ 42/&=?%+\xc3\xa9";
    }
    return "";
}

/* Renders a page that has more rows, then follows its Link. */
static void follow_next_link(const parsed *p, const db_resource *r)
{
    const db_list_query *q = &p->q;
    char *last_keys[9];
    db_page page = {.items_json = "[]", .more = 1, .last_keys = last_keys};
    struct _u_response resp;
    req_ctx rc = p->rc;
    const char *link, *query_start, *query_end;
    char *query = NULL;
    parsed next;

    for (int i = 0; i < q->nsort; i++) {
        last_keys[i] = (char *)(q->cursor_values[i] ? q->cursor_values[i]
                                                    : example_key(r->sort_keys[q->sort_index[i]].kind));
    }
    last_keys[q->nsort] = (char *)(q->cursor_values[q->nsort] ? q->cursor_values[q->nsort]
                                                              : example_id);
    page.nkeys = q->nsort + 1;
    FUZZ_CHECK(ulfius_init_response(&resp) == U_OK);
    rc.resp = &resp;
    api_reply_page(&rc, &p->s, &page);
    FUZZ_CHECK(resp.status == 200 && resp.binary_body != NULL);
    link = u_map_get(resp.map_header, "Link");
    FUZZ_CHECK(link != NULL);
    query_start = strchr(link, '?');
    query_end = strrchr(link, '>');
    FUZZ_CHECK(query_start != NULL && query_end != NULL && query_end > query_start);
    query = strndup(query_start + 1, (size_t)(query_end - query_start - 1));
    FUZZ_CHECK(query != NULL);

    parse_list(&next, r, query);
    FUZZ_CHECK(next.status == 0);
    FUZZ_CHECK(next.q.nsort == q->nsort && next.q.limit == q->limit &&
               next.q.include_archived == q->include_archived);
    FUZZ_CHECK(strcmp(next.s.sort_text, p->s.sort_text) == 0);
    for (int i = 0; i < q->nsort; i++) {
        FUZZ_CHECK(next.q.sort_index[i] == q->sort_index[i] &&
                   next.q.sort_desc[i] == q->sort_desc[i]);
    }
    for (int i = 0; i <= q->nsort; i++) {
        FUZZ_CHECK(next.q.cursor_values[i] != NULL &&
                   strcmp(next.q.cursor_values[i], last_keys[i]) == 0);
    }
    parsed_clear(&next);
    free(query);
    ulfius_clean_response(&resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    const char *mark = strchr(text, '?');
    const char *query = mark ? mark + 1 : text;
    size_t name_len = mark ? (size_t)(mark - text) : 0;
    size_t which = size > 0 ? data[0] % NCOLLECTIONS : 0;
    const db_resource *r;
    parsed p;

    check_scalars(text);
    for (size_t i = 0; i < NCOLLECTIONS; i++) {
        if (strlen(collections[i].name) == name_len &&
            strncmp(collections[i].name, text, name_len) == 0) {
            which = i;
        }
    }
    r = collections[which].r;
    parse_list(&p, r, query);
    if (p.status == 0) {
        check_accepted(&p, r);
        follow_next_link(&p, r);
    } else {
        FUZZ_CHECK(p.status == -1);
        check_rejected(&p);
    }
    parsed_clear(&p);
    free(text);
    return 0;
}
