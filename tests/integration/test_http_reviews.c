/* Management reviews and their items: create, read, merge patch, archive, restore;
 * validation, the objective reference, archived parents, roles, lists, audit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "integration/suites.h"
#include "support/check_helpers.h"
#include "support/suite_helpers.h"

#define N_ITEMS 7
#define MISSING_ID "6f1c2b7e-0000-4000-8000-000000000000"

static void new_objective(char *id)
{
    post_ok("/v1/objectives",
            "{\"title\":\"Reviewed\",\"level\":\"tactical\",\"status\":\"active\","
            "\"success_criteria\":\"Board signs off\"}",
            id);
}

/* A review; @p extra is more JSON members (may be ""). */
static void new_review(const char *held_on, const char *extra, char *id)
{
    char body[1024];
    snprintf(body, sizeof body, "{\"title\":\"Review\",\"held_on\":\"%s\"%s%s}", held_on,
             extra[0] ? "," : "", extra);
    post_ok("/v1/reviews", body, id);
}

/* An item of review @p rid about objective @p oid; @p extra is more JSON members. */
static void new_item(const char *rid, const char *oid, const char *extra, char *id)
{
    char path[128], body[1024];
    fmt_path(path, sizeof path, "/v1/reviews/%s/items", rid);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"decision\":\"continue\"%s%s}", oid,
             extra[0] ? "," : "", extra);
    post_ok(path, body, id);
}

/* The audit trail of @p id is these actions on @p type, newest first. */
static void assert_audit(const char *id, const char *type, const char *const *actions, int n)
{
    http_response r;
    char path[256];
    fmt_path(path, sizeof path, "/v1/audit-events?resource_id=%s&limit=200", id);
    api_call(&r, "GET", path, "auditor", NULL, NULL);
    ck_assert_status(r, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), n);
    for (int i = 0; i < n; i++) {
        json_t *e = json_array_get(items, (size_t)i);
        ck_assert_str_eq(jstr(e, "action"), actions[i]);
        ck_assert_str_eq(jstr(e, "resource_type"), type);
        ck_assert_str_eq(jstr(e, "resource_id"), id);
    }
    http_response_clear(&r);
}

/* A month in the far past ("YYYY-MM"), unique to this run and call, so held_on windows
 * isolate rows (far-past reviews are never the latest or the next review). */
static const char *unique_month(char *buf, size_t cap)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    unsigned slot = ((unsigned)getpid() * 2654435761u ^ (unsigned)now.tv_nsec) % 9600u;
    snprintf(buf, cap, "%04u-%02u", 1100 + slot / 12, 1 + slot % 12);
    return buf;
}

/* ---- reviews ---- */

START_TEST(test_reviews_create_returns_document)
{
    http_response r;
    char v[256], want[128];
    static const char *const keys[] = {"id",         "ref",        "title",      "held_on",
                                       "chair",      "attendees",  "summary",    "decisions",
                                       "next_review_on", "status", "created_at", "updated_at",
                                       "created_by", "updated_by", "version",    "archived_at",
                                       NULL};
    api_call(&r, "POST", "/v1/reviews", "editor",
             "{\"title\":\"Q1 management review\",\"held_on\":\"2026-03-31\",\"chair\":\"ceo\","
             "\"attendees\":[\"ceo\",\"ciso\",\"cfo\"],\"summary\":\"On plan\","
             "\"decisions\":\"Keep going\",\"next_review_on\":\"2026-06-30\","
             "\"status\":\"held\"}",
             NULL);
    ck_assert_status(r, 201);
    snprintf(want, sizeof want, "/v1/reviews/%s", jstr(r.json, "id"));
    ck_assert_str_eq(http_header(&r, "Location", v, sizeof v), want);
    ck_assert_str_eq(http_header(&r, "ETag", v, sizeof v), "\"1\"");
    assert_keys(r.json, keys);
    ck_assert_int_eq(strncmp(jstr(r.json, "ref"), "REV-", 4), 0);
    ck_assert_str_eq(jstr(r.json, "title"), "Q1 management review");
    ck_assert_str_eq(jstr(r.json, "held_on"), "2026-03-31");
    ck_assert_str_eq(jstr(r.json, "chair"), "ceo");
    json_t *att = json_object_get(r.json, "attendees");
    ck_assert_int_eq(json_array_size(att), 3);
    ck_assert_str_eq(json_string_value(json_array_get(att, 2)), "cfo");
    ck_assert_str_eq(jstr(r.json, "summary"), "On plan");
    ck_assert_str_eq(jstr(r.json, "decisions"), "Keep going");
    ck_assert_str_eq(jstr(r.json, "next_review_on"), "2026-06-30");
    ck_assert_str_eq(jstr(r.json, "status"), "held");
    ck_assert_str_eq(jstr(r.json, "created_by"), "editor");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    http_response_clear(&r);
}
END_TEST

