/* Objective lists: keyset pages, sort orders, every filter, bad parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration/suites.h"
#include "support/check_helpers.h"

#define N_ITEMS 7

/* Creates N_ITEMS objectives sharing a unique function; returns it in @p fn. */
static void seed(char *fn, size_t cap, char ids[N_ITEMS][40])
{
    static const char *const titles[N_ITEMS] = {"delta", "Alpha", "charlie", "bravo", "echo",
                                                "alpha", "Foxtrot"};
    static const char *const statuses[N_ITEMS] = {"draft", "active", "draft", "cancelled",
                                                  "active", "draft", "achieved"};
    harness_unique("fn", fn, cap);
    for (int i = 0; i < N_ITEMS; i++) {
        char body[512];
        http_response r;
        snprintf(body, sizeof body,
                 "{\"title\":\"%s\",\"level\":\"%s\",\"function\":\"%s\",\"status\":\"%s\","
                 "\"owner\":\"%s\",\"due_date\":\"2027-0%d-15\",\"success_criteria\":\"done\"}",
                 titles[i], i % 2 ? "tactical" : "strategic", fn, statuses[i],
                 i < 3 ? "ann" : "ben", 1 + i % 3);
        api_call(&r, "POST", "/v1/objectives", "editor", body, NULL);
        ck_assert_status(r, 201);
        strcpy(ids[i], jstr(r.json, "id"));
        http_response_clear(&r);
    }
}

/* Walks every page of @p query; returns the ids in order (caller frees the array). */
static json_t *walk(const char *query, int limit, int *pages_out)
{
    json_t *j_ids = json_array();
    char path[2048];
    char *cursor = NULL;
    int pages = 0;

    for (;;) {
        http_response r;
        char link[1024];
        if (cursor) {
            snprintf(path, sizeof path, "/v1/objectives?%s&limit=%d&cursor=%s", query, limit,
                     cursor);
        } else {
            snprintf(path, sizeof path, "/v1/objectives?%s&limit=%d", query, limit);
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
        ck_assert_ptr_nonnull(strstr(link, json_string_value(next)));
        cursor = strdup(json_string_value(next));
        http_response_clear(&r);
        ck_assert_int_lt(pages, 100);
    }
    *pages_out = pages;
    return j_ids;
}

static void assert_each_once(json_t *j_ids, char ids[N_ITEMS][40])
{
    ck_assert_int_eq(json_array_size(j_ids), N_ITEMS);
    for (int k = 0; k < N_ITEMS; k++) {
        int seen = 0;
        size_t i;
        json_t *it;
        json_array_foreach(j_ids, i, it) { seen += strcmp(json_string_value(it), ids[k]) == 0; }
        ck_assert_int_eq(seen, 1);
    }
}

START_TEST(test_list_every_limit_returns_each_once)
{
    char fn[64], query[256], ids[N_ITEMS][40];
    seed(fn, sizeof fn, ids);
    const char *sorts[] = {"", "&sort=-created_at", "&sort=title", "&sort=status,-title",
                           "&sort=-due_date,level", "&sort=-updated_at,ref"};
    for (size_t s = 0; s < sizeof sorts / sizeof sorts[0]; s++) {
        for (int limit = 1; limit <= N_ITEMS + 1; limit++) {
            int pages;
            snprintf(query, sizeof query, "function=%s%s", fn, sorts[s]);
            json_t *j_ids = walk(query, limit, &pages);
            assert_each_once(j_ids, ids);
            ck_assert_int_eq(pages, (N_ITEMS + limit - 1) / limit);
            json_decref(j_ids);
        }
    }
}
END_TEST

START_TEST(test_list_sort_orders)
{
    char fn[64], path[256], ids[N_ITEMS][40];
    http_response r;
    seed(fn, sizeof fn, ids);
    fmt_path(path, sizeof path, "/v1/objectives?function=%s&sort=-title", fn);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    json_t *items = json_object_get(r.json, "items");
    for (size_t i = 1; i < json_array_size(items); i++) {
        const char *a = jstr(json_array_get(items, i - 1), "title");
        const char *b = jstr(json_array_get(items, i), "title");
        ck_assert_int_ge(strcmp(a, b), 0);
    }
    http_response_clear(&r);
    /* Enum order follows the design: draft, active, achieved, not_achieved, cancelled. */
    fmt_path(path, sizeof path, "/v1/objectives?function=%s&sort=status", fn);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    items = json_object_get(r.json, "items");
    ck_assert_str_eq(jstr(json_array_get(items, 0), "status"), "draft");
    ck_assert_str_eq(jstr(json_array_get(items, N_ITEMS - 1), "status"), "cancelled");
    ck_assert_str_eq(jstr(json_array_get(items, N_ITEMS - 2), "status"), "achieved");
    http_response_clear(&r);
}
END_TEST

static int count_for(const char *query)
{
    http_response r;
    char path[512];
    fmt_path(path, sizeof path, "/v1/objectives?limit=200&%s", query);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    int n = (int)json_array_size(json_object_get(r.json, "items"));
    http_response_clear(&r);
    return n;
}

START_TEST(test_list_filters)
{
    char fn[64], q[512], ids[N_ITEMS][40];
    http_response r;
    seed(fn, sizeof fn, ids);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s", fn)), 7);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s&status=draft", fn)), 3);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s&status=draft,active", fn)), 5);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s&level=tactical", fn)), 3);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s&owner=ann", fn)), 3);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s&due_before=2027-01-15", fn)), 3);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s&due_after=2027-02-15", fn)), 4);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q,
                                        "function=%s&due_after=2027-02-01&due_before=2027-02-28",
                                        fn)),
                     2);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s&q=ALPHA", fn)), 2);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s&q=%%25", fn)), 0);
    /* Health of a qualitative objective without a review is no_data; cancelled has none. */
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s&health=no_data", fn)), 5);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s&health=achieved", fn)), 1);

    /* parent_id and include_archived. */
    char body[256], child[40], path[128];
    snprintf(body, sizeof body, "{\"title\":\"kid\",\"level\":\"tactical\",\"parent_id\":\"%s\"}",
             ids[0]);
    api_call(&r, "POST", "/v1/objectives", "editor", body, NULL);
    strcpy(child, jstr(r.json, "id"));
    http_response_clear(&r);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "parent_id=%s", ids[0])), 1);
    fmt_path(path, sizeof path, "/v1/objectives/%s", ids[1]);
    api_call(&r, "DELETE", path, "admin", NULL, NULL);
    ck_assert_status(r, 204);
    http_response_clear(&r);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s", fn)), 6);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s&include_archived=true", fn)), 7);
    ck_assert_int_eq(count_for(fmt_path(q, sizeof q, "function=%s&include_archived=false", fn)), 6);
}
END_TEST

