/* Plans and their actions: create, read, merge patch, archive, restore; validation, the
 * objective reference, archive rules between objectives and plans, roles, lists, audit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "integration/suites.h"
#include "support/check_helpers.h"
#include "support/suite_helpers.h"

#define N_ITEMS 7
#define MISSING_ID "6f1c2b7e-0000-4000-8000-000000000000"

static void new_objective(char *id)
{
    post_ok("/v1/objectives",
            "{\"title\":\"Planned\",\"level\":\"tactical\",\"measure\":{\"metric\":\"m\","
            "\"baseline\":0,\"target\":100,\"direction\":\"increase\"}}",
            id);
}

/* A plan of objective @p oid; @p extra is more JSON members (may be ""). */
static void new_plan(const char *oid, const char *extra, char *id)
{
    char body[1024];
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"title\":\"Plan\"%s%s}", oid,
             extra[0] ? "," : "", extra);
    post_ok("/v1/plans", body, id);
}

/* An action of plan @p pid; @p extra is more JSON members (may be ""). */
static void new_action(const char *pid, const char *extra, char *id)
{
    char path[128], body[1024];
    fmt_path(path, sizeof path, "/v1/plans/%s/actions", pid);
    snprintf(body, sizeof body, "{\"title\":\"Step\"%s%s}", extra[0] ? "," : "", extra);
    post_ok(path, body, id);
}

/* The audit trail of @p id is @p n events of @p type with these actions, newest first. */
static void assert_audit(const char *id, const char *type, const char *const *actions, int n)
{
    json_t *items = audit_of(id);
    ck_assert_int_eq(json_array_size(items), n);
    for (int i = 0; i < n; i++) {
        json_t *e = json_array_get(items, (size_t)i);
        ck_assert_str_eq(jstr(e, "action"), actions[i]);
        ck_assert_str_eq(jstr(e, "resource_type"), type);
        ck_assert_str_eq(jstr(e, "resource_id"), id);
    }
    json_decref(items);
}

/* ---- plans ---- */

START_TEST(test_plans_create_returns_document)
{
    http_response r;
    char oid[40], body[1024], v[256], want[128];
    static const char *const keys[] = {
        "id",         "ref",        "objective_id",      "title",
        "activities", "resources",  "budget",            "effort_days",
        "responsible", "start_date", "due_date",         "evaluation_method",
        "evaluation_frequency",     "status",            "created_at",
        "updated_at", "created_by", "updated_by",        "version",
        "archived_at", NULL};
    new_objective(oid);
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"title\":\"Phishing training\","
             "\"activities\":\"Quarterly campaigns\",\"resources\":\"Vendor platform\","
             "\"budget\":{\"amount\":1500.5,\"currency\":\"EUR\"},\"effort_days\":12.5,"
             "\"responsible\":\"security team\",\"start_date\":\"2026-01-01\","
             "\"due_date\":\"2026-06-30\",\"evaluation_method\":\"click rate report\","
             "\"evaluation_frequency\":\"every campaign\",\"status\":\"in_progress\"}",
             oid);
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_status(r, 201);
    snprintf(want, sizeof want, "/v1/plans/%s", jstr(r.json, "id"));
    ck_assert_str_eq(http_header(&r, "Location", v, sizeof v), want);
    ck_assert_str_eq(http_header(&r, "ETag", v, sizeof v), "\"1\"");
    assert_keys(r.json, keys);
    ck_assert_int_eq(strncmp(jstr(r.json, "ref"), "PLN-", 4), 0);
    ck_assert_str_eq(jstr(r.json, "objective_id"), oid);
    ck_assert_str_eq(jstr(r.json, "title"), "Phishing training");
    ck_assert_str_eq(jstr(r.json, "activities"), "Quarterly campaigns");
    ck_assert_str_eq(jstr(r.json, "resources"), "Vendor platform");
    json_t *b = json_object_get(r.json, "budget");
    ck_assert(json_number_value(json_object_get(b, "amount")) == 1500.5);
    ck_assert_str_eq(jstr(b, "currency"), "EUR");
    ck_assert_int_eq(json_object_size(b), 2);
    ck_assert(json_number_value(json_object_get(r.json, "effort_days")) == 12.5);
    ck_assert_str_eq(jstr(r.json, "responsible"), "security team");
    ck_assert_str_eq(jstr(r.json, "start_date"), "2026-01-01");
    ck_assert_str_eq(jstr(r.json, "due_date"), "2026-06-30");
    ck_assert_str_eq(jstr(r.json, "evaluation_method"), "click rate report");
    ck_assert_str_eq(jstr(r.json, "evaluation_frequency"), "every campaign");
    ck_assert_str_eq(jstr(r.json, "status"), "in_progress");
    ck_assert_str_eq(jstr(r.json, "created_by"), "editor");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    http_response_clear(&r);
}
END_TEST