START_TEST(test_reviews_defaults_and_read_only_ignored)
{
    http_response r;
    api_call(&r, "POST", "/v1/reviews", "editor",
             "{\"title\":\"Minimal\",\"held_on\":\"2026-01-15\",\"id\":\"x\",\"version\":2,"
             "\"updated_by\":\"mallory\"}",
             NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "status"), "planned");
    ck_assert(json_is_array(json_object_get(r.json, "attendees")));
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "attendees")), 0);
    const char *nulls[] = {"chair", "summary", "decisions", "next_review_on"};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_msg(json_is_null(json_object_get(r.json, nulls[i])), "%s not null", nulls[i]);
    }
    ck_assert_str_ne(jstr(r.json, "id"), "x");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert_str_eq(jstr(r.json, "updated_by"), "editor");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_reviews_validation)
{
    http_response r;
    char body[600], title[260];
    api_call(&r, "POST", "/v1/reviews", "editor", "{}", NULL);
    ck_assert_problem(r, 422, "/title", "required");
    ck_assert(problem_has_error(r.json, "/held_on", "required"));
    ck_assert_str_eq(jstr(r.json, "type"), "urn:isms:problem:validation-failed");
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/reviews", "editor",
             "{\"title\":\"\",\"held_on\":\"31/03/2026\",\"status\":\"done\","
             "\"attendees\":\"ceo\",\"next_review_on\":\"2026-06-31\",\"chair\":1,"
             "\"location\":\"HQ\",\"ref\":\"x y\"}",
             NULL);
    ck_assert_problem(r, 422, "/title", "length");
    ck_assert(problem_has_error(r.json, "/held_on", "format"));
    ck_assert(problem_has_error(r.json, "/status", "enum"));
    ck_assert(problem_has_error(r.json, "/attendees", "type"));
    ck_assert(problem_has_error(r.json, "/next_review_on", "format"));
    ck_assert(problem_has_error(r.json, "/chair", "type"));
    ck_assert(problem_has_error(r.json, "/location", "unknown_field"));
    ck_assert(problem_has_error(r.json, "/ref", "pattern"));
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/reviews", "editor",
             "{\"title\":\"x\",\"held_on\":\"2026-01-01\",\"attendees\":[\"a\",null]}", NULL);
    ck_assert_problem(r, 422, "/attendees/1", "type");
    http_response_clear(&r);
    memset(title, 'v', 201);
    title[201] = '\0';
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"held_on\":\"2026-01-01\"}", title);
    api_call(&r, "POST", "/v1/reviews", "editor", body, NULL);
    ck_assert_problem(r, 422, "/title", "length");
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/reviews", "editor", "{\"title\":", NULL);
    ck_assert_problem(r, 400, NULL, NULL);
    http_response_clear(&r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    api_call(&r, "POST", "/v1/reviews", "editor", "{\"title\":\"x\",\"held_on\":\"2026-01-01\"}",
             xml);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_reviews_ref_assigned_explicit_and_duplicate)
{
    http_response r;
    char ref[64], body[256], id[40], path[128];
    harness_unique("REV", ref, sizeof ref);
    snprintf(body, sizeof body, "{\"title\":\"R\",\"held_on\":\"2026-01-01\",\"ref\":\"%s\"}", ref);
    api_call(&r, "POST", "/v1/reviews", "editor", body, NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "ref"), ref);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/reviews", "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
    new_review("2026-01-02", "", id);
    fmt_path(path, sizeof path, "/v1/reviews/%s", id);
    snprintf(body, sizeof body, "{\"ref\":\"%s\"}", ref);
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_reviews_get_patch_archive_restore)
{
    http_response r;
    char id[40], path[128], restore[160], etag[32], q[256];
    char month[16], day[24];
    snprintf(day, sizeof day, "%s-05", unique_month(month, sizeof month));
    new_review(day, "\"attendees\":[\"a\"],\"chair\":\"c\"", id);
    fmt_path(path, sizeof path, "/v1/reviews/%s", id);
    fmt_path(restore, sizeof restore, "/v1/reviews/%s/restore", id);

    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "ETag", etag, sizeof etag), "\"1\"");
    ck_assert_str_eq(jstr(r.json, "held_on"), day);
    http_response_clear(&r);
    const char *inm[] = {"If-None-Match: \"1\"", NULL};
    api_call(&r, "GET", path, "viewer", NULL, inm);
    ck_assert_status(r, 304);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/reviews/" MISSING_ID, "viewer", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    ck_assert_str_eq(jstr(r.json, "detail"), "no review has this id");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/reviews/REV-1", "viewer", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);

    const char *mp[] = {"Content-Type: application/merge-patch+json", "If-Match: \"1\"", NULL};
    api_call(&r, "PATCH", path, "editor",
             "{\"status\":\"held\",\"attendees\":[\"a\",\"b\"],\"chair\":null,"
             "\"summary\":\"done\"}",
             mp);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "ETag", etag, sizeof etag), "\"2\"");
    ck_assert_str_eq(jstr(r.json, "status"), "held");
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "attendees")), 2);
    ck_assert(json_is_null(json_object_get(r.json, "chair")));
    ck_assert_str_eq(jstr(r.json, "summary"), "done");
    ck_assert_str_eq(jstr(r.json, "title"), "Review");
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"summary\":\"again\"}", mp);
    ck_assert_problem(r, 412, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    char *doc = strdup(r.body);
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", doc, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);
    free(doc);
    api_call(&r, "PATCH", path, "editor",
             "{\"title\":null,\"held_on\":null,\"ref\":null,\"status\":\"cancelled\"}", NULL);
    ck_assert_problem(r, 422, "/title", "required");
    ck_assert(problem_has_error(r.json, "/held_on", "required"));
    ck_assert(problem_has_error(r.json, "/ref", "required"));
    ck_assert(problem_has_error(r.json, "/status", "enum"));
    http_response_clear(&r);
    api_call(&r, "PATCH", "/v1/reviews/" MISSING_ID, "editor", "{\"title\":\"x\"}", NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "PATCH", "/v1/reviews/0", "editor", "{\"title\":\"x\"}", NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    api_call(&r, "PATCH", path, "editor", "{\"title\":\"x\"}", xml);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);

    /* Archive and restore. */
    char list_archived[512];
    fmt_path(q, sizeof q, "/v1/reviews?held_after=%s&held_before=%s", day, day);
    fmt_path(list_archived, sizeof list_archived, "%s&include_archived=true", q);
    assert_archive_and_restore(&(archive_case){.path = path,
                                               .restore = restore,
                                               .list = q,
                                               .list_archived = list_archived,
                                               .stale_if_match = "If-Match: \"1\"",
                                               .patch_body = "{\"title\":\"x\"}",
                                               .archived_version = 3});
    api_call(&r, "DELETE", "/v1/reviews/" MISSING_ID, "admin", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/reviews/" MISSING_ID "/restore", "admin", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_reviews_roles)
{
    http_response r;
    char id[40], path[128], restore[160];
    new_review("2026-02-02", "", id);
    fmt_path(path, sizeof path, "/v1/reviews/%s", id);
    fmt_path(restore, sizeof restore, "/v1/reviews/%s/restore", id);
    const char *body = "{\"title\":\"No\",\"held_on\":\"2026-01-01\"}";
    send_expect("POST", "/v1/reviews", "viewer", body, 403);
    send_expect("POST", "/v1/reviews", "auditor", body, 403);
    send_expect("POST", "/v1/reviews", NULL, body, 401);
    send_expect("PATCH", path, "viewer", "{\"title\":\"No\"}", 403);
    send_expect("DELETE", path, "viewer", NULL, 403);
    send_expect("DELETE", path, "editor", NULL, 403);
    send_expect("POST", restore, "editor", NULL, 403);
    const char *roles[] = {"viewer", "editor", "auditor", "admin"};
    for (int i = 0; i < 4; i++) {
        send_expect("GET", path, roles[i], NULL, 200);
        send_expect("GET", "/v1/reviews?limit=1", roles[i], NULL, 200);
    }
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert_str_eq(jstr(r.json, "title"), "Review");
    http_response_clear(&r);
}
END_TEST

/* N_ITEMS reviews held in one far-past month (returned in @p month). */
static void seed_reviews(char ids[N_ITEMS][40], char *month, size_t cap)
{
    static const char *const days[N_ITEMS] = {"10", "03", "10", "28", "17", "01", "17"};
    unique_month(month, cap);
    for (int i = 0; i < N_ITEMS; i++) {
        char day[24], extra[64];
        snprintf(day, sizeof day, "%s-%s", month, days[i]);
        snprintf(extra, sizeof extra, "\"status\":\"%s\"", i % 3 == 0 ? "planned" : "held");
        new_review(day, extra, ids[i]);
    }
}

START_TEST(test_reviews_list_every_limit_returns_each_once)
{
    char base[256], m[16], ids[N_ITEMS][40];
    seed_reviews(ids, m, sizeof m);
    const char *sorts[] = {"", "&sort=-created_at", "&sort=held_on", "&sort=-held_on,ref",
                           "&sort=ref", "&sort=held_on,-created_at"};
    for (size_t s = 0; s < sizeof sorts / sizeof sorts[0]; s++) {
        for (int limit = 1; limit <= N_ITEMS + 1; limit++) {
            int pages;
            fmt_path(base, sizeof base, "/v1/reviews?held_after=%s-01&held_before=%s-28%s", m, m,
                     sorts[s]);
            json_t *j_ids = walk(base, limit, &pages);
            assert_each_once(j_ids, ids, N_ITEMS);
            ck_assert_int_eq(pages, (N_ITEMS + limit - 1) / limit);
            json_decref(j_ids);
        }
    }
}
END_TEST

START_TEST(test_reviews_list_filters_and_sort)
{
    http_response r;
    char q[512], m[16], ids[N_ITEMS][40];
    seed_reviews(ids, m, sizeof m);
    ck_assert_int_eq(
        count_at(fmt_path(q, sizeof q, "/v1/reviews?held_after=%s-01&held_before=%s-28", m, m)), 7);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/reviews?held_after=%s-01&held_before=%s-28&status=held",
                                       m, m)),
                     4);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/reviews?held_after=%s-01&held_before=%s-28"
                                       "&status=planned,held",
                                       m, m)),
                     7);
    /* Inclusive bounds. */
    ck_assert_int_eq(
        count_at(fmt_path(q, sizeof q, "/v1/reviews?held_after=%s-10&held_before=%s-17", m, m)), 4);
    ck_assert_int_eq(
        count_at(fmt_path(q, sizeof q, "/v1/reviews?held_after=%s-28&held_before=%s-28", m, m)), 1);
    ck_assert_int_eq(
        count_at(fmt_path(q, sizeof q, "/v1/reviews?held_after=%s-02&held_before=%s-02", m, m)), 0);
    fmt_path(q, sizeof q, "/v1/reviews?held_after=%s-01&held_before=%s-28&sort=held_on", m, m);
    api_call(&r, "GET", q, "viewer", NULL, NULL);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 7);
    ck_assert_str_eq(jstr(json_array_get(items, 0), "id"), ids[5]);
    ck_assert_str_eq(jstr(json_array_get(items, 6), "id"), ids[3]);
    for (size_t i = 1; i < 7; i++) {
        ck_assert_int_le(strcmp(jstr(json_array_get(items, i - 1), "held_on"),
                                jstr(json_array_get(items, i), "held_on")),
                         0);
    }
    http_response_clear(&r);
    fmt_path(q, sizeof q, "/v1/reviews?held_after=%s-01&held_before=%s-28&sort=-held_on", m, m);
    api_call(&r, "GET", q, "viewer", NULL, NULL);
    items = json_object_get(r.json, "items");
    ck_assert_str_eq(jstr(json_array_get(items, 0), "id"), ids[3]);
    ck_assert_str_eq(jstr(json_array_get(items, 6), "id"), ids[5]);
    http_response_clear(&r);

    const char *bad[][2] = {
        {"status=cancelled", "status"},   {"held_after=2026-1-1", "held_after"},
        {"held_before=x", "held_before"}, {"sort=title", "sort"},
        {"sort=status", "sort"},          {"q=review", "q"},
        {"limit=1000", "limit"},          {"include_archived=TRUE", "include_archived"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fmt_path(q, sizeof q, "/v1/reviews?%s", bad[i][0]);
        api_call(&r, "GET", q, "viewer", NULL, NULL);
        ck_assert_msg(r.status == 400, "%s gave %d", bad[i][0], r.status);
        ck_assert_str_eq(jstr(r.json, "type"), "urn:isms:problem:invalid-parameter");
        const char *field = jstr(json_array_get(json_object_get(r.json, "errors"), 0), "field");
        ck_assert_str_eq(field, bad[i][1]);
        http_response_clear(&r);
    }
}
END_TEST

