/* Objectives: create, read, merge patch, archive, restore, validation and conflicts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "integration/suites.h"
#include "support/check_helpers.h"
#include "support/suite_helpers.h"

/* Creates an objective from @p body; returns its id in @p id (37 bytes). */
static void create_ok(const char *body, char *id, json_t **doc_out)
{
    http_response r;
    api_call(&r, "POST", "/v1/objectives", "editor", body, NULL);
    ck_assert_status(r, 201);
    strcpy(id, jstr(r.json, "id"));
    if (doc_out != NULL) {
        *doc_out = json_incref(r.json);
    }
    http_response_clear(&r);
}

START_TEST(test_objectives_create_returns_document)
{
    http_response r;
    char v[256], want[128];
    api_call(&r, "POST", "/v1/objectives", "editor",
             "{\"title\":\"Reduce phishing clicks\",\"level\":\"strategic\",\"status\":\"active\","
             "\"function\":\"Security\",\"owner\":\"ciso\",\"cia\":[\"confidentiality\"],"
             "\"requirement_refs\":[\"ISO27001:A.6.3\"],\"policy_ref\":\"POL-1\","
             "\"measure\":{\"metric\":\"click rate\",\"unit\":\"%\",\"baseline\":20,\"target\":5,"
             "\"direction\":\"decrease\"},\"start_date\":\"2026-01-01\",\"due_date\":\"2026-12-31\","
             "\"communicated_to\":[\"all staff\"],\"communicated_on\":\"2026-01-15\"}",
             NULL);
    ck_assert_status(r, 201);
    snprintf(want, sizeof want, "/v1/objectives/%s", jstr(r.json, "id"));
    ck_assert_str_eq(http_header(&r, "Location", v, sizeof v), want);
    ck_assert_str_eq(http_header(&r, "ETag", v, sizeof v), "\"1\"");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert_int_eq(strncmp(jstr(r.json, "ref"), "OBJ-", 4), 0);
    ck_assert_str_eq(jstr(r.json, "created_by"), "editor");
    ck_assert_str_eq(jstr(r.json, "updated_by"), "editor");
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    json_t *m = json_object_get(r.json, "measure");
    ck_assert_str_eq(jstr(m, "frequency"), "monthly");
    ck_assert(json_number_value(json_object_get(m, "target")) == 5.0);
    ck_assert_str_eq(jstr(r.json, "health"), "no_data");
    ck_assert(json_is_null(json_object_get(r.json, "progress_pct")));
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "risk_ids")), 0);
    ck_assert_int_eq(jint(r.json, "plan_count"), 0);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_objectives_defaults_and_read_only_ignored)
{
    http_response r;
    api_call(&r, "POST", "/v1/objectives", "editor",
             "{\"title\":\"Defaults\",\"level\":\"operational\",\"id\":\"x\",\"version\":9,"
             "\"health\":\"achieved\"}",
             NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "status"), "draft");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert(json_is_null(json_object_get(r.json, "measure")));
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "cia")), 0);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "communicated_to")), 0);
    ck_assert_str_ne(jstr(r.json, "id"), "x");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_objectives_validation_lists_every_error)
{
    http_response r;
    api_call(&r, "POST", "/v1/objectives", "editor",
             "{\"level\":\"galactic\",\"status\":\"active\",\"bogus\":1,"
             "\"measure\":{\"metric\":\"m\",\"baseline\":\"a\",\"direction\":\"up\"},"
             "\"start_date\":\"2026-02-30\",\"cia\":[\"integrity\",\"integrity\"],"
             "\"requirement_refs\":\"not an array\",\"ref\":\"bad ref!\"}",
             NULL);
    ck_assert_problem(r, 422, "/title", "required");
    ck_assert(problem_has_error(r.json, "/level", "enum"));
    ck_assert(problem_has_error(r.json, "/bogus", "unknown_field"));
    ck_assert(problem_has_error(r.json, "/measure/baseline", "type"));
    ck_assert(problem_has_error(r.json, "/measure/target", "required"));
    ck_assert(problem_has_error(r.json, "/measure/direction", "enum"));
    ck_assert(problem_has_error(r.json, "/start_date", "format"));
    ck_assert(problem_has_error(r.json, "/cia/1", "range"));
    ck_assert(problem_has_error(r.json, "/requirement_refs", "type"));
    ck_assert(problem_has_error(r.json, "/ref", "pattern"));
    ck_assert_str_eq(jstr(r.json, "type"), "urn:isms:problem:validation-failed");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_objectives_cross_field_rules)
{
    http_response r;
    api_call(&r, "POST", "/v1/objectives", "editor",
             "{\"title\":\"Dates\",\"level\":\"tactical\",\"start_date\":\"2026-05-01\","
             "\"due_date\":\"2026-04-30\"}",
             NULL);
    ck_assert_problem(r, 422, "/due_date", "range");
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/objectives", "editor",
             "{\"title\":\"Active without measure\",\"level\":\"tactical\",\"status\":\"active\"}",
             NULL);
    ck_assert_problem(r, 422, "/measure", "required");
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/objectives", "editor",
             "{\"title\":\"Maintain\",\"level\":\"tactical\",\"measure\":{\"metric\":\"uptime\","
             "\"baseline\":99,\"target\":99.9,\"direction\":\"maintain\"}}",
             NULL);
    ck_assert_problem(r, 422, "/measure/tolerance", "required");
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/objectives", "editor",
             "{\"title\":\"Qualitative\",\"level\":\"tactical\",\"status\":\"active\","
             "\"success_criteria\":\"Board approves the policy\"}",
             NULL);
    ck_assert_status(r, 201);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/objectives", "editor",
             "{\"title\":\"x\",\"level\":\"tactical\",\"measure\":{\"metric\":\"m\",\"baseline\":1,"
             "\"target\":2,\"direction\":\"increase\",\"tolerance\":-1}}",
             NULL);
    ck_assert_problem(r, 422, "/measure/tolerance", "range");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_objectives_lengths)
{
    http_response r;
    char *body = malloc(30000);
    char title[260];
    memset(title, 'x', 201);
    title[201] = '\0';
    snprintf(body, 30000, "{\"title\":\"%s\",\"level\":\"tactical\"}", title);
    api_call(&r, "POST", "/v1/objectives", "editor", body, NULL);
    ck_assert_problem(r, 422, "/title", "length");
    http_response_clear(&r);
    /* 200 multi-byte characters are 200 characters. */
    char *p = body + sprintf(body, "{\"level\":\"tactical\",\"title\":\"");
    for (int i = 0; i < 200; i++) {
        p += sprintf(p, "\xc3\xa9");
    }
    strcpy(p, "\"}");
    api_call(&r, "POST", "/v1/objectives", "editor", body, NULL);
    ck_assert_status(r, 201);
    http_response_clear(&r);
    free(body);
}
END_TEST