START_TEST(test_plans_defaults_and_read_only_ignored)
{
    http_response r;
    char oid[40], body[512];
    new_objective(oid);
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"title\":\"Minimal\",\"id\":\"x\",\"version\":7,"
             "\"created_by\":\"mallory\",\"archived_at\":\"2020-01-01T00:00:00Z\"}",
             oid);
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "status"), "planned");
    ck_assert(json_is_null(json_object_get(r.json, "budget")));
    const char *nulls[] = {"activities", "resources", "effort_days", "responsible", "start_date",
                           "due_date", "evaluation_method", "evaluation_frequency"};
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++) {
        ck_assert_msg(json_is_null(json_object_get(r.json, nulls[i])), "%s not null", nulls[i]);
    }
    ck_assert_str_ne(jstr(r.json, "id"), "x");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert_str_eq(jstr(r.json, "created_by"), "editor");
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    http_response_clear(&r);
    /* budget: null is no budget; a zero amount is a budget. */
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"title\":\"Zero\",\"budget\":{\"amount\":0,"
             "\"currency\":\"USD\"},\"effort_days\":0}",
             oid);
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_status(r, 201);
    ck_assert(json_number_value(json_object_get(json_object_get(r.json, "budget"), "amount")) ==
              0.0);
    ck_assert(json_number_value(json_object_get(r.json, "effort_days")) == 0.0);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_plans_validation)
{
    http_response r;
    char oid[40], body[1024], title[260];
    new_objective(oid);
    api_call(&r, "POST", "/v1/plans", "editor", "{}", NULL);
    ck_assert_problem(r, 422, "/objective_id", "required");
    ck_assert(problem_has_error(r.json, "/title", "required"));
    ck_assert_str_eq(jstr(r.json, "type"), "urn:isms:problem:validation-failed");
    http_response_clear(&r);
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"title\":\"\",\"budget\":{\"amount\":-1,"
             "\"currency\":\"EURO\"},\"effort_days\":-0.5,\"status\":\"done\","
             "\"start_date\":\"2026-13-01\",\"due_date\":\"2026-02-30\",\"colour\":1,"
             "\"responsible\":7,\"ref\":\"a b\"}",
             oid);
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_problem(r, 422, "/title", "length");
    ck_assert(problem_has_error(r.json, "/budget/amount", "range"));
    ck_assert(problem_has_error(r.json, "/budget/currency", "format"));
    ck_assert(problem_has_error(r.json, "/effort_days", "range"));
    ck_assert(problem_has_error(r.json, "/status", "enum"));
    ck_assert(problem_has_error(r.json, "/start_date", "format"));
    ck_assert(problem_has_error(r.json, "/due_date", "format"));
    ck_assert(problem_has_error(r.json, "/colour", "unknown_field"));
    ck_assert(problem_has_error(r.json, "/responsible", "type"));
    ck_assert(problem_has_error(r.json, "/ref", "pattern"));
    http_response_clear(&r);
    snprintf(body, sizeof body,
             "{\"objective_id\":\"not-a-uuid\",\"title\":\"x\",\"budget\":{},"
             "\"effort_days\":\"3\"}");
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_problem(r, 422, "/objective_id", "format");
    ck_assert(problem_has_error(r.json, "/budget/amount", "required"));
    ck_assert(problem_has_error(r.json, "/budget/currency", "required"));
    ck_assert(problem_has_error(r.json, "/effort_days", "type"));
    http_response_clear(&r);
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"title\":\"x\",\"budget\":\"1000 EUR\"}", oid);
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_problem(r, 422, "/budget", "type");
    http_response_clear(&r);
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"title\":\"x\",\"budget\":{\"amount\":\"5\","
             "\"currency\":\"eur\",\"note\":1}}",
             oid);
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_problem(r, 422, "/budget/amount", "type");
    ck_assert(problem_has_error(r.json, "/budget/currency", "format"));
    ck_assert(problem_has_error(r.json, "/budget/note", "unknown_field"));
    http_response_clear(&r);
    /* Dates in order; 200 characters of title at most. */
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"title\":\"x\",\"start_date\":\"2026-05-01\","
             "\"due_date\":\"2026-04-30\"}",
             oid);
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_problem(r, 422, "/due_date", "range");
    http_response_clear(&r);
    memset(title, 'p', 201);
    title[201] = '\0';
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"title\":\"%s\"}", oid, title);
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_problem(r, 422, "/title", "length");
    http_response_clear(&r);
    title[200] = '\0';
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"title\":\"%s\",\"start_date\":\"2026-05-01\","
             "\"due_date\":\"2026-05-01\"}",
             oid, title);
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_status(r, 201);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/plans", "editor", "{\"objective_id\":", NULL);
    ck_assert_problem(r, 400, NULL, NULL);
    http_response_clear(&r);
    const char *xml[] = {"Content-Type: text/plain", NULL};
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"title\":\"x\"}", oid);
    api_call(&r, "POST", "/v1/plans", "editor", body, xml);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_plans_objective_reference)
{
    http_response r;
    char oid[40], body[512];
    api_call(&r, "POST", "/v1/plans", "editor",
             "{\"objective_id\":\"" MISSING_ID "\",\"title\":\"Orphan\"}", NULL);
    ck_assert_problem(r, 422, "/objective_id", "reference");
    http_response_clear(&r);
    new_objective(oid);
    char path[128];
    fmt_path(path, sizeof path, "/v1/objectives/%s", oid);
    send_expect("DELETE", path, "admin", NULL, 204);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"title\":\"Under archived\"}", oid);
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_problem(r, 422, "/objective_id", "reference");
    http_response_clear(&r);
    fmt_path(path, sizeof path, "/v1/plans?objective_id=%s&include_archived=true", oid);
    ck_assert_int_eq(count_at(path), 0);
}
END_TEST

