/* The audit trail: one event per change, in the change's transaction, with filters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration/suites.h"
#include "support/check_helpers.h"

START_TEST(test_audit_records_each_change)
{
    http_response r;
    char id[40], path[256], events[256];
    api_call(&r, "POST", "/v1/objectives", "editor",
             "{\"title\":\"Audited\",\"level\":\"tactical\"}", NULL);
    strcpy(id, jstr(r.json, "id"));
    http_response_clear(&r);
    fmt_path(path, sizeof path, "/v1/objectives/%s", id);
    api_call(&r, "PATCH", path, "editor", "{\"owner\":\"zoe\"}", NULL);
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"owner\":\"zoe\"}", NULL); /* no change */
    http_response_clear(&r);
    api_call(&r, "DELETE", path, "admin", NULL, NULL);
    http_response_clear(&r);
    strcat(path, "/restore");
    const char *rid[] = {"X-Request-Id: restore-request-1", NULL};
    api_call(&r, "POST", path, "admin", NULL, rid);
    http_response_clear(&r);

    fmt_path(events, sizeof events, "/v1/audit-events?resource_id=%s", id);
    api_call(&r, "GET", events, "auditor", NULL, NULL);
    ck_assert_status(r, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 4);
    /* Newest first. */
    const char *want[] = {"restore", "archive", "update", "create"};
    for (int i = 0; i < 4; i++) {
        json_t *e = json_array_get(items, (size_t)i);
        ck_assert_str_eq(jstr(e, "action"), want[i]);
        ck_assert_str_eq(jstr(e, "resource_type"), "objective");
        ck_assert_str_eq(jstr(e, "resource_id"), id);
    }
    json_t *create = json_array_get(items, 3), *update = json_array_get(items, 2);
    json_t *restore = json_array_get(items, 0);
    ck_assert(json_is_null(json_object_get(create, "before")));
    ck_assert_str_eq(jstr(json_object_get(create, "after"), "title"), "Audited");
    ck_assert_str_eq(jstr(create, "actor"), "editor");
    ck_assert(json_is_null(json_object_get(json_object_get(update, "before"), "owner")));
    ck_assert_str_eq(jstr(json_object_get(update, "after"), "owner"), "zoe");
    ck_assert_str_eq(jstr(restore, "actor"), "admin");
    ck_assert_str_eq(jstr(restore, "request_id"), "restore-request-1");
    ck_assert_int_eq(jint(json_object_get(restore, "after"), "version"), 4);
    http_response_clear(&r);

    fmt_path(events, sizeof events, "/v1/audit-events?resource_id=%s&action=update,archive", id);
    api_call(&r, "GET", events, "auditor", NULL, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 2);
    http_response_clear(&r);
    fmt_path(events, sizeof events,
             "/v1/audit-events?resource_id=%s&actor=admin&resource_type=objective", id);
    api_call(&r, "GET", events, "auditor", NULL, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 2);
    http_response_clear(&r);
    fmt_path(events, sizeof events,
             "/v1/audit-events?resource_id=%s&occurred_after=2000-01-01T00:00:00Z"
             "&occurred_before=2000-01-02T00:00:00Z", id);
    api_call(&r, "GET", events, "auditor", NULL, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    http_response_clear(&r);
    fmt_path(events, sizeof events, "/v1/audit-events?resource_id=%s&limit=1", id);
    api_call(&r, "GET", events, "auditor", NULL, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    const char *cursor = jstr(r.json, "next_cursor");
    ck_assert_ptr_nonnull(cursor);
    fmt_path(events, sizeof events, "/v1/audit-events?resource_id=%s&limit=3&cursor=%s", id,
             cursor);
    http_response_clear(&r);
    api_call(&r, "GET", events, "auditor", NULL, NULL);
    items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 3);
    ck_assert_str_eq(jstr(json_array_get(items, 0), "action"), "archive");
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    http_response_clear(&r);
}
END_TEST

START_TEST(test_audit_refused_change_leaves_no_event)
{
    http_response r;
    char id[40], path[256], events[256];
    api_call(&r, "POST", "/v1/objectives", "editor", "{\"title\":\"Refused\",\"level\":\"tactical\"}",
             NULL);
    strcpy(id, jstr(r.json, "id"));
    http_response_clear(&r);
    fmt_path(path, sizeof path, "/v1/objectives/%s", id);
    api_call(&r, "PATCH", path, "editor", "{\"level\":\"cosmic\"}", NULL);
    ck_assert_status(r, 422);
    http_response_clear(&r);
    fmt_path(events, sizeof events, "/v1/audit-events?resource_id=%s", id);
    api_call(&r, "GET", events, "admin", NULL, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_audit_bad_filters)
{
    http_response r;
    api_call(&r, "GET", "/v1/audit-events?action=delete", "auditor", NULL, NULL);
    ck_assert_problem(r, 400, "action", "enum");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/audit-events?occurred_after=yesterday", "auditor", NULL, NULL);
    ck_assert_problem(r, 400, "occurred_after", "format");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/audit-events?sort=actor", "auditor", NULL, NULL);
    ck_assert_problem(r, 400, "sort", "unknown_field");
    http_response_clear(&r);
}
END_TEST

Suite *suite_http_audit(void)
{
    Suite *s = suite_create("http_audit");
    TCase *tc = tcase_create("audit");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_audit_records_each_change);
    tcase_add_test(tc, test_audit_refused_change_leaves_no_event);
    tcase_add_test(tc, test_audit_bad_filters);
    suite_add_tcase(s, tc);
    return s;
}