START_TEST(test_reviews_audit_events)
{
    char id[40], path[128];
    new_review("2026-04-04", "", id);
    fmt_path(path, sizeof path, "/v1/reviews/%s", id);
    send_expect("PATCH", path, "editor", "{\"status\":\"held\"}", 200);
    send_expect("PATCH", path, "editor", "{\"status\":\"held\"}", 200);
    send_expect("DELETE", path, "admin", NULL, 204);
    strcat(path, "/restore");
    send_expect("POST", path, "admin", NULL, 200);
    const char *want[] = {"restore", "archive", "update", "create"};
    assert_audit(id, "review", want, 4);
}
END_TEST

/* ---- review items ---- */

START_TEST(test_review_items_create_returns_document)
{
    http_response r;
    char oid[40], rid[40], other[40], path[128], body[512], v[256], want[128];
    static const char *const keys[] = {"id",         "ref",        "review_id",  "objective_id",
                                       "decision",   "assessed_health", "observed_value",
                                       "notes",      "follow_up",  "created_at", "updated_at",
                                       "created_by", "updated_by", "version",    "archived_at",
                                       NULL};
    new_objective(oid);
    new_review("2026-03-31", "", rid);
    new_review("2026-03-31", "", other);
    fmt_path(path, sizeof path, "/v1/reviews/%s/items", rid);
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"decision\":\"revise\",\"assessed_health\":\"at_risk\","
             "\"observed_value\":12.5,\"notes\":\"Behind plan\",\"follow_up\":\"Add staff\","
             "\"review_id\":\"%s\",\"id\":\"x\"}",
             oid, other);
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_status(r, 201);
    snprintf(want, sizeof want, "/v1/review-items/%s", jstr(r.json, "id"));
    ck_assert_str_eq(http_header(&r, "Location", v, sizeof v), want);
    ck_assert_str_eq(http_header(&r, "ETag", v, sizeof v), "\"1\"");
    assert_keys(r.json, keys);
    ck_assert_int_eq(strncmp(jstr(r.json, "ref"), "RVI-", 4), 0);
    ck_assert_str_eq(jstr(r.json, "review_id"), rid);
    ck_assert_str_eq(jstr(r.json, "objective_id"), oid);
    ck_assert_str_eq(jstr(r.json, "decision"), "revise");
    ck_assert_str_eq(jstr(r.json, "assessed_health"), "at_risk");
    ck_assert(json_number_value(json_object_get(r.json, "observed_value")) == 12.5);
    ck_assert_str_eq(jstr(r.json, "notes"), "Behind plan");
    ck_assert_str_eq(jstr(r.json, "follow_up"), "Add staff");
    ck_assert_str_eq(jstr(r.json, "created_by"), "editor");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    http_response_clear(&r);
    /* Optional fields default to null. */
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"decision\":\"escalate\"}", oid);
    api_call(&r, "POST", path, "admin", body, NULL);
    ck_assert_status(r, 201);
    const char *nulls[] = {"assessed_health", "observed_value", "notes", "follow_up"};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_msg(json_is_null(json_object_get(r.json, nulls[i])), "%s not null", nulls[i]);
    }
    ck_assert_str_eq(jstr(r.json, "created_by"), "admin");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_review_items_validation)
{
    http_response r;
    char oid[40], rid[40], dead[40], path[128], body[512];
    new_objective(oid);
    new_review("2026-03-31", "", rid);
    fmt_path(path, sizeof path, "/v1/reviews/%s/items", rid);
    api_call(&r, "POST", path, "editor", "{}", NULL);
    ck_assert_problem(r, 422, "/objective_id", "required");
    ck_assert(problem_has_error(r.json, "/decision", "required"));
    http_response_clear(&r);
    api_call(&r, "POST", path, "editor",
             "{\"objective_id\":\"OBJ-1\",\"decision\":\"defer\",\"assessed_health\":\"green\","
             "\"observed_value\":\"12\",\"notes\":false,\"score\":1,\"ref\":\"\"}",
             NULL);
    ck_assert_problem(r, 422, "/objective_id", "format");
    ck_assert(problem_has_error(r.json, "/decision", "enum"));
    ck_assert(problem_has_error(r.json, "/assessed_health", "enum"));
    ck_assert(problem_has_error(r.json, "/observed_value", "type"));
    ck_assert(problem_has_error(r.json, "/notes", "type"));
    ck_assert(problem_has_error(r.json, "/score", "unknown_field"));
    ck_assert(problem_has_error(r.json, "/ref", "length"));
    http_response_clear(&r);
    /* overdue and no_data are computed healths, not assessments. */
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"decision\":\"continue\",\"assessed_health\":\"overdue\"}",
             oid);
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_problem(r, 422, "/assessed_health", "enum");
    http_response_clear(&r);
    /* The objective must exist and be live. */
    api_call(&r, "POST", path, "editor",
             "{\"objective_id\":\"" MISSING_ID "\",\"decision\":\"continue\"}", NULL);
    ck_assert_problem(r, 422, "/objective_id", "reference");
    http_response_clear(&r);
    new_objective(dead);
    char opath[128];
    send_expect("DELETE", fmt_path(opath, sizeof opath, "/v1/objectives/%s", dead), "admin", NULL,
                204);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"decision\":\"close_achieved\"}", dead);
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_problem(r, 422, "/objective_id", "reference");
    http_response_clear(&r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"decision\":\"continue\"}", oid);
    api_call(&r, "POST", path, "editor", body, xml);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);
    fmt_path(path, sizeof path, "/v1/reviews/%s/items?include_archived=true", rid);
    ck_assert_int_eq(count_at(path), 0);
    /* Every decision and assessment in the design is accepted. */
    const char *decisions[] = {"continue", "revise", "close_achieved", "close_not_achieved",
                               "escalate"};
    const char *healths[] = {"on_track", "at_risk", "off_track", "achieved", "not_achieved"};
    fmt_path(path, sizeof path, "/v1/reviews/%s/items", rid);
    for (int i = 0; i < 5; i++) {
        snprintf(body, sizeof body,
                 "{\"objective_id\":\"%s\",\"decision\":\"%s\",\"assessed_health\":\"%s\"}", oid,
                 decisions[i], healths[i]);
        send_expect("POST", path, "editor", body, 201);
    }
    ck_assert_int_eq(count_at(path), 5);
}
END_TEST