START_TEST(test_plans_ref_assigned_explicit_and_duplicate)
{
    http_response r;
    char oid[40], id[40], ref[64], body[512], path[128];
    new_objective(oid);
    harness_unique("PLN", ref, sizeof ref);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"title\":\"R\",\"ref\":\"%s\"}", oid,
             ref);
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "ref"), ref);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
    new_plan(oid, "", id);
    fmt_path(path, sizeof path, "/v1/plans/%s", id);
    snprintf(body, sizeof body, "{\"ref\":\"%s\"}", ref);
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
    /* A ref taken by an archived plan stays taken. */
    char other[40], ref2[64];
    harness_unique("PLN", ref2, sizeof ref2);
    snprintf(body, sizeof body, "\"ref\":\"%s\"", ref2);
    new_plan(oid, body, other);
    fmt_path(path, sizeof path, "/v1/plans/%s", other);
    send_expect("DELETE", path, "admin", NULL, 204);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"title\":\"R\",\"ref\":\"%s\"}", oid,
             ref2);
    api_call(&r, "POST", "/v1/plans", "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_plans_get_etag_304_missing_malformed)
{
    http_response r;
    char oid[40], id[40], path[128], etag[32];
    new_objective(oid);
    new_plan(oid, "\"responsible\":\"ann\"", id);
    fmt_path(path, sizeof path, "/v1/plans/%s", id);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "ETag", etag, sizeof etag), "\"1\"");
    ck_assert_str_eq(jstr(r.json, "responsible"), "ann");
    http_response_clear(&r);
    const char *inm[] = {"If-None-Match: \"1\"", NULL};
    api_call(&r, "GET", path, "viewer", NULL, inm);
    ck_assert_status(r, 304);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/plans/" MISSING_ID, "viewer", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    ck_assert_str_eq(jstr(r.json, "detail"), "no plan has this id");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/plans/PLN-000001", "viewer", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_plans_patch_merge)
{
    http_response r;
    char oid[40], id[40], path[128], etag[32];
    new_objective(oid);
    new_plan(oid,
             "\"budget\":{\"amount\":100,\"currency\":\"GBP\"},\"activities\":\"a\","
             "\"start_date\":\"2026-01-01\"",
             id);
    fmt_path(path, sizeof path, "/v1/plans/%s", id);
    const char *mp[] = {"Content-Type: application/merge-patch+json", "If-Match: \"1\"", NULL};
    api_call(&r, "PATCH", path, "editor",
             "{\"budget\":{\"amount\":250},\"activities\":null,\"status\":\"blocked\"}", mp);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "ETag", etag, sizeof etag), "\"2\"");
    ck_assert_int_eq(jint(r.json, "version"), 2);
    json_t *b = json_object_get(r.json, "budget");
    ck_assert(json_number_value(json_object_get(b, "amount")) == 250.0);
    ck_assert_str_eq(jstr(b, "currency"), "GBP");
    ck_assert(json_is_null(json_object_get(r.json, "activities")));
    ck_assert_str_eq(jstr(r.json, "status"), "blocked");
    ck_assert_str_eq(jstr(r.json, "title"), "Plan");
    http_response_clear(&r);

    api_call(&r, "PATCH", path, "editor", "{\"status\":\"completed\"}", mp);
    ck_assert_problem(r, 412, NULL, NULL);
    http_response_clear(&r);

    /* The GET body sent back is a no-op. */
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    char *doc = strdup(r.body);
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", doc, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);
    free(doc);

    /* A currency change alone, then the budget cleared. */
    api_call(&r, "PATCH", path, "editor", "{\"budget\":{\"currency\":\"JPY\"}}", NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(json_object_get(r.json, "budget"), "currency"), "JPY");
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"budget\":{\"currency\":\"EURO\"}}", NULL);
    ck_assert_problem(r, 422, "/budget/currency", "format");
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"budget\":null}", NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_null(json_object_get(r.json, "budget")));
    ck_assert_int_eq(jint(r.json, "version"), 4);
    http_response_clear(&r);
    /* due_date before the stored start_date. */
    api_call(&r, "PATCH", path, "editor", "{\"due_date\":\"2025-12-31\"}", NULL);
    ck_assert_problem(r, 422, "/due_date", "range");
    http_response_clear(&r);
    /* Moving the plan to another live objective. */
    char other[40], body[128];
    new_objective(other);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\"}", other);
    api_call(&r, "PATCH", path, "admin", body, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "objective_id"), other);
    ck_assert_str_eq(jstr(r.json, "updated_by"), "admin");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_plans_patch_errors)
{
    http_response r;
    char oid[40], id[40], path[128];
    new_objective(oid);
    new_plan(oid, "", id);
    fmt_path(path, sizeof path, "/v1/plans/%s", id);
    api_call(&r, "PATCH", path, "editor",
             "{\"title\":null,\"objective_id\":null,\"ref\":null,\"colour\":\"red\"}", NULL);
    ck_assert_problem(r, 422, "/title", "required");
    ck_assert(problem_has_error(r.json, "/objective_id", "required"));
    ck_assert(problem_has_error(r.json, "/ref", "required"));
    ck_assert(problem_has_error(r.json, "/colour", "unknown_field"));
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor",
             "{\"objective_id\":\"" MISSING_ID "\",\"status\":\"finished\"}", NULL);
    ck_assert_problem(r, 422, "/objective_id", "reference");
    ck_assert(problem_has_error(r.json, "/status", "enum"));
    http_response_clear(&r);
    api_call(&r, "PATCH", "/v1/plans/" MISSING_ID, "editor", "{\"title\":\"x\"}", NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "PATCH", "/v1/plans/1", "editor", "{\"title\":\"x\"}", NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    api_call(&r, "PATCH", path, "editor", "{\"title\":\"x\"}", xml);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert_str_eq(jstr(r.json, "title"), "Plan");
    ck_assert_str_eq(jstr(r.json, "objective_id"), oid);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_plans_archive_and_restore)
{
    http_response r;
    char oid[40], id[40], keep[40], path[128], restore[160], q[256];
    new_objective(oid);
    new_plan(oid, "", id);
    new_plan(oid, "", keep);
    fmt_path(path, sizeof path, "/v1/plans/%s", id);
    fmt_path(restore, sizeof restore, "/v1/plans/%s/restore", id);

    const char *stale[] = {"If-Match: \"2\"", NULL};
    api_call(&r, "DELETE", path, "admin", NULL, stale);
    ck_assert_problem(r, 412, NULL, NULL);
    http_response_clear(&r);
    const char *fresh[] = {"If-Match: \"1\"", NULL};
    api_call(&r, "DELETE", path, "admin", NULL, fresh);
    ck_assert_status(r, 204);
    http_response_clear(&r);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_string(json_object_get(r.json, "archived_at")));
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/plans?objective_id=%s", oid)), 1);
    ck_assert_int_eq(
        count_at(fmt_path(q, sizeof q, "/v1/plans?objective_id=%s&include_archived=true", oid)),
        2);
    api_call(&r, "PATCH", path, "editor", "{\"title\":\"x\"}", NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);
    send_expect("DELETE", path, "admin", NULL, 204);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);
    api_call(&r, "POST", restore, "admin", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);
    api_call(&r, "POST", restore, "admin", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/plans?objective_id=%s", oid)), 2);
    api_call(&r, "DELETE", "/v1/plans/" MISSING_ID, "admin", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/plans/" MISSING_ID "/restore", "admin", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "DELETE", "/v1/plans/x", "admin", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_plans_and_objective_archive_rules)
{
    http_response r;
    char oid[40], pid[40], mid[40], path[128], opath[128], body[256];
    new_objective(oid);
    new_plan(oid, "", pid);
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements", oid);
    post_ok(path, "{\"value\":5,\"measured_on\":\"2025-01-01\"}", mid);
    fmt_path(opath, sizeof opath, "/v1/objectives/%s", oid);

    /* A live plan blocks archiving its objective. */
    api_call(&r, "DELETE", opath, "admin", NULL, NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);
    api_call(&r, "GET", opath, "viewer", NULL, NULL);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert_int_eq(jint(r.json, "plan_count"), 1);
    http_response_clear(&r);

    /* Plan first, then the objective. */
    fmt_path(path, sizeof path, "/v1/plans/%s", pid);
    send_expect("DELETE", path, "admin", NULL, 204);
    send_expect("DELETE", opath, "admin", NULL, 204);

    /* The archived plan is read-only; a live measurement of the archived objective is not. */
    api_call(&r, "PATCH", path, "editor", "{\"status\":\"cancelled\"}", NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);
    fmt_path(body, sizeof body, "/v1/measurements/%s", mid);
    api_call(&r, "PATCH", body, "editor", "{\"note\":\"late correction\"}", NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "note"), "late correction");
    http_response_clear(&r);

    /* A plan comes back only under a live objective. */
    char restore[160];
    fmt_path(restore, sizeof restore, "/v1/plans/%s/restore", pid);
    api_call(&r, "POST", restore, "admin", NULL, NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert(json_is_string(json_object_get(r.json, "archived_at")));
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);
    strcat(opath, "/restore");
    send_expect("POST", opath, "admin", NULL, 200);
    api_call(&r, "POST", restore, "admin", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);

    /* Moving the plan to an archived objective is refused. */
    char dead[40];
    new_objective(dead);
    send_expect("DELETE", fmt_path(body, sizeof body, "/v1/objectives/%s", dead), "admin", NULL,
                204);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"title\":\"Moved\"}", dead);
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_problem(r, 422, "/objective_id", "reference");
    http_response_clear(&r);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_str_eq(jstr(r.json, "title"), "Plan");
    ck_assert_str_eq(jstr(r.json, "objective_id"), oid);
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_plans_roles)
{
    http_response r;
    char oid[40], id[40], path[128], restore[160], body[256];
    new_objective(oid);
    new_plan(oid, "", id);
    fmt_path(path, sizeof path, "/v1/plans/%s", id);
    fmt_path(restore, sizeof restore, "/v1/plans/%s/restore", id);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"title\":\"No\"}", oid);
    send_expect("POST", "/v1/plans", "viewer", body, 403);
    send_expect("POST", "/v1/plans", "auditor", body, 403);
    send_expect("POST", "/v1/plans", NULL, body, 401);
    send_expect("PATCH", path, "viewer", "{\"title\":\"No\"}", 403);
    send_expect("DELETE", path, "viewer", NULL, 403);
    send_expect("DELETE", path, "editor", NULL, 403);
    send_expect("POST", restore, "editor", NULL, 403);
    send_expect("POST", restore, "auditor", NULL, 403);
    send_expect("GET", "/v1/plans", NULL, NULL, 401);
    const char *roles[] = {"viewer", "editor", "auditor", "admin"};
    for (int i = 0; i < 4; i++) {
        send_expect("GET", path, roles[i], NULL, 200);
        send_expect("GET", "/v1/plans?limit=1", roles[i], NULL, 200);
    }
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert_str_eq(jstr(r.json, "title"), "Plan");
    http_response_clear(&r);
    char q[256];
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/plans?objective_id=%s", oid)), 1);
}
END_TEST

