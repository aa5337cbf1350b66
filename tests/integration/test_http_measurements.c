/* Measurements: created under an objective, read, merge patched, archived and restored by
 * id; validation, the measured_on limit, refs, roles, lists and the audit trail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "integration/suites.h"
#include "support/check_helpers.h"
#include "support/suite_helpers.h"

#define N_ITEMS 6
#define MISSING_ID "6f1c2b7e-0000-4000-8000-000000000000"

/* A measurable objective (increase 0 → 100) with no measurement yet. */
static void new_objective(char *id)
{
    post_ok("/v1/objectives",
            "{\"title\":\"Measured\",\"level\":\"tactical\",\"measure\":{\"metric\":\"m\","
            "\"baseline\":0,\"target\":100,\"direction\":\"increase\"}}",
            id);
}

/* Adds a measurement to objective @p oid. */
static void new_measurement(const char *oid, double value, const char *on, char *id)
{
    char path[128], body[256];
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements", oid);
    snprintf(body, sizeof body, "{\"value\":%g,\"measured_on\":\"%s\"}", value, on);
    post_ok(path, body, id);
}

START_TEST(test_measurements_create_returns_document)
{
    http_response r;
    char oid[40], path[128], body[256], v[256], want[128], today[16];
    static const char *const keys[] = {"id",         "ref",        "objective_id", "value",
                                       "measured_on", "note",      "recorded_by",  "created_at",
                                       "updated_at", "created_by", "updated_by",   "version",
                                       "archived_at", NULL};
    new_objective(oid);
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements", oid);
    snprintf(body, sizeof body, "{\"value\":12.5,\"measured_on\":\"%s\",\"note\":\"from SIEM\"}",
             utc_day(today, sizeof today, 0));
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_status(r, 201);
    snprintf(want, sizeof want, "/v1/measurements/%s", jstr(r.json, "id"));
    ck_assert_str_eq(http_header(&r, "Location", v, sizeof v), want);
    ck_assert_str_eq(http_header(&r, "ETag", v, sizeof v), "\"1\"");
    assert_keys(r.json, keys);
    ck_assert_int_eq(strncmp(jstr(r.json, "ref"), "MSR-", 4), 0);
    ck_assert_str_eq(jstr(r.json, "objective_id"), oid);
    ck_assert(json_number_value(json_object_get(r.json, "value")) == 12.5);
    ck_assert_str_eq(jstr(r.json, "measured_on"), today);
    ck_assert_str_eq(jstr(r.json, "note"), "from SIEM");
    ck_assert_str_eq(jstr(r.json, "recorded_by"), "editor");
    ck_assert_str_eq(jstr(r.json, "created_by"), "editor");
    ck_assert_str_eq(jstr(r.json, "updated_by"), "editor");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert(json_is_string(json_object_get(r.json, "created_at")));
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    http_response_clear(&r);

    /* An admin may record too; recorded_by is the token's subject, note defaults to null. */
    api_call(&r, "POST", path, "admin", "{\"value\":-3,\"measured_on\":\"2020-02-29\"}", NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "recorded_by"), "admin");
    ck_assert(json_is_null(json_object_get(r.json, "note")));
    ck_assert(json_number_value(json_object_get(r.json, "value")) == -3.0);
    ck_assert_str_eq(jstr(r.json, "measured_on"), "2020-02-29");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_measurements_read_only_fields_ignored)
{
    http_response r;
    char oid[40], other[40], path[128], body[512];
    new_objective(oid);
    new_objective(other);
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements", oid);
    /* objective_id comes from the path; the other read-only fields are ignored. */
    snprintf(body, sizeof body,
             "{\"value\":1,\"measured_on\":\"2025-01-01\",\"objective_id\":\"%s\","
             "\"recorded_by\":\"mallory\",\"id\":\"x\",\"version\":9,\"created_by\":\"mallory\","
             "\"archived_at\":\"2020-01-01T00:00:00Z\"}",
             other);
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "objective_id"), oid);
    ck_assert_str_eq(jstr(r.json, "recorded_by"), "editor");
    ck_assert_str_eq(jstr(r.json, "created_by"), "editor");
    ck_assert_str_ne(jstr(r.json, "id"), "x");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    http_response_clear(&r);
}
END_TEST