START_TEST(test_review_items_parent_errors)
{
    http_response r;
    char oid[40], rid[40], iid[40], path[128], body[256];
    new_objective(oid);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"decision\":\"continue\"}", oid);
    api_call(&r, "POST", "/v1/reviews/" MISSING_ID "/items", "editor", body, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    ck_assert_str_eq(jstr(r.json, "detail"), "no review has this id");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/reviews/" MISSING_ID "/items", "viewer", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/reviews/abc/items", "editor", body, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/reviews/abc/items", "viewer", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);

    new_review("2026-03-31", "", rid);
    new_item(rid, oid, "", iid);
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/reviews/%s", rid), "admin", NULL, 204);
    fmt_path(path, sizeof path, "/v1/reviews/%s/items", rid);
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(r.json, "items"), 0), "id"), iid);
    http_response_clear(&r);
    /* An item of a review archived later can still be corrected. */
    fmt_path(path, sizeof path, "/v1/review-items/%s", iid);
    api_call(&r, "PATCH", path, "editor", "{\"notes\":\"minuted late\"}", NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "notes"), "minuted late");
    http_response_clear(&r);
    /* Archived, it comes back only once its review is restored. */
    send_expect("DELETE", path, "admin", NULL, 204);
    strcat(path, "/restore");
    api_call(&r, "POST", path, "admin", NULL, NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);
    char rpath[160];
    send_expect("POST", fmt_path(rpath, sizeof rpath, "/v1/reviews/%s/restore", rid), "admin",
                NULL, 200);
    api_call(&r, "POST", path, "admin", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    http_response_clear(&r);
}
END_TEST