/* N_ITEMS plans under one new objective: titles, statuses, due dates and people vary. */
static void seed_plans(char *oid, char ids[N_ITEMS][40], char *tag, size_t tag_cap)
{
    static const char *const titles[N_ITEMS] = {"delta", "Alpha", "charlie", "bravo",
                                                "echo",  "alpha", "Foxtrot"};
    static const char *const statuses[N_ITEMS] = {"planned", "in_progress", "planned",
                                                  "cancelled", "blocked", "planned",
                                                  "completed"};
    new_objective(oid);
    harness_unique("tag", tag, tag_cap);
    for (int i = 0; i < N_ITEMS; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 "{\"objective_id\":\"%s\",\"title\":\"%s %s\",\"status\":\"%s\","
                 "\"responsible\":\"%s\",\"due_date\":\"2027-0%d-15\"}",
                 oid, titles[i], i < 2 ? tag : "", statuses[i], i < 3 ? "ann" : "ben", 1 + i % 3);
        post_ok("/v1/plans", body, ids[i]);
    }
}

START_TEST(test_plans_list_every_limit_returns_each_once)
{
    /* The seeded plans plus one without a due date (it sorts after every date). */
    enum { N = N_ITEMS + 1 };
    char oid[40], tag[64], base[256], ids[N][40];
    seed_plans(oid, ids, tag, sizeof tag);
    new_plan(oid, "", ids[N_ITEMS]);
    const char *sorts[] = {"",           "&sort=-created_at",      "&sort=title",
                           "&sort=status,-title", "&sort=-due_date,ref", "&sort=due_date",
                           "&sort=-updated_at", "&sort=ref"};
    for (size_t s = 0; s < sizeof sorts / sizeof sorts[0]; s++) {
        for (int limit = 1; limit <= N + 1; limit++) {
            int pages;
            fmt_path(base, sizeof base, "/v1/plans?objective_id=%s%s", oid, sorts[s]);
            json_t *j_ids = walk(base, limit, &pages);
            assert_each_once(j_ids, ids, N);
            ck_assert_int_eq(pages, (N + limit - 1) / limit);
            json_decref(j_ids);
        }
    }
}
END_TEST