START_TEST(test_list_bad_parameters_are_400)
{
    const char *bad[][2] = {
        {"limit=0", "limit"},           {"limit=201", "limit"},
        {"limit=abc", "limit"},         {"limit=99999999999999999999", "limit"},
        {"sort=colour", "sort"},        {"sort=title,title", "sort"},
        {"status=open", "status"},      {"due_before=2026-13-01", "due_before"},
        {"parent_id=xyz", "parent_id"}, {"include_archived=yes", "include_archived"},
        {"cursor=%%%%", "cursor"},      {"cursor=WyJjcmVhdGVkX2F0Il0", "cursor"},
        {"stauts=active", "stauts"},    {"health=green", "health"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_response r;
        char path[256];
        fmt_path(path, sizeof path, "/v1/objectives?%s", bad[i][0]);
        api_call(&r, "GET", path, "viewer", NULL, NULL);
        ck_assert_msg(r.status == 400, "%s gave %d", bad[i][0], r.status);
        ck_assert_str_eq(jstr(r.json, "type"), "urn:isms:problem:invalid-parameter");
        const char *field = jstr(json_array_get(json_object_get(r.json, "errors"), 0), "field");
        ck_assert_str_eq(field, bad[i][1]);
        http_response_clear(&r);
    }
}
END_TEST

START_TEST(test_list_cursor_bound_to_sort)
{
    char fn[64], path[1024], ids[N_ITEMS][40];
    http_response r;
    seed(fn, sizeof fn, ids);
    fmt_path(path, sizeof path, "/v1/objectives?function=%s&limit=2&sort=title", fn);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    char *cursor = strdup(jstr(r.json, "next_cursor"));
    http_response_clear(&r);
    fmt_path(path, sizeof path, "/v1/objectives?function=%s&limit=2&sort=ref&cursor=%s", fn,
             cursor);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 400);
    http_response_clear(&r);
    free(cursor);
}
END_TEST

Suite *suite_http_objectives_list(void)
{
    Suite *s = suite_create("http_objectives_list");
    TCase *tc = tcase_create("list");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_list_every_limit_returns_each_once);
    tcase_add_test(tc, test_list_sort_orders);
    tcase_add_test(tc, test_list_filters);
    tcase_add_test(tc, test_list_bad_parameters_are_400);
    tcase_add_test(tc, test_list_cursor_bound_to_sort);
    suite_add_tcase(s, tc);
    return s;
}