START_TEST(test_review_items_get_patch_archive_restore)
{
    http_response r;
    char oid[40], oid2[40], rid[40], other[40], id[40], path[128], restore[160], list[160];
    char q[256], body[256];
    new_objective(oid);
    new_objective(oid2);
    new_review("2026-03-31", "", rid);
    new_review("2026-03-31", "", other);
    new_item(rid, oid, "\"assessed_health\":\"on_track\",\"notes\":\"n\"", id);
    fmt_path(path, sizeof path, "/v1/review-items/%s", id);
    fmt_path(restore, sizeof restore, "/v1/review-items/%s/restore", id);
    fmt_path(list, sizeof list, "/v1/reviews/%s/items", rid);

    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "ETag", q, sizeof q), "\"1\"");
    ck_assert_str_eq(jstr(r.json, "assessed_health"), "on_track");
    http_response_clear(&r);
    const char *inm[] = {"If-None-Match: \"1\"", NULL};
    api_call(&r, "GET", path, "viewer", NULL, inm);
    ck_assert_status(r, 304);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/review-items/" MISSING_ID, "viewer", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/review-items/RVI-000001", "viewer", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);

    /* Merge patch: review_id is read-only; objective_id may move to another live one. */
    snprintf(body, sizeof body,
             "{\"review_id\":\"%s\",\"objective_id\":\"%s\",\"notes\":null,"
             "\"decision\":\"revise\"}",
             other, oid2);
    const char *mp[] = {"Content-Type: application/merge-patch+json", "If-Match: \"1\"", NULL};
    api_call(&r, "PATCH", path, "editor", body, mp);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "review_id"), rid);
    ck_assert_str_eq(jstr(r.json, "objective_id"), oid2);
    ck_assert(json_is_null(json_object_get(r.json, "notes")));
    ck_assert_str_eq(jstr(r.json, "decision"), "revise");
    ck_assert_str_eq(jstr(r.json, "assessed_health"), "on_track");
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"notes\":\"x\"}", mp);
    ck_assert_problem(r, 412, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor",
             "{\"decision\":null,\"objective_id\":null,\"ref\":null,\"assessed_health\":\"meh\"}",
             NULL);
    ck_assert_problem(r, 422, "/decision", "required");
    ck_assert(problem_has_error(r.json, "/objective_id", "required"));
    ck_assert(problem_has_error(r.json, "/ref", "required"));
    ck_assert(problem_has_error(r.json, "/assessed_health", "enum"));
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"objective_id\":\"" MISSING_ID "\"}", NULL);
    ck_assert_problem(r, 422, "/objective_id", "reference");
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"decision\":\"revise\"}", NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);
    api_call(&r, "PATCH", "/v1/review-items/" MISSING_ID, "editor", "{\"notes\":\"x\"}", NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "PATCH", "/v1/review-items/x", "editor", "{\"notes\":\"x\"}", NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    api_call(&r, "PATCH", path, "editor", "{\"notes\":\"x\"}", xml);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);

    /* Its objective archived later: other fields may change, and the GET body sent back
     * (with the unchanged objective_id) is a no-op; changing to an archived one is not. */
    send_expect("DELETE", fmt_path(q, sizeof q, "/v1/objectives/%s", oid2), "admin", NULL, 204);
    api_call(&r, "PATCH", path, "editor", "{\"follow_up\":\"next quarter\"}", NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "follow_up"), "next quarter");
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    char *doc = strdup(r.body);
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", doc, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);
    free(doc);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\"}", oid);
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "objective_id"), oid);
    ck_assert_int_eq(jint(r.json, "version"), 4);
    http_response_clear(&r);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\"}", oid2);
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_problem(r, 422, "/objective_id", "reference");
    http_response_clear(&r);

    /* Archive and restore. */
    char list_archived[512];
    fmt_path(list_archived, sizeof list_archived, "%s?include_archived=true", list);
    assert_archive_and_restore(&(archive_case){.path = path,
                                               .restore = restore,
                                               .list = list,
                                               .list_archived = list_archived,
                                               .stale_if_match = "If-Match: \"3\"",
                                               .patch_body = "{\"notes\":\"x\"}",
                                               .archived_version = 5});

    /* An item comes back only while the objective it names is live. */
    send_expect("DELETE", path, "admin", NULL, 204);
    send_expect("DELETE", fmt_path(q, sizeof q, "/v1/objectives/%s", oid), "admin", NULL, 204);
    api_call(&r, "POST", restore, "admin", NULL, NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);
    send_expect("POST", fmt_path(q, sizeof q, "/v1/objectives/%s/restore", oid), "admin", NULL,
                200);
    api_call(&r, "POST", restore, "admin", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r.json, "version"), 8);
    http_response_clear(&r);
    api_call(&r, "DELETE", "/v1/review-items/" MISSING_ID, "admin", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/review-items/" MISSING_ID "/restore", "admin", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);

    /* Refs. */
    char ref[64];
    harness_unique("RVI", ref, sizeof ref);
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"decision\":\"continue\",\"ref\":\"%s\"}", oid, ref);
    api_call(&r, "POST", list, "editor", body, NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "ref"), ref);
    http_response_clear(&r);
    api_call(&r, "POST", fmt_path(q, sizeof q, "/v1/reviews/%s/items", other), "editor", body,
             NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
    snprintf(body, sizeof body, "{\"ref\":\"%s\"}", ref);
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_review_items_roles)
{
    http_response r;
    char oid[40], rid[40], id[40], list[128], path[128], restore[160], body[256];
    new_objective(oid);
    new_review("2026-03-31", "", rid);
    new_item(rid, oid, "", id);
    fmt_path(list, sizeof list, "/v1/reviews/%s/items", rid);
    fmt_path(path, sizeof path, "/v1/review-items/%s", id);
    fmt_path(restore, sizeof restore, "/v1/review-items/%s/restore", id);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"decision\":\"continue\"}", oid);
    send_expect("POST", list, "viewer", body, 403);
    send_expect("POST", list, "auditor", body, 403);
    send_expect("POST", list, NULL, body, 401);
    send_expect("PATCH", path, "viewer", "{\"notes\":\"No\"}", 403);
    send_expect("DELETE", path, "viewer", NULL, 403);
    send_expect("DELETE", path, "editor", NULL, 403);
    send_expect("POST", restore, "editor", NULL, 403);
    const char *roles[] = {"viewer", "editor", "auditor", "admin"};
    for (int i = 0; i < 4; i++) {
        send_expect("GET", path, roles[i], NULL, 200);
        send_expect("GET", list, roles[i], NULL, 200);
    }
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "version"), 1);
    http_response_clear(&r);
    ck_assert_int_eq(count_at(list), 1);
}
END_TEST