START_TEST(test_plans_list_filters_and_sort)
{
    http_response r;
    char oid[40], tag[64], q[512], ids[N_ITEMS][40];
    seed_plans(oid, ids, tag, sizeof tag);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/plans?objective_id=%s", oid)), 7);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/plans?objective_id=%s&status=planned",
                                       oid)),
                     3);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/plans?objective_id=%s&status=planned,blocked", oid)),
                     4);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/plans?objective_id=%s&responsible=ann",
                                       oid)),
                     3);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/plans?objective_id=%s&due_before=2027-01-15", oid)),
                     3);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/plans?objective_id=%s&due_after=2027-02-15", oid)),
                     4);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/plans?objective_id=%s&due_after=2027-02-01"
                                       "&due_before=2027-02-28",
                                       oid)),
                     2);
    /* q: case-insensitive substring of title or ref, across objectives. */
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/plans?q=%s", tag)), 2);
    for (char *c = tag; *c; c++) {
        *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    }
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/plans?q=%s", tag)), 2);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/plans?q=%s&status=in_progress", tag)), 1);
    api_call(&r, "GET", fmt_path(q, sizeof q, "/v1/plans/%s", ids[3]), "viewer", NULL, NULL);
    char ref[80];
    snprintf(ref, sizeof ref, "%s", jstr(r.json, "ref"));
    http_response_clear(&r);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/plans?q=%s", ref)), 1);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/plans?objective_id=%s&q=%%25", oid)), 0);

    /* Enum order: planned, in_progress, completed, blocked, cancelled. */
    fmt_path(q, sizeof q, "/v1/plans?objective_id=%s&sort=status", oid);
    api_call(&r, "GET", q, "viewer", NULL, NULL);
    json_t *items = json_object_get(r.json, "items");
    static const char *const order[] = {"planned",   "planned", "planned",  "in_progress",
                                        "completed", "blocked", "cancelled"};
    for (int i = 0; i < N_ITEMS; i++) {
        ck_assert_str_eq(jstr(json_array_get(items, (size_t)i), "status"), order[i]);
    }
    http_response_clear(&r);
    fmt_path(q, sizeof q, "/v1/plans?objective_id=%s&sort=-title", oid);
    api_call(&r, "GET", q, "viewer", NULL, NULL);
    items = json_object_get(r.json, "items");
    for (size_t i = 1; i < json_array_size(items); i++) {
        ck_assert_int_ge(strcmp(jstr(json_array_get(items, i - 1), "title"),
                                jstr(json_array_get(items, i), "title")),
                         0);
    }
    http_response_clear(&r);
    /* due_date ascending, plans without one last. */
    char late[40];
    new_plan(oid, "", late);
    fmt_path(q, sizeof q, "/v1/plans?objective_id=%s&sort=due_date", oid);
    api_call(&r, "GET", q, "viewer", NULL, NULL);
    items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 8);
    ck_assert_str_eq(jstr(json_array_get(items, 0), "due_date"), "2027-01-15");
    ck_assert_str_eq(jstr(json_array_get(items, 7), "id"), late);
    http_response_clear(&r);

    const char *bad[][2] = {
        {"status=open", "status"},          {"status=planned,", "status"},
        {"due_before=2026-13-01", "due_before"}, {"due_after=soon", "due_after"},
        {"objective_id=xyz", "objective_id"}, {"sort=colour", "sort"},
        {"sort=title,title", "sort"},       {"limit=0", "limit"},
        {"include_archived=yes", "include_archived"}, {"rating=high", "rating"},
        {"cursor=%%%%", "cursor"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fmt_path(q, sizeof q, "/v1/plans?%s", bad[i][0]);
        api_call(&r, "GET", q, "viewer", NULL, NULL);
        ck_assert_msg(r.status == 400, "%s gave %d", bad[i][0], r.status);
        ck_assert_str_eq(jstr(r.json, "type"), "urn:isms:problem:invalid-parameter");
        const char *field = jstr(json_array_get(json_object_get(r.json, "errors"), 0), "field");
        ck_assert_str_eq(field, bad[i][1]);
        http_response_clear(&r);
    }
}
END_TEST