START_TEST(test_objectives_ref_assigned_explicit_and_duplicate)
{
    http_response r;
    char ref[64], body[256];
    harness_unique("REF", ref, sizeof ref);
    snprintf(body, sizeof body, "{\"title\":\"Ref\",\"level\":\"tactical\",\"ref\":\"%s\"}", ref);
    api_call(&r, "POST", "/v1/objectives", "editor", body, NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "ref"), ref);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/objectives", "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
    /* Refs are case-sensitive. */
    for (char *c = ref; *c; c++) {
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    }
    snprintf(body, sizeof body, "{\"title\":\"Ref\",\"level\":\"tactical\",\"ref\":\"%s\"}", ref);
    api_call(&r, "POST", "/v1/objectives", "editor", body, NULL);
    ck_assert_status(r, 201);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_objectives_get_etag_and_304)
{
    http_response r;
    char id[40], path[128], etag[32];
    create_ok("{\"title\":\"Get me\",\"level\":\"tactical\"}", id, NULL);
    fmt_path(path, sizeof path, "/v1/objectives/%s", id);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "ETag", etag, sizeof etag), "\"1\"");
    ck_assert_str_eq(jstr(r.json, "title"), "Get me");
    http_response_clear(&r);
    const char *inm[] = {"If-None-Match: \"1\"", NULL};
    api_call(&r, "GET", path, "viewer", NULL, inm);
    ck_assert_status(r, 304);
    ck_assert_uint_eq(r.body_len, 0);
    http_response_clear(&r);
    const char *stale[] = {"If-None-Match: \"7\"", NULL};
    api_call(&r, "GET", path, "viewer", NULL, stale);
    ck_assert_status(r, 200);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_objectives_get_missing_and_malformed)
{
    http_response r;
    api_call(&r, "GET", "/v1/objectives/6f1c2b7e-0000-4000-8000-000000000000", "viewer", NULL,
             NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/objectives/not-a-uuid", "viewer", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/objectives/..%2F..%2Fetc%2Fpasswd", "viewer", NULL, NULL);
    ck_assert_problem(r, 400, NULL, NULL);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_objectives_patch_merge_semantics)
{
    http_response r;
    char id[40], path[128], etag[32];
    create_ok("{\"title\":\"Patch me\",\"level\":\"tactical\",\"owner\":\"amy\","
              "\"description\":\"d\",\"measure\":{\"metric\":\"m\",\"unit\":\"%\",\"baseline\":0,"
              "\"target\":10,\"direction\":\"increase\"}}",
              id, NULL);
    fmt_path(path, sizeof path, "/v1/objectives/%s", id);
    const char *mp[] = {"Content-Type: application/merge-patch+json", "If-Match: \"1\"", NULL};
    api_call(&r, "PATCH", path, "editor",
             "{\"measure\":{\"target\":20,\"unit\":null},\"description\":null,\"owner\":\"bob\"}",
             mp);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "ETag", etag, sizeof etag), "\"2\"");
    ck_assert_int_eq(jint(r.json, "version"), 2);
    ck_assert_str_eq(jstr(r.json, "owner"), "bob");
    ck_assert(json_is_null(json_object_get(r.json, "description")));
    json_t *m = json_object_get(r.json, "measure");
    ck_assert(json_number_value(json_object_get(m, "target")) == 20.0);
    ck_assert(json_number_value(json_object_get(m, "baseline")) == 0.0);
    ck_assert_str_eq(jstr(m, "metric"), "m");
    ck_assert(json_is_null(json_object_get(m, "unit")));
    ck_assert_str_eq(jstr(r.json, "title"), "Patch me");
    http_response_clear(&r);

    /* Stale If-Match. */
    api_call(&r, "PATCH", path, "editor", "{\"owner\":\"carl\"}", mp);
    ck_assert_problem(r, 412, NULL, NULL);
    http_response_clear(&r);

    /* The whole GET body sent back changes nothing: same version. */
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    char *doc = strdup(r.body);
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", doc, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r.json, "version"), 2);
    http_response_clear(&r);
    free(doc);

    /* measure: null clears it. */
    api_call(&r, "PATCH", path, "editor", "{\"measure\":null}", NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_null(json_object_get(r.json, "measure")));
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_objectives_patch_errors)
{
    http_response r;
    char id[40], path[128];
    create_ok("{\"title\":\"Patch errors\",\"level\":\"tactical\"}", id, NULL);
    fmt_path(path, sizeof path, "/v1/objectives/%s", id);
    api_call(&r, "PATCH", path, "editor", "{\"title\":null,\"level\":null,\"colour\":\"red\"}", NULL);
    ck_assert_problem(r, 422, "/title", "required");
    ck_assert(problem_has_error(r.json, "/level", "required"));
    ck_assert(problem_has_error(r.json, "/colour", "unknown_field"));
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"ref\":null}", NULL);
    ck_assert_problem(r, 422, "/ref", "required");
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"status\":\"active\"}", NULL);
    ck_assert_problem(r, 422, "/measure", "required");
    http_response_clear(&r);
    /* Nothing changed by the refused patches. */
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert_str_eq(jstr(r.json, "status"), "draft");
    http_response_clear(&r);
    api_call(&r, "PATCH", "/v1/objectives/6f1c2b7e-0000-4000-8000-000000000000", "editor",
             "{\"owner\":\"x\"}", NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    api_call(&r, "PATCH", path, "editor", "{\"owner\":\"x\"}", xml);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_objectives_patch_duplicate_ref_is_409)
{
    http_response r;
    char a[40], b[40], path[128], ref[64], body[200];
    harness_unique("DUP", ref, sizeof ref);
    snprintf(body, sizeof body, "{\"title\":\"A\",\"level\":\"tactical\",\"ref\":\"%s\"}", ref);
    create_ok(body, a, NULL);
    create_ok("{\"title\":\"B\",\"level\":\"tactical\"}", b, NULL);
    fmt_path(path, sizeof path, "/v1/objectives/%s", b);
    snprintf(body, sizeof body, "{\"ref\":\"%s\"}", ref);
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_objectives_parent_rules)
{
    http_response r;
    char root[40], child[40], grandchild[40], path[128], body[256];
    create_ok("{\"title\":\"Root\",\"level\":\"strategic\"}", root, NULL);
    snprintf(body, sizeof body, "{\"title\":\"Child\",\"level\":\"tactical\",\"parent_id\":\"%s\"}",
             root);
    create_ok(body, child, NULL);
    snprintf(body, sizeof body,
             "{\"title\":\"Grandchild\",\"level\":\"operational\",\"parent_id\":\"%s\"}", child);
    create_ok(body, grandchild, NULL);

    /* root → grandchild would close a loop. */
    fmt_path(path, sizeof path, "/v1/objectives/%s", root);
    snprintf(body, sizeof body, "{\"parent_id\":\"%s\"}", grandchild);
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_problem(r, 422, "/parent_id", "cycle");
    http_response_clear(&r);
    snprintf(body, sizeof body, "{\"parent_id\":\"%s\"}", root);
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_problem(r, 422, "/parent_id", "cycle");
    http_response_clear(&r);

    /* A missing parent, then an archived one. */
    api_call(&r, "POST", "/v1/objectives", "editor",
             "{\"title\":\"Orphan\",\"level\":\"tactical\","
             "\"parent_id\":\"6f1c2b7e-0000-4000-8000-000000000000\"}",
             NULL);
    ck_assert_problem(r, 422, "/parent_id", "reference");
    http_response_clear(&r);
    fmt_path(path, sizeof path, "/v1/objectives/%s", grandchild);
    api_call(&r, "DELETE", path, "admin", NULL, NULL);
    ck_assert_status(r, 204);
    http_response_clear(&r);
    snprintf(body, sizeof body, "{\"title\":\"Under archived\",\"level\":\"tactical\","
             "\"parent_id\":\"%s\"}", grandchild);
    api_call(&r, "POST", "/v1/objectives", "editor", body, NULL);
    ck_assert_problem(r, 422, "/parent_id", "reference");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_objectives_archive_and_restore)
{
    http_response r;
    char id[40], path[128], restore[160];
    create_ok("{\"title\":\"Archive me\",\"level\":\"tactical\"}", id, NULL);
    fmt_path(path, sizeof path, "/v1/objectives/%s", id);
    fmt_path(restore, sizeof restore, "/v1/objectives/%s/restore", id);

    const char *stale[] = {"If-Match: \"5\"", NULL};
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

    api_call(&r, "PATCH", path, "editor", "{\"owner\":\"x\"}", NULL);
    ck_assert_problem(r, 409, "", "state");
    http_response_clear(&r);

    /* Archiving again changes nothing. */
    api_call(&r, "DELETE", path, "admin", NULL, NULL);
    ck_assert_status(r, 204);
    http_response_clear(&r);

    api_call(&r, "POST", restore, "admin", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);
    api_call(&r, "POST", restore, "admin", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);

    api_call(&r, "DELETE", "/v1/objectives/6f1c2b7e-0000-4000-8000-000000000000", "admin", NULL,
             NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_objectives_hostile_text_round_trips)
{
    http_response r;
    const char *body =
        "{\"title\":\"Robert'); DROP TABLE objectives;-- \\ud83d\\ude80 \\\"q\\\"\","
        "\"level\":\"tactical\",\"description\":\"<script>alert(1)</script> %_\\\\\"}";
    api_call(&r, "POST", "/v1/objectives", "editor", body, NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "title"),
                     "Robert'); DROP TABLE objectives;-- \xf0\x9f\x9a\x80 \"q\"");
    ck_assert_str_eq(jstr(r.json, "description"), "<script>alert(1)</script> %_\\");
    http_response_clear(&r);
}
END_TEST