START_TEST(test_review_items_list_every_limit_and_filters)
{
    http_response r;
    char a[40], b[40], rid[40], base[256], ids[N_ITEMS][40], q[256];
    static const char *const decisions[N_ITEMS] = {"continue", "revise", "continue", "escalate",
                                                   "close_achieved", "continue", "revise"};
    new_objective(a);
    new_objective(b);
    new_review("2026-03-31", "", rid);
    for (int i = 0; i < N_ITEMS; i++) {
        char body[256];
        fmt_path(q, sizeof q, "/v1/reviews/%s/items", rid);
        snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"decision\":\"%s\"}",
                 i < 4 ? a : b, decisions[i]);
        post_ok(q, body, ids[i]);
    }
    const char *sorts[] = {"", "?sort=-created_at", "?sort=ref", "?sort=-ref",
                           "?sort=created_at,ref"};
    for (size_t s = 0; s < sizeof sorts / sizeof sorts[0]; s++) {
        for (int limit = 1; limit <= N_ITEMS + 1; limit++) {
            int pages;
            fmt_path(base, sizeof base, "/v1/reviews/%s/items%s", rid, sorts[s]);
            json_t *j_ids = walk(base, limit, &pages);
            assert_each_once(j_ids, ids, N_ITEMS);
            ck_assert_int_eq(pages, (N_ITEMS + limit - 1) / limit);
            json_decref(j_ids);
        }
    }
    ck_assert_int_eq(
        count_at(fmt_path(q, sizeof q, "/v1/reviews/%s/items?objective_id=%s", rid, a)), 4);
    ck_assert_int_eq(
        count_at(fmt_path(q, sizeof q, "/v1/reviews/%s/items?objective_id=%s", rid, b)), 3);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/reviews/%s/items?decision=continue", rid)),
                     3);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/reviews/%s/items?decision=revise,escalate", rid)),
                     3);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/reviews/%s/items?decision=continue&objective_id=%s",
                                       rid, b)),
                     1);
    fmt_path(q, sizeof q, "/v1/reviews/%s/items?sort=-created_at", rid);
    api_call(&r, "GET", q, "viewer", NULL, NULL);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(r.json, "items"), 0), "id"),
                     ids[N_ITEMS - 1]);
    http_response_clear(&r);
    const char *bad[][2] = {
        {"decision=defer", "decision"},  {"objective_id=abc", "objective_id"},
        {"sort=decision", "sort"},       {"status=held", "status"},
        {"limit=0", "limit"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fmt_path(q, sizeof q, "/v1/reviews/%s/items?%s", rid, bad[i][0]);
        api_call(&r, "GET", q, "viewer", NULL, NULL);
        ck_assert_msg(r.status == 400, "%s gave %d", bad[i][0], r.status);
        const char *field = jstr(json_array_get(json_object_get(r.json, "errors"), 0), "field");
        ck_assert_str_eq(field, bad[i][1]);
        http_response_clear(&r);
    }
}
END_TEST