START_TEST(test_plans_audit_events)
{
    http_response r;
    char oid[40], id[40], path[128];
    new_objective(oid);
    new_plan(oid, "", id);
    fmt_path(path, sizeof path, "/v1/plans/%s", id);
    send_expect("PATCH", path, "editor", "{\"status\":\"in_progress\"}", 200);
    send_expect("PATCH", path, "editor", "{\"status\":\"in_progress\"}", 200);
    send_expect("DELETE", path, "admin", NULL, 204);
    strcat(path, "/restore");
    send_expect("POST", path, "admin", NULL, 200);
    const char *want[] = {"restore", "archive", "update", "create"};
    assert_audit(id, "plan", want, 4);
    json_t *items = audit_of(id);
    json_t *update = json_array_get(items, 2);
    ck_assert_str_eq(jstr(json_object_get(update, "before"), "status"), "planned");
    ck_assert_str_eq(jstr(json_object_get(update, "after"), "status"), "in_progress");
    ck_assert_str_eq(jstr(json_array_get(items, 0), "actor"), "admin");
    json_decref(items);
    char q[256];
    fmt_path(q, sizeof q, "/v1/audit-events?resource_type=plan&resource_id=%s&action=create", id);
    api_call(&r, "GET", q, "admin", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    http_response_clear(&r);
}
END_TEST

/* ---- actions ---- */

START_TEST(test_actions_create_returns_document)
{
    http_response r;
    char oid[40], pid[40], other[40], path[128], body[512], v[256], want[128];
    static const char *const keys[] = {"id",         "ref",        "plan_id",    "title",
                                       "responsible", "due_date",  "status",     "completed_on",
                                       "evidence",   "created_at", "updated_at", "created_by",
                                       "updated_by", "version",    "archived_at", NULL};
    new_objective(oid);
    new_plan(oid, "", pid);
    new_plan(oid, "", other);
    fmt_path(path, sizeof path, "/v1/plans/%s/actions", pid);
    snprintf(body, sizeof body,
             "{\"title\":\"Book the vendor\",\"responsible\":\"ann\",\"due_date\":\"2026-03-01\","
             "\"evidence\":\"PO-42\",\"plan_id\":\"%s\",\"id\":\"x\",\"version\":5}",
             other);
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_status(r, 201);
    snprintf(want, sizeof want, "/v1/actions/%s", jstr(r.json, "id"));
    ck_assert_str_eq(http_header(&r, "Location", v, sizeof v), want);
    ck_assert_str_eq(http_header(&r, "ETag", v, sizeof v), "\"1\"");
    assert_keys(r.json, keys);
    ck_assert_int_eq(strncmp(jstr(r.json, "ref"), "ACT-", 4), 0);
    ck_assert_str_eq(jstr(r.json, "plan_id"), pid);
    ck_assert_str_eq(jstr(r.json, "title"), "Book the vendor");
    ck_assert_str_eq(jstr(r.json, "responsible"), "ann");
    ck_assert_str_eq(jstr(r.json, "due_date"), "2026-03-01");
    ck_assert_str_eq(jstr(r.json, "status"), "open");
    ck_assert(json_is_null(json_object_get(r.json, "completed_on")));
    ck_assert_str_eq(jstr(r.json, "evidence"), "PO-42");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert_str_eq(jstr(r.json, "created_by"), "editor");
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    http_response_clear(&r);
}
END_TEST

START_TEST(test_actions_done_sets_completed_on)
{
    http_response r;
    char oid[40], pid[40], id[40], path[128], today[16];
    utc_day(today, sizeof today, 0);
    new_objective(oid);
    new_plan(oid, "", pid);
    fmt_path(path, sizeof path, "/v1/plans/%s/actions", pid);
    api_call(&r, "POST", path, "editor", "{\"title\":\"Done now\",\"status\":\"done\"}", NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "status"), "done");
    ck_assert_str_eq(jstr(r.json, "completed_on"), today);
    http_response_clear(&r);
    api_call(&r, "POST", path, "editor",
             "{\"title\":\"Done earlier\",\"status\":\"done\",\"completed_on\":\"2026-01-02\"}",
             NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "completed_on"), "2026-01-02");
    http_response_clear(&r);
    api_call(&r, "POST", path, "editor", "{\"title\":\"Cancelled\",\"status\":\"cancelled\"}",
             NULL);
    ck_assert_status(r, 201);
    ck_assert(json_is_null(json_object_get(r.json, "completed_on")));
    http_response_clear(&r);

    /* An open action set to done gets today. */
    new_action(pid, "", id);
    fmt_path(path, sizeof path, "/v1/actions/%s", id);
    api_call(&r, "PATCH", path, "editor", "{\"status\":\"done\",\"evidence\":\"report\"}", NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "status"), "done");
    ck_assert_str_eq(jstr(r.json, "completed_on"), today);
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);
    /* A given date is kept. */
    api_call(&r, "PATCH", path, "editor", "{\"completed_on\":\"2026-02-03\"}", NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "completed_on"), "2026-02-03");
    http_response_clear(&r);
    char id2[40];
    new_action(pid, "", id2);
    fmt_path(path, sizeof path, "/v1/actions/%s", id2);
    api_call(&r, "PATCH", path, "editor", "{\"status\":\"done\",\"completed_on\":\"2025-12-24\"}",
             NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "completed_on"), "2025-12-24");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_actions_validation)
{
    http_response r;
    char oid[40], pid[40], path[128], body[600], title[260];
    new_objective(oid);
    new_plan(oid, "", pid);
    fmt_path(path, sizeof path, "/v1/plans/%s/actions", pid);
    api_call(&r, "POST", path, "editor", "{}", NULL);
    ck_assert_problem(r, 422, "/title", "required");
    http_response_clear(&r);
    api_call(&r, "POST", path, "editor",
             "{\"title\":\"\",\"status\":\"closed\",\"due_date\":\"2026-02-30\","
             "\"completed_on\":\"today\",\"evidence\":[\"x\"],\"owner\":\"ann\",\"ref\":\"#1\"}",
             NULL);
    ck_assert_problem(r, 422, "/title", "length");
    ck_assert(problem_has_error(r.json, "/status", "enum"));
    ck_assert(problem_has_error(r.json, "/due_date", "format"));
    ck_assert(problem_has_error(r.json, "/completed_on", "format"));
    ck_assert(problem_has_error(r.json, "/evidence", "type"));
    ck_assert(problem_has_error(r.json, "/owner", "unknown_field"));
    ck_assert(problem_has_error(r.json, "/ref", "pattern"));
    http_response_clear(&r);
    memset(title, 'a', 201);
    title[201] = '\0';
    snprintf(body, sizeof body, "{\"title\":\"%s\"}", title);
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_problem(r, 422, "/title", "length");
    http_response_clear(&r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    api_call(&r, "POST", path, "editor", "{\"title\":\"x\"}", xml);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);
    fmt_path(path, sizeof path, "/v1/plans/%s/actions?include_archived=true", pid);
    ck_assert_int_eq(count_at(path), 0);
}
END_TEST