START_TEST(test_measurements_validation)
{
    http_response r;
    char oid[40], path[128];
    new_objective(oid);
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements", oid);
    api_call(&r, "POST", path, "editor", "{}", NULL);
    ck_assert_problem(r, 422, "/value", "required");
    ck_assert(problem_has_error(r.json, "/measured_on", "required"));
    ck_assert_str_eq(jstr(r.json, "type"), "urn:isms:problem:validation-failed");
    http_response_clear(&r);
    api_call(&r, "POST", path, "editor",
             "{\"value\":\"12\",\"measured_on\":\"2026-02-30\",\"note\":5,\"colour\":\"red\","
             "\"ref\":\"bad ref!\"}",
             NULL);
    ck_assert_problem(r, 422, "/value", "type");
    ck_assert(problem_has_error(r.json, "/measured_on", "format"));
    ck_assert(problem_has_error(r.json, "/note", "type"));
    ck_assert(problem_has_error(r.json, "/colour", "unknown_field"));
    ck_assert(problem_has_error(r.json, "/ref", "pattern"));
    http_response_clear(&r);
    api_call(&r, "POST", path, "editor", "{\"value\":null,\"measured_on\":\"20250101\"}", NULL);
    ck_assert_problem(r, 422, "/value", "required");
    ck_assert(problem_has_error(r.json, "/measured_on", "format"));
    http_response_clear(&r);
    api_call(&r, "POST", path, "editor",
             "{\"value\":1,\"measured_on\":\"2025-01-01\",\"ref\":\"\"}", NULL);
    ck_assert_problem(r, 422, "/ref", "length");
    http_response_clear(&r);
    char *note = malloc(10100);
    char *p = note + sprintf(note, "{\"value\":1,\"measured_on\":\"2025-01-01\",\"note\":\"");
    memset(p, 'n', 10001);
    strcpy(p + 10001, "\"}");
    api_call(&r, "POST", path, "editor", note, NULL);
    ck_assert_problem(r, 422, "/note", "length");
    http_response_clear(&r);
    free(note);
    /* Malformed JSON is 400, a wrong media type 415: never a row. */
    api_call(&r, "POST", path, "editor", "{\"value\":1,", NULL);
    ck_assert_problem(r, 400, NULL, NULL);
    http_response_clear(&r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    api_call(&r, "POST", path, "editor", "{\"value\":1,\"measured_on\":\"2025-01-01\"}", xml);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements?include_archived=true", oid);
    ck_assert_int_eq(count_at(path), 0);
}
END_TEST

START_TEST(test_measurements_measured_on_limit)
{
    http_response r;
    char oid[40], id[40], path[128], body[256], day[16];
    new_objective(oid);
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements", oid);
    snprintf(body, sizeof body, "{\"value\":1,\"measured_on\":\"%s\"}",
             utc_day(day, sizeof day, 2));
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_problem(r, 422, "/measured_on", "range");
    http_response_clear(&r);
    snprintf(body, sizeof body, "{\"value\":1,\"measured_on\":\"%s\"}",
             utc_day(day, sizeof day, 1));
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "measured_on"), day);
    strcpy(id, jstr(r.json, "id"));
    http_response_clear(&r);
    /* The same limit on PATCH. */
    fmt_path(path, sizeof path, "/v1/measurements/%s", id);
    snprintf(body, sizeof body, "{\"measured_on\":\"%s\"}", utc_day(day, sizeof day, 30));
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_problem(r, 422, "/measured_on", "range");
    http_response_clear(&r);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert_str_eq(jstr(r.json, "measured_on"), utc_day(day, sizeof day, 1));
    http_response_clear(&r);
}
END_TEST