/* The 48-bit Unix-millisecond prefix of a version-7 id. */
static long long uuid_v7_ms(const char *id)
{
    char hex[13];
    ck_assert_int_eq(id[14], '7');
    ck_assert_msg(strchr("89ab", id[19]) != NULL, "variant of %s", id);
    memcpy(hex, id, 8);
    memcpy(hex + 8, id + 9, 4);
    hex[12] = '\0';
    return strtoll(hex, NULL, 16);
}

/* Ids are time-ordered (RFC 9562 version 7) so rows written together share index pages:
 * the database's default for single creates, and the ids an import assigns. */
START_TEST(test_objectives_ids_are_time_ordered)
{
    char first[40], second[40], u[64], body[512];
    long long now_ms = (long long)time(NULL) * 1000;
    http_response r;

    post_ok("/v1/objectives", "{\"title\":\"first\",\"level\":\"tactical\"}", first);
    post_ok("/v1/objectives", "{\"title\":\"second\",\"level\":\"tactical\"}", second);
    ck_assert_int_le(uuid_v7_ms(first), uuid_v7_ms(second));
    ck_assert_int_lt(llabs(uuid_v7_ms(first) - now_ms), 60000);

    harness_unique("V7", u, sizeof u);
    snprintf(body, sizeof body,
             "{\"objectives\":[{\"ref\":\"%s\",\"title\":\"imported\",\"level\":\"tactical\"}]}", u);
    const char *h[] = {"Content-Type: application/json", NULL};
    api_call(&r, "POST", "/v1/import", "editor", body, h);
    ck_assert_status(r, 200);
    const char *imported = jstr(json_array_get(json_object_get(r.json, "results"), 0), "id");
    ck_assert_int_lt(llabs(uuid_v7_ms(imported) - now_ms), 60000);
    http_response_clear(&r);
    json_t *events = audit_of(first);
    ck_assert_int_lt(llabs(uuid_v7_ms(jstr(json_array_get(events, 0), "id")) - now_ms), 60000);
    json_decref(events);
}
END_TEST

Suite *suite_http_objectives(void)
{
    Suite *s = suite_create("http_objectives");
    TCase *tc = tcase_create("objectives");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_objectives_create_returns_document);
    tcase_add_test(tc, test_objectives_ids_are_time_ordered);
    tcase_add_test(tc, test_objectives_defaults_and_read_only_ignored);
    tcase_add_test(tc, test_objectives_validation_lists_every_error);
    tcase_add_test(tc, test_objectives_cross_field_rules);
    tcase_add_test(tc, test_objectives_lengths);
    tcase_add_test(tc, test_objectives_ref_assigned_explicit_and_duplicate);
    tcase_add_test(tc, test_objectives_get_etag_and_304);
    tcase_add_test(tc, test_objectives_get_missing_and_malformed);
    tcase_add_test(tc, test_objectives_patch_merge_semantics);
    tcase_add_test(tc, test_objectives_patch_errors);
    tcase_add_test(tc, test_objectives_patch_duplicate_ref_is_409);
    tcase_add_test(tc, test_objectives_parent_rules);
    tcase_add_test(tc, test_objectives_archive_and_restore);
    tcase_add_test(tc, test_objectives_hostile_text_round_trips);
    suite_add_tcase(s, tc);
    return s;
}
