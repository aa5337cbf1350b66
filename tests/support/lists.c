/* List helpers shared by the resource suites: count a page, walk every page of a keyset
 * list, and check each item was seen exactly once. */
#include "support/lists.h"

#include <stdlib.h>
#include <string.h>

#include "support/check_helpers.h"

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