START_TEST(test_actions_parent_errors)
{
    http_response r;
    char oid[40], pid[40], aid[40], path[128];
    api_call(&r, "POST", "/v1/plans/" MISSING_ID "/actions", "editor", "{\"title\":\"x\"}", NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    ck_assert_str_eq(jstr(r.json, "detail"), "no plan has this id");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/plans/" MISSING_ID "/actions", "viewer", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/plans/x/actions", "editor", "{\"title\":\"x\"}", NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/plans/x/actions", "viewer", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);

    new_objective(oid);
    new_plan(oid, "", pid);
    new_action(pid, "", aid);
    fmt_path(path, sizeof path, "/v1/plans/%s", pid);
    send_expect("DELETE", path, "admin", NULL, 204);
    fmt_path(path, sizeof path, "/v1/plans/%s/actions", pid);
    api_call(&r, "POST", path, "editor", "{\"title\":\"Too late\"}", NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    http_response_clear(&r);
    /* An action of a plan archived later can still be updated. */
    fmt_path(path, sizeof path, "/v1/actions/%s", aid);
    api_call(&r, "PATCH", path, "editor", "{\"status\":\"cancelled\"}", NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "status"), "cancelled");
    ck_assert_str_eq(jstr(r.json, "plan_id"), pid);
    http_response_clear(&r);
    /* Archived, it comes back only once its plan is restored. */
    send_expect("DELETE", path, "admin", NULL, 204);
    strcat(path, "/restore");
    api_call(&r, "POST", path, "admin", NULL, NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);
    char ppath[160];
    send_expect("POST", fmt_path(ppath, sizeof ppath, "/v1/plans/%s/restore", pid), "admin", NULL,
                200);
    api_call(&r, "POST", path, "admin", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    http_response_clear(&r);
}
END_TEST

START_TEST(test_actions_get_patch_archive_restore)
{
    http_response r;
    char oid[40], pid[40], other[40], id[40], path[128], restore[160], list[160], q[256];
    new_objective(oid);
    new_plan(oid, "", pid);
    new_plan(oid, "", other);
    new_action(pid, "\"responsible\":\"ann\"", id);
    fmt_path(path, sizeof path, "/v1/actions/%s", id);
    fmt_path(restore, sizeof restore, "/v1/actions/%s/restore", id);
    fmt_path(list, sizeof list, "/v1/plans/%s/actions", pid);

    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "ETag", q, sizeof q), "\"1\"");
    ck_assert_str_eq(jstr(r.json, "responsible"), "ann");
    http_response_clear(&r);
    const char *inm[] = {"If-None-Match: \"1\"", NULL};
    api_call(&r, "GET", path, "viewer", NULL, inm);
    ck_assert_status(r, 304);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/actions/" MISSING_ID, "viewer", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/actions/ACT-1", "viewer", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);

    /* Merge patch; plan_id is read-only. */
    char body[256];
    snprintf(body, sizeof body,
             "{\"responsible\":null,\"due_date\":\"2026-09-09\",\"plan_id\":\"%s\"}", other);
    const char *mp[] = {"Content-Type: application/merge-patch+json", "If-Match: \"1\"", NULL};
    api_call(&r, "PATCH", path, "editor", body, mp);
    ck_assert_status(r, 200);
    ck_assert(json_is_null(json_object_get(r.json, "responsible")));
    ck_assert_str_eq(jstr(r.json, "due_date"), "2026-09-09");
    ck_assert_str_eq(jstr(r.json, "plan_id"), pid);
    ck_assert_str_eq(jstr(r.json, "title"), "Step");
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"evidence\":\"x\"}", mp);
    ck_assert_problem(r, 412, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"title\":null,\"status\":null,\"ref\":null}", NULL);
    ck_assert_problem(r, 422, "/title", "required");
    ck_assert(problem_has_error(r.json, "/ref", "required"));
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"due_date\":\"2026-09-09\"}", NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);
    api_call(&r, "PATCH", "/v1/actions/" MISSING_ID, "editor", "{\"title\":\"x\"}", NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    api_call(&r, "PATCH", path, "editor", "{\"title\":\"x\"}", xml);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);

    /* Archive and restore. */
    char list_archived[512];
    fmt_path(list_archived, sizeof list_archived, "%s?include_archived=true", list);
    assert_archive_and_restore(&(archive_case){.path = path,
                                               .restore = restore,
                                               .list = list,
                                               .list_archived = list_archived,
                                               .stale_if_match = "If-Match: \"1\"",
                                               .patch_body = "{\"title\":\"x\"}",
                                               .archived_version = 3});
    api_call(&r, "DELETE", "/v1/actions/" MISSING_ID, "admin", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/actions/" MISSING_ID "/restore", "admin", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);

    /* Refs: explicit, duplicate. */
    char ref[64];
    harness_unique("ACT", ref, sizeof ref);
    snprintf(body, sizeof body, "{\"title\":\"R\",\"ref\":\"%s\"}", ref);
    api_call(&r, "POST", list, "editor", body, NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "ref"), ref);
    http_response_clear(&r);
    fmt_path(q, sizeof q, "/v1/plans/%s/actions", other);
    api_call(&r, "POST", q, "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
    snprintf(body, sizeof body, "{\"ref\":\"%s\"}", ref);
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_actions_roles)
{
    http_response r;
    char oid[40], pid[40], id[40], list[128], path[128], restore[160];
    new_objective(oid);
    new_plan(oid, "", pid);
    new_action(pid, "", id);
    fmt_path(list, sizeof list, "/v1/plans/%s/actions", pid);
    fmt_path(path, sizeof path, "/v1/actions/%s", id);
    fmt_path(restore, sizeof restore, "/v1/actions/%s/restore", id);
    send_expect("POST", list, "viewer", "{\"title\":\"No\"}", 403);
    send_expect("POST", list, "auditor", "{\"title\":\"No\"}", 403);
    send_expect("POST", list, NULL, "{\"title\":\"No\"}", 401);
    send_expect("PATCH", path, "viewer", "{\"title\":\"No\"}", 403);
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

START_TEST(test_actions_list_every_limit_and_filters)
{
    http_response r;
    char oid[40], pid[40], base[256], ids[N_ITEMS][40];
    static const char *const statuses[N_ITEMS] = {"open", "done", "open", "cancelled",
                                                  "open", "done", "open"};
    new_objective(oid);
    new_plan(oid, "", pid);
    for (int i = 0; i < N_ITEMS; i++) {
        char extra[256];
        snprintf(extra, sizeof extra,
                 "\"title\":\"step %c\",\"status\":\"%s\",\"responsible\":\"%s\","
                 "\"due_date\":\"2027-0%d-10\"",
                 'g' - i, statuses[i], i % 2 ? "ann" : "ben", 1 + i % 4);
        char path[128], body[512];
        fmt_path(path, sizeof path, "/v1/plans/%s/actions", pid);
        snprintf(body, sizeof body, "{%s}", extra);
        post_ok(path, body, ids[i]);
    }
    const char *sorts[] = {"",          "?sort=-created_at",   "?sort=title",
                           "?sort=status,-title", "?sort=-due_date,ref", "?sort=ref"};
    for (size_t s = 0; s < sizeof sorts / sizeof sorts[0]; s++) {
        for (int limit = 1; limit <= N_ITEMS + 1; limit++) {
            int pages;
            fmt_path(base, sizeof base, "/v1/plans/%s/actions%s", pid, sorts[s]);
            json_t *j_ids = walk(base, limit, &pages);
            assert_each_once(j_ids, ids, N_ITEMS);
            ck_assert_int_eq(pages, (N_ITEMS + limit - 1) / limit);
            json_decref(j_ids);
        }
    }
    char q[256];
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/plans/%s/actions?status=open", pid)), 4);
    ck_assert_int_eq(
        count_at(fmt_path(q, sizeof q, "/v1/plans/%s/actions?status=done,cancelled", pid)), 3);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/plans/%s/actions?responsible=ann", pid)),
                     3);
    ck_assert_int_eq(
        count_at(fmt_path(q, sizeof q, "/v1/plans/%s/actions?due_before=2027-02-10", pid)), 4);
    ck_assert_int_eq(
        count_at(fmt_path(q, sizeof q, "/v1/plans/%s/actions?due_after=2027-03-10", pid)), 3);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/plans/%s/actions?due_after=2027-02-10"
                                       "&due_before=2027-02-10&status=done",
                                       pid)),
                     2);
    /* Enum order open, done, cancelled. */
    fmt_path(q, sizeof q, "/v1/plans/%s/actions?sort=-status", pid);
    api_call(&r, "GET", q, "viewer", NULL, NULL);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_str_eq(jstr(json_array_get(items, 0), "status"), "cancelled");
    ck_assert_str_eq(jstr(json_array_get(items, 1), "status"), "done");
    ck_assert_str_eq(jstr(json_array_get(items, 6), "status"), "open");
    http_response_clear(&r);
    fmt_path(q, sizeof q, "/v1/plans/%s/actions?sort=title", pid);
    api_call(&r, "GET", q, "viewer", NULL, NULL);
    items = json_object_get(r.json, "items");
    ck_assert_str_eq(jstr(json_array_get(items, 0), "title"), "step a");
    ck_assert_str_eq(jstr(json_array_get(items, 6), "title"), "step g");
    http_response_clear(&r);

    const char *bad[][2] = {
        {"status=planned", "status"}, {"due_before=x", "due_before"},
        {"sort=-colour", "sort"},     {"sort=updated_at", "sort"},
        {"q=step", "q"},              {"limit=201", "limit"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fmt_path(q, sizeof q, "/v1/plans/%s/actions?%s", pid, bad[i][0]);
        api_call(&r, "GET", q, "viewer", NULL, NULL);
        ck_assert_msg(r.status == 400, "%s gave %d", bad[i][0], r.status);
        const char *field = jstr(json_array_get(json_object_get(r.json, "errors"), 0), "field");
        ck_assert_str_eq(field, bad[i][1]);
        http_response_clear(&r);
    }
}
END_TEST

