/* Helpers shared by the resource suites: create rows, expect statuses, read audit
 * events, count and walk keyset lists. */
#include "support/suite_helpers.h"

#include <stdio.h>
#include <time.h>

#include <stdlib.h>
#include <string.h>

#include "support/check_helpers.h"

/* Today (UTC) plus @p days, as YYYY-MM-DD. */
const char *utc_day(char *buf, size_t cap, int days)
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%d", &tm);
    return buf;
}

/* POSTs @p body to @p path as an editor; the new id goes to @p id (40 bytes). */
void post_ok(const char *path, const char *body, char *id)
{
    http_response r;
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_status(r, 201);
    strcpy(id, jstr(r.json, "id"));
    http_response_clear(&r);
}

void send_expect(const char *method, const char *path, const char *role, const char *body,
                 int want)
{
    http_response r;
    api_call(&r, method, path, role, body, NULL);
    ck_assert_status(r, want);
    http_response_clear(&r);
}

/* The keys of @p j, in order, are exactly @p keys (NULL-terminated). */
void assert_keys(const json_t *j, const char *const *keys)
{
    const char *key;
    json_t *j_v;
    size_t i = 0;
    json_object_foreach((json_t *)j, key, j_v)
    {
        ck_assert_msg(keys[i] != NULL, "unexpected key %s", key);
        ck_assert_str_eq(key, keys[i]);
        i++;
    }
    ck_assert_msg(keys[i] == NULL, "missing key %s", keys[i]);
}

/* The audit events of @p id, newest first (new reference). */
json_t *audit_of(const char *id)
{
    http_response r;
    char path[256];
    fmt_path(path, sizeof path, "/v1/audit-events?resource_id=%s&limit=200", id);
    api_call(&r, "GET", path, "auditor", NULL, NULL);
    ck_assert_status(r, 200);
    json_t *j_items = json_incref(json_object_get(r.json, "items"));
    http_response_clear(&r);
    return j_items;
}

int count_at(const char *path)
{
    http_response r;
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    int n = (int)json_array_size(json_object_get(r.json, "items"));
    http_response_clear(&r);
    return n;
}

/* Walks every page of @p base at @p limit; returns the ids in order (caller frees). */
json_t *walk(const char *base, int limit, int *pages_out)
{
    json_t *j_ids = json_array();
    char path[2048];
    char *cursor = NULL;
    int pages = 0;

    for (;;) {
        http_response r;
        char link[1024];
        const char *sep = strchr(base, '?') ? "&" : "?";
        if (cursor) {
            snprintf(path, sizeof path, "%s%slimit=%d&cursor=%s", base, sep, limit, cursor);
        } else {
            snprintf(path, sizeof path, "%s%slimit=%d", base, sep, limit);
        }
        api_call(&r, "GET", path, "viewer", NULL, NULL);
        ck_assert_status(r, 200);
        pages++;
        json_t *items = json_object_get(r.json, "items");
        ck_assert_int_le(json_array_size(items), limit);
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it) { json_array_append(j_ids, json_object_get(it, "id")); }
        json_t *next = json_object_get(r.json, "next_cursor");
        free(cursor);
        cursor = NULL;
        if (json_is_null(next)) {
            ck_assert_ptr_null(http_header(&r, "Link", link, sizeof link));
            http_response_clear(&r);
            break;
        }
        ck_assert_ptr_nonnull(http_header(&r, "Link", link, sizeof link));
        ck_assert_ptr_nonnull(strstr(link, "rel=\"next\""));
        cursor = strdup(json_string_value(next));
        http_response_clear(&r);
        ck_assert_int_lt(pages, 100);
    }
    *pages_out = pages;
    return j_ids;
}

void assert_each_once(json_t *j_ids, char ids[][40], int n)
{
    ck_assert_int_eq(json_array_size(j_ids), n);
    for (int k = 0; k < n; k++) {
        int seen = 0;
        size_t i;
        json_t *it;
        json_array_foreach(j_ids, i, it) { seen += strcmp(json_string_value(it), ids[k]) == 0; }
        ck_assert_msg(seen == 1, "item %d seen %d times", k, seen);
    }
}

void assert_archive_and_restore(const archive_case *ac)
{
    http_response r;
    const char *stale[] = {ac->stale_if_match, NULL};
    const char *current[] = {ac->if_match, NULL};

    api_call(&r, "DELETE", ac->path, "admin", NULL, stale);
    ck_assert_problem(r, 412, NULL, NULL);
    http_response_clear(&r);
    if (ac->if_match != NULL) {
        api_call(&r, "DELETE", ac->path, "admin", NULL, current);
        ck_assert_status(r, 204);
        http_response_clear(&r);
    } else {
        send_expect("DELETE", ac->path, "admin", NULL, 204);
    }
    api_call(&r, "GET", ac->path, "viewer", NULL, NULL);
    ck_assert(json_is_string(json_object_get(r.json, "archived_at")));
    ck_assert_int_eq(jint(r.json, "version"), ac->archived_version);
    http_response_clear(&r);
    ck_assert_int_eq(count_at(ac->list), 0);
    ck_assert_int_eq(count_at(ac->list_archived), 1);
    api_call(&r, "PATCH", ac->path, "editor", ac->patch_body, NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);
    send_expect("DELETE", ac->path, "admin", NULL, 204);
    api_call(&r, "POST", ac->restore, "admin", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    ck_assert_int_eq(jint(r.json, "version"), ac->archived_version + 1);
    http_response_clear(&r);
    api_call(&r, "POST", ac->restore, "admin", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "version"), ac->archived_version + 1);
    http_response_clear(&r);
    ck_assert_int_eq(count_at(ac->list), 1);
}