START_TEST(test_review_items_audit_events)
{
    char oid[40], rid[40], id[40], path[128];
    new_objective(oid);
    new_review("2026-03-31", "", rid);
    new_item(rid, oid, "", id);
    fmt_path(path, sizeof path, "/v1/review-items/%s", id);
    send_expect("PATCH", path, "editor", "{\"assessed_health\":\"off_track\"}", 200);
    send_expect("DELETE", path, "admin", NULL, 204);
    strcat(path, "/restore");
    send_expect("POST", path, "admin", NULL, 200);
    const char *want[] = {"restore", "archive", "update", "create"};
    assert_audit(id, "review_item", want, 4);
}
END_TEST

Suite *suite_http_reviews(void)
{
    Suite *s = suite_create("http_reviews");
    TCase *tc = tcase_create("reviews");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_reviews_create_returns_document);
    tcase_add_test(tc, test_reviews_defaults_and_read_only_ignored);
    tcase_add_test(tc, test_reviews_validation);
    tcase_add_test(tc, test_reviews_ref_assigned_explicit_and_duplicate);
    tcase_add_test(tc, test_reviews_get_patch_archive_restore);
    tcase_add_test(tc, test_reviews_roles);
    tcase_add_test(tc, test_reviews_list_every_limit_returns_each_once);
    tcase_add_test(tc, test_reviews_list_filters_and_sort);
    tcase_add_test(tc, test_reviews_audit_events);
    suite_add_tcase(s, tc);
    TCase *ti = tcase_create("review_items");
    tcase_set_timeout(ti, 120);
    tcase_add_test(ti, test_review_items_create_returns_document);
    tcase_add_test(ti, test_review_items_validation);
    tcase_add_test(ti, test_review_items_parent_errors);
    tcase_add_test(ti, test_review_items_get_patch_archive_restore);
    tcase_add_test(ti, test_review_items_roles);
    tcase_add_test(ti, test_review_items_list_every_limit_and_filters);
    tcase_add_test(ti, test_review_items_audit_events);
    suite_add_tcase(s, ti);
    return s;
}