START_TEST(test_measurements_ref_assigned_explicit_and_duplicate)
{
    http_response r;
    char a[40], b[40], id[40], path[128], ref[64], body[256];
    new_objective(a);
    new_objective(b);
    harness_unique("MSR", ref, sizeof ref);
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements", a);
    snprintf(body, sizeof body, "{\"value\":1,\"measured_on\":\"2025-01-01\",\"ref\":\"%s\"}", ref);
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "ref"), ref);
    http_response_clear(&r);
    /* Refs are unique per resource type, across objectives. */
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements", b);
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
    /* Server refs are MSR- and six digits or more, and distinct. */
    api_call(&r, "POST", path, "editor", "{\"value\":2,\"measured_on\":\"2025-01-02\"}", NULL);
    ck_assert_status(r, 201);
    const char *r1 = jstr(r.json, "ref");
    ck_assert_int_eq(strncmp(r1, "MSR-", 4), 0);
    ck_assert_int_ge(strlen(r1), 10);
    for (const char *c = r1 + 4; *c; c++) {
        ck_assert(*c >= '0' && *c <= '9');
    }
    char first[64];
    snprintf(first, sizeof first, "%s", r1);
    strcpy(id, jstr(r.json, "id"));
    http_response_clear(&r);
    api_call(&r, "POST", path, "editor", "{\"value\":3,\"measured_on\":\"2025-01-03\"}", NULL);
    ck_assert_str_ne(jstr(r.json, "ref"), first);
    http_response_clear(&r);
    /* PATCH to a taken ref. */
    fmt_path(path, sizeof path, "/v1/measurements/%s", id);
    snprintf(body, sizeof body, "{\"ref\":\"%s\"}", ref);
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_measurements_parent_errors)
{
    http_response r;
    char oid[40], mid[40], path[128];
    api_call(&r, "POST", "/v1/objectives/" MISSING_ID "/measurements", "editor",
             "{\"value\":1,\"measured_on\":\"2025-01-01\"}", NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    ck_assert_str_eq(jstr(r.json, "detail"), "no objective has this id");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/objectives/" MISSING_ID "/measurements", "viewer", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/objectives/nope/measurements", "editor",
             "{\"value\":1,\"measured_on\":\"2025-01-01\"}", NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/objectives/nope/measurements", "viewer", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);

    /* Under an archived objective: no new measurement; the list still works. */
    new_objective(oid);
    new_measurement(oid, 5, "2025-03-01", mid);
    fmt_path(path, sizeof path, "/v1/objectives/%s", oid);
    send_expect("DELETE", path, "admin", NULL, 204);
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements", oid);
    api_call(&r, "POST", path, "editor", "{\"value\":1,\"measured_on\":\"2025-01-01\"}", NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(r.json, "items"), 0), "id"), mid);
    http_response_clear(&r);
    /* A live measurement of an objective archived later can still be corrected. */
    fmt_path(path, sizeof path, "/v1/measurements/%s", mid);
    api_call(&r, "PATCH", path, "editor", "{\"value\":6,\"note\":\"corrected\"}", NULL);
    ck_assert_status(r, 200);
    ck_assert(json_number_value(json_object_get(r.json, "value")) == 6.0);
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);
    /* Archived, it comes back only once its objective is restored. */
    send_expect("DELETE", path, "admin", NULL, 204);
    strcat(path, "/restore");
    api_call(&r, "POST", path, "admin", NULL, NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);
    char opath[160];
    send_expect("POST", fmt_path(opath, sizeof opath, "/v1/objectives/%s/restore", oid), "admin",
                NULL, 200);
    api_call(&r, "POST", path, "admin", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    ck_assert_int_eq(jint(r.json, "version"), 4);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_measurements_get_etag_304_missing_malformed)
{
    http_response r;
    char oid[40], id[40], path[128], etag[32];
    new_objective(oid);
    new_measurement(oid, 42, "2025-06-30", id);
    fmt_path(path, sizeof path, "/v1/measurements/%s", id);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "ETag", etag, sizeof etag), "\"1\"");
    ck_assert_str_eq(jstr(r.json, "id"), id);
    ck_assert_str_eq(jstr(r.json, "objective_id"), oid);
    ck_assert(json_number_value(json_object_get(r.json, "value")) == 42.0);
    http_response_clear(&r);
    const char *inm[] = {"If-None-Match: \"1\"", NULL};
    api_call(&r, "GET", path, "auditor", NULL, inm);
    ck_assert_status(r, 304);
    ck_assert_uint_eq(r.body_len, 0);
    http_response_clear(&r);
    const char *stale[] = {"If-None-Match: \"2\"", NULL};
    api_call(&r, "GET", path, "viewer", NULL, stale);
    ck_assert_status(r, 200);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/measurements/" MISSING_ID, "viewer", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    ck_assert_str_eq(jstr(r.json, "detail"), "no measurement has this id");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/measurements/not-a-uuid", "viewer", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
    /* The id of an objective is not a measurement. */
    fmt_path(path, sizeof path, "/v1/measurements/%s", oid);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_measurements_patch_merge)
{
    http_response r;
    char oid[40], id[40], path[128], etag[32];
    new_objective(oid);
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements", oid);
    post_ok(path, "{\"value\":10,\"measured_on\":\"2025-05-01\",\"note\":\"first\"}", id);
    fmt_path(path, sizeof path, "/v1/measurements/%s", id);
    const char *mp[] = {"Content-Type: application/merge-patch+json", "If-Match: \"1\"", NULL};
    api_call(&r, "PATCH", path, "editor", "{\"value\":11.25,\"note\":null}", mp);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "ETag", etag, sizeof etag), "\"2\"");
    ck_assert_int_eq(jint(r.json, "version"), 2);
    ck_assert(json_number_value(json_object_get(r.json, "value")) == 11.25);
    ck_assert(json_is_null(json_object_get(r.json, "note")));
    ck_assert_str_eq(jstr(r.json, "measured_on"), "2025-05-01");
    ck_assert_str_eq(jstr(r.json, "updated_by"), "editor");
    http_response_clear(&r);

    /* Stale If-Match. */
    api_call(&r, "PATCH", path, "editor", "{\"value\":12}", mp);
    ck_assert_problem(r, 412, NULL, NULL);
    http_response_clear(&r);

    /* The GET body sent back is a no-op: same version. */
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    char *doc = strdup(r.body);
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", doc, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);
    free(doc);

    /* An admin may patch; objective_id in a patch is read-only and ignored. */
    char other[40], body[256];
    new_objective(other);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"measured_on\":\"2025-05-02\"}", other);
    const char *fresh[] = {"If-Match: \"2\"", NULL};
    api_call(&r, "PATCH", path, "admin", body, fresh);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "objective_id"), oid);
    ck_assert_str_eq(jstr(r.json, "measured_on"), "2025-05-02");
    ck_assert_str_eq(jstr(r.json, "updated_by"), "admin");
    ck_assert_str_eq(jstr(r.json, "recorded_by"), "editor");
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_measurements_patch_errors)
{
    http_response r;
    char oid[40], id[40], path[128];
    new_objective(oid);
    new_measurement(oid, 10, "2025-05-01", id);
    fmt_path(path, sizeof path, "/v1/measurements/%s", id);
    api_call(&r, "PATCH", path, "editor",
             "{\"value\":null,\"measured_on\":null,\"ref\":null,\"colour\":1}", NULL);
    ck_assert_problem(r, 422, "/value", "required");
    ck_assert(problem_has_error(r.json, "/measured_on", "required"));
    ck_assert(problem_has_error(r.json, "/ref", "required"));
    ck_assert(problem_has_error(r.json, "/colour", "unknown_field"));
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"value\":\"ten\",\"measured_on\":\"yesterday\"}",
             NULL);
    ck_assert_problem(r, 422, "/value", "type");
    ck_assert(problem_has_error(r.json, "/measured_on", "format"));
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "[1]", NULL);
    ck_assert_problem(r, 422, "", "type");
    http_response_clear(&r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    api_call(&r, "PATCH", path, "editor", "{\"value\":1}", xml);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "PATCH", "/v1/measurements/" MISSING_ID, "editor", "{\"value\":1}", NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "PATCH", "/v1/measurements/123", "editor", "{\"value\":1}", NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
    /* Nothing changed. */
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert(json_number_value(json_object_get(r.json, "value")) == 10.0);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_measurements_archive_and_restore)
{
    http_response r;
    char oid[40], id[40], keep[40], path[128], restore[160], list[200];
    new_objective(oid);
    new_measurement(oid, 1, "2025-01-01", id);
    new_measurement(oid, 2, "2025-02-01", keep);
    fmt_path(path, sizeof path, "/v1/measurements/%s", id);
    fmt_path(restore, sizeof restore, "/v1/measurements/%s/restore", id);
    fmt_path(list, sizeof list, "/v1/objectives/%s/measurements", oid);

    const char *stale[] = {"If-Match: \"4\"", NULL};
    api_call(&r, "DELETE", path, "admin", NULL, stale);
    ck_assert_problem(r, 412, NULL, NULL);
    http_response_clear(&r);
    const char *fresh[] = {"If-Match: \"1\"", NULL};
    api_call(&r, "DELETE", path, "admin", NULL, fresh);
    ck_assert_status(r, 204);
    ck_assert_uint_eq(r.body_len, 0);
    http_response_clear(&r);

    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_string(json_object_get(r.json, "archived_at")));
    ck_assert_int_eq(jint(r.json, "version"), 2);
    ck_assert_str_eq(jstr(r.json, "updated_by"), "admin");
    http_response_clear(&r);

    ck_assert_int_eq(count_at(list), 1);
    char q[256];
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "%s?include_archived=true", list)), 2);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "%s?include_archived=false", list)), 1);

    api_call(&r, "PATCH", path, "editor", "{\"value\":5}", NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);

    /* Archiving again is a no-op. */
    send_expect("DELETE", path, "admin", NULL, 204);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);

    api_call(&r, "POST", restore, "admin", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    ck_assert_int_eq(jint(r.json, "version"), 3);
    ck_assert_str_eq(http_header(&r, "ETag", q, sizeof q), "\"3\"");
    http_response_clear(&r);
    api_call(&r, "POST", restore, "admin", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);
    ck_assert_int_eq(count_at(list), 2);

    api_call(&r, "DELETE", "/v1/measurements/" MISSING_ID, "admin", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/measurements/" MISSING_ID "/restore", "admin", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "DELETE", "/v1/measurements/zzz", "admin", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/measurements/zzz/restore", "admin", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_measurements_roles)
{
    http_response r;
    char oid[40], id[40], path[128], item[128], restore[160];
    new_objective(oid);
    new_measurement(oid, 1, "2025-01-01", id);
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements", oid);
    fmt_path(item, sizeof item, "/v1/measurements/%s", id);
    fmt_path(restore, sizeof restore, "/v1/measurements/%s/restore", id);
    const char *body = "{\"value\":1,\"measured_on\":\"2025-01-01\"}";

    send_expect("POST", path, "viewer", body, 403);
    send_expect("POST", path, "auditor", body, 403);
    send_expect("POST", path, NULL, body, 401);
    send_expect("PATCH", item, "viewer", "{\"value\":2}", 403);
    send_expect("PATCH", item, "auditor", "{\"value\":2}", 403);
    send_expect("DELETE", item, "viewer", NULL, 403);
    send_expect("DELETE", item, "editor", NULL, 403);
    send_expect("POST", restore, "editor", NULL, 403);
    send_expect("POST", restore, "viewer", NULL, 403);
    send_expect("GET", item, NULL, NULL, 401);
    /* Reading is open to every role. */
    const char *roles[] = {"viewer", "editor", "auditor", "admin"};
    for (int i = 0; i < 4; i++) {
        send_expect("GET", item, roles[i], NULL, 200);
        send_expect("GET", path, roles[i], NULL, 200);
    }
    /* The refused calls changed nothing. */
    api_call(&r, "GET", item, "viewer", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    http_response_clear(&r);
    ck_assert_int_eq(count_at(path), 1);
    /* Unsupported methods are 405 with Allow. */
    char allow[128];
    api_call(&r, "PUT", item, "admin", "{}", NULL);
    ck_assert_problem(r, 405, NULL, NULL);
    ck_assert_ptr_nonnull(http_header(&r, "Allow", allow, sizeof allow));
    ck_assert_ptr_nonnull(strstr(allow, "PATCH"));
    http_response_clear(&r);
}
END_TEST

START_TEST(test_measurements_list_every_limit_returns_each_once)
{
    char oid[40], ids[N_ITEMS][40], base[256];
    static const char *const days[N_ITEMS] = {"2025-03-05", "2025-01-01", "2025-03-05",
                                              "2024-12-31", "2025-02-14", "2025-01-01"};
    new_objective(oid);
    for (int i = 0; i < N_ITEMS; i++) {
        new_measurement(oid, i, days[i], ids[i]);
    }
    const char *sorts[] = {"", "?sort=measured_on", "?sort=-measured_on", "?sort=created_at",
                           "?sort=-created_at", "?sort=-measured_on,created_at"};
    for (size_t s = 0; s < sizeof sorts / sizeof sorts[0]; s++) {
        for (int limit = 1; limit <= N_ITEMS + 1; limit++) {
            int pages;
            fmt_path(base, sizeof base, "/v1/objectives/%s/measurements%s", oid, sorts[s]);
            json_t *j_ids = walk(base, limit, &pages);
            assert_each_once(j_ids, ids, N_ITEMS);
            ck_assert_int_eq(pages, (N_ITEMS + limit - 1) / limit);
            json_decref(j_ids);
        }
    }
}
END_TEST

START_TEST(test_measurements_list_sort_and_filters)
{
    http_response r;
    char oid[40], id[40], path[256];
    static const char *const days[] = {"2025-03-05", "2025-01-01", "2025-02-14", "2024-12-31",
                                       "2025-02-15"};
    new_objective(oid);
    for (int i = 0; i < 5; i++) {
        new_measurement(oid, i, days[i], id);
    }
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements?sort=-measured_on", oid);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 5);
    ck_assert_str_eq(jstr(json_array_get(items, 0), "measured_on"), "2025-03-05");
    ck_assert_str_eq(jstr(json_array_get(items, 4), "measured_on"), "2024-12-31");
    for (size_t i = 1; i < json_array_size(items); i++) {
        ck_assert_int_ge(strcmp(jstr(json_array_get(items, i - 1), "measured_on"),
                                jstr(json_array_get(items, i), "measured_on")),
                         0);
    }
    http_response_clear(&r);
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements?sort=measured_on", oid);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    items = json_object_get(r.json, "items");
    ck_assert_str_eq(jstr(json_array_get(items, 0), "measured_on"), "2024-12-31");
    ck_assert_str_eq(jstr(json_array_get(items, 4), "measured_on"), "2025-03-05");
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    http_response_clear(&r);
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements?sort=-created_at", oid);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    items = json_object_get(r.json, "items");
    ck_assert_str_eq(jstr(json_array_get(items, 0), "id"), id);
    http_response_clear(&r);

    /* Date bounds are inclusive. */
    char q[256];
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/objectives/%s/measurements?measured_after=2025-01-01",
                                       oid)),
                     4);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/objectives/%s/measurements?measured_before=2025-01-01",
                                       oid)),
                     2);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/objectives/%s/measurements?measured_after=2025-02-14"
                                       "&measured_before=2025-02-15",
                                       oid)),
                     2);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/objectives/%s/measurements?measured_after=2026-01-01",
                                       oid)),
                     0);

    const char *bad[][2] = {
        {"measured_after=yesterday", "measured_after"},
        {"measured_before=2025-02-30", "measured_before"},
        {"sort=value", "sort"},                         {"sort=-ref", "sort"},
        {"limit=0", "limit"},                           {"limit=201", "limit"},
        {"include_archived=1", "include_archived"},     {"cursor=abc", "cursor"},
        {"status=open", "status"},                      {"objective_id=x", "objective_id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fmt_path(path, sizeof path, "/v1/objectives/%s/measurements?%s", oid, bad[i][0]);
        api_call(&r, "GET", path, "viewer", NULL, NULL);
        ck_assert_msg(r.status == 400, "%s gave %d", bad[i][0], r.status);
        ck_assert_str_eq(jstr(r.json, "type"), "urn:isms:problem:invalid-parameter");
        const char *field = jstr(json_array_get(json_object_get(r.json, "errors"), 0), "field");
        ck_assert_str_eq(field, bad[i][1]);
        http_response_clear(&r);
    }
}
END_TEST