START_TEST(test_actions_audit_events)
{
    char oid[40], pid[40], id[40], path[128];
    new_objective(oid);
    new_plan(oid, "", pid);
    new_action(pid, "", id);
    fmt_path(path, sizeof path, "/v1/actions/%s", id);
    send_expect("PATCH", path, "editor", "{\"status\":\"done\"}", 200);
    send_expect("DELETE", path, "admin", NULL, 204);
    strcat(path, "/restore");
    send_expect("POST", path, "admin", NULL, 200);
    const char *want[] = {"restore", "archive", "update", "create"};
    assert_audit(id, "action", want, 4);
    json_t *items = audit_of(id);
    json_t *update = json_array_get(items, 2);
    ck_assert(json_is_null(json_object_get(json_object_get(update, "before"), "completed_on")));
    ck_assert(json_is_string(json_object_get(json_object_get(update, "after"), "completed_on")));
    ck_assert_str_eq(jstr(json_object_get(json_array_get(items, 3), "after"), "plan_id"), pid);
    json_decref(items);
}
END_TEST

Suite *suite_http_plans(void)
{
    Suite *s = suite_create("http_plans");
    TCase *tc = tcase_create("plans");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_plans_create_returns_document);
    tcase_add_test(tc, test_plans_defaults_and_read_only_ignored);
    tcase_add_test(tc, test_plans_validation);
    tcase_add_test(tc, test_plans_objective_reference);
    tcase_add_test(tc, test_plans_ref_assigned_explicit_and_duplicate);
    tcase_add_test(tc, test_plans_get_etag_304_missing_malformed);
    tcase_add_test(tc, test_plans_patch_merge);
    tcase_add_test(tc, test_plans_patch_errors);
    tcase_add_test(tc, test_plans_archive_and_restore);
    tcase_add_test(tc, test_plans_and_objective_archive_rules);
    tcase_add_test(tc, test_plans_roles);
    tcase_add_test(tc, test_plans_list_every_limit_returns_each_once);
    tcase_add_test(tc, test_plans_list_filters_and_sort);
    tcase_add_test(tc, test_plans_audit_events);
    suite_add_tcase(s, tc);
    TCase *ta = tcase_create("actions");
    tcase_set_timeout(ta, 120);
    tcase_add_test(ta, test_actions_create_returns_document);
    tcase_add_test(ta, test_actions_done_sets_completed_on);
    tcase_add_test(ta, test_actions_validation);
    tcase_add_test(ta, test_actions_parent_errors);
    tcase_add_test(ta, test_actions_get_patch_archive_restore);
    tcase_add_test(ta, test_actions_roles);
    tcase_add_test(ta, test_actions_list_every_limit_and_filters);
    tcase_add_test(ta, test_actions_audit_events);
    suite_add_tcase(s, ta);
    return s;
}