START_TEST(test_measurements_audit_events)
{
    http_response r;
    char oid[40], id[40], path[128];
    new_objective(oid);
    new_measurement(oid, 7, "2025-07-07", id);
    fmt_path(path, sizeof path, "/v1/measurements/%s", id);
    send_expect("PATCH", path, "editor", "{\"value\":8}", 200);
    send_expect("PATCH", path, "editor", "{\"value\":8}", 200); /* no change, no event */
    api_call(&r, "PATCH", path, "editor", "{\"value\":\"x\"}", NULL); /* refused, no event */
    ck_assert_status(r, 422);
    http_response_clear(&r);
    send_expect("DELETE", path, "admin", NULL, 204);
    send_expect("DELETE", path, "admin", NULL, 204); /* already archived, no event */
    strcat(path, "/restore");
    send_expect("POST", path, "admin", NULL, 200);
    send_expect("POST", path, "admin", NULL, 200); /* not archived, no event */

    json_t *items = audit_of(id);
    ck_assert_int_eq(json_array_size(items), 4);
    const char *want[] = {"restore", "archive", "update", "create"};
    const char *actor[] = {"admin", "admin", "editor", "editor"};
    for (int i = 0; i < 4; i++) {
        json_t *e = json_array_get(items, (size_t)i);
        ck_assert_str_eq(jstr(e, "action"), want[i]);
        ck_assert_str_eq(jstr(e, "resource_type"), "measurement");
        ck_assert_str_eq(jstr(e, "resource_id"), id);
        ck_assert_str_eq(jstr(e, "actor"), actor[i]);
    }
    json_t *create = json_array_get(items, 3), *update = json_array_get(items, 2);
    ck_assert(json_is_null(json_object_get(create, "before")));
    ck_assert_str_eq(jstr(json_object_get(create, "after"), "objective_id"), oid);
    ck_assert(json_number_value(json_object_get(json_object_get(update, "before"), "value")) ==
              7.0);
    ck_assert(json_number_value(json_object_get(json_object_get(update, "after"), "value")) ==
              8.0);
    ck_assert_int_eq(jint(json_object_get(json_array_get(items, 0), "after"), "version"), 4);
    json_decref(items);

    /* The resource_type filter knows measurements. */
    char q[256];
    fmt_path(q, sizeof q, "/v1/audit-events?resource_type=measurement&resource_id=%s", id);
    api_call(&r, "GET", q, "auditor", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 4);
    http_response_clear(&r);
}
END_TEST

Suite *suite_http_measurements(void)
{
    Suite *s = suite_create("http_measurements");
    TCase *tc = tcase_create("measurements");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_measurements_create_returns_document);
    tcase_add_test(tc, test_measurements_read_only_fields_ignored);
    tcase_add_test(tc, test_measurements_validation);
    tcase_add_test(tc, test_measurements_measured_on_limit);
    tcase_add_test(tc, test_measurements_ref_assigned_explicit_and_duplicate);
    tcase_add_test(tc, test_measurements_parent_errors);
    tcase_add_test(tc, test_measurements_get_etag_304_missing_malformed);
    tcase_add_test(tc, test_measurements_patch_merge);
    tcase_add_test(tc, test_measurements_patch_errors);
    tcase_add_test(tc, test_measurements_archive_and_restore);
    tcase_add_test(tc, test_measurements_roles);
    tcase_add_test(tc, test_measurements_list_every_limit_returns_each_once);
    tcase_add_test(tc, test_measurements_list_sort_and_filters);
    tcase_add_test(tc, test_measurements_audit_events);
    suite_add_tcase(s, tc);
    return s;
}
