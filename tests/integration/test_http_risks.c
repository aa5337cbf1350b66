/* Risks and objective-risk links: computed score and rating, validation, merge patch,
 * archive and restore, roles, lists and filters, links from both ends, audit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration/suites.h"
#include "support/check_helpers.h"
#include "support/suite_helpers.h"

#define N_ITEMS 7
#define MISSING_ID "6f1c2b7e-0000-4000-8000-000000000000"

static void new_objective(char *id)
{
    post_ok("/v1/objectives", "{\"title\":\"Risky\",\"level\":\"tactical\"}", id);
}

/* A risk titled @p title (likelihood × impact); @p extra is more JSON members. */
static void new_risk(const char *title, int likelihood, int impact, const char *extra, char *id)
{
    char body[1024];
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"likelihood\":%d,\"impact\":%d%s%s}", title,
             likelihood, impact, extra[0] ? "," : "", extra);
    post_ok("/v1/risks", body, id);
}

/* The audit events of @p id, newest first, narrowed by @p filter ("" or "&..."). */
static json_t *risk_audit(const char *id, const char *filter)
{
    http_response r;
    char path[256];
    fmt_path(path, sizeof path, "/v1/audit-events?resource_id=%s&limit=200%s", id, filter);
    api_call(&r, "GET", path, "auditor", NULL, NULL);
    ck_assert_status(r, 200);
    json_t *j_items = json_incref(json_object_get(r.json, "items"));
    http_response_clear(&r);
    return j_items;
}

/* GET @p path as a viewer; the document (new reference). */
static json_t *get_doc(const char *path)
{
    http_response r;
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    json_t *j = json_incref(r.json);
    http_response_clear(&r);
    return j;
}

/* Whether the string array @p j_arr holds @p s. */
static int array_has(const json_t *j_arr, const char *s)
{
    size_t i;
    json_t *it;
    json_array_foreach(j_arr, i, it)
    {
        if (json_is_string(it) && strcmp(json_string_value(it), s) == 0) {
            return 1;
        }
    }
    return 0;
}

/* ---- risks ---- */

START_TEST(test_risks_create_returns_document)
{
    http_response r;
    char v[256], want[128];
    static const char *const keys[] = {
        "id",          "ref",           "title",          "likelihood",
        "impact",      "score",         "rating",         "description",
        "asset",       "threat",        "vulnerability",  "category",
        "owner",       "treatment",     "treatment_plan", "controls",
        "residual_likelihood", "residual_impact", "residual_score", "residual_rating",
        "status",      "review_due",    "created_at",     "updated_at",
        "created_by",  "updated_by",    "version",        "archived_at", NULL};
    api_call(&r, "POST", "/v1/risks", "editor",
             "{\"title\":\"Credential phishing\",\"likelihood\":4,\"impact\":4,"
             "\"description\":\"Staff give away passwords\",\"asset\":\"mailboxes\","
             "\"threat\":\"phishers\",\"vulnerability\":\"no MFA\",\"category\":\"people\","
             "\"owner\":\"ciso\",\"treatment\":\"mitigate\",\"treatment_plan\":\"MFA + training\","
             "\"controls\":[\"A.5.17\",\"A.6.3\"],\"residual_likelihood\":2,"
             "\"residual_impact\":2,\"status\":\"in_treatment\",\"review_due\":\"2026-12-01\"}",
             NULL);
    ck_assert_status(r, 201);
    snprintf(want, sizeof want, "/v1/risks/%s", jstr(r.json, "id"));
    ck_assert_str_eq(http_header(&r, "Location", v, sizeof v), want);
    ck_assert_str_eq(http_header(&r, "ETag", v, sizeof v), "\"1\"");
    assert_keys(r.json, keys);
    ck_assert_int_eq(strncmp(jstr(r.json, "ref"), "RSK-", 4), 0);
    ck_assert_int_eq(jint(r.json, "likelihood"), 4);
    ck_assert_int_eq(jint(r.json, "impact"), 4);
    ck_assert(json_is_integer(json_object_get(r.json, "score")));
    ck_assert_int_eq(jint(r.json, "score"), 16);
    ck_assert_str_eq(jstr(r.json, "rating"), "high");
    ck_assert_int_eq(jint(r.json, "residual_score"), 4);
    ck_assert_str_eq(jstr(r.json, "residual_rating"), "low");
    json_t *controls = json_object_get(r.json, "controls");
    ck_assert_int_eq(json_array_size(controls), 2);
    ck_assert_str_eq(json_string_value(json_array_get(controls, 1)), "A.6.3");
    ck_assert_str_eq(jstr(r.json, "treatment"), "mitigate");
    ck_assert_str_eq(jstr(r.json, "status"), "in_treatment");
    ck_assert_str_eq(jstr(r.json, "review_due"), "2026-12-01");
    ck_assert_str_eq(jstr(r.json, "owner"), "ciso");
    ck_assert_str_eq(jstr(r.json, "created_by"), "editor");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert(json_is_null(json_object_get(r.json, "archived_at")));
    http_response_clear(&r);
}
END_TEST

START_TEST(test_risks_defaults_and_read_only_ignored)
{
    http_response r;
    api_call(&r, "POST", "/v1/risks", "editor",
             "{\"title\":\"Bare\",\"likelihood\":5,\"impact\":4,\"score\":1,\"rating\":\"low\","
             "\"residual_score\":3,\"residual_rating\":\"low\",\"id\":\"x\",\"version\":3}",
             NULL);
    ck_assert_status(r, 201);
    ck_assert_int_eq(jint(r.json, "score"), 20);
    ck_assert_str_eq(jstr(r.json, "rating"), "critical");
    ck_assert_str_eq(jstr(r.json, "status"), "open");
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "controls")), 0);
    ck_assert(json_is_array(json_object_get(r.json, "controls")));
    const char *nulls[] = {"description", "asset", "threat", "vulnerability", "category",
                           "owner", "treatment", "treatment_plan", "residual_likelihood",
                           "residual_impact", "residual_score", "residual_rating", "review_due"};
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++) {
        ck_assert_msg(json_is_null(json_object_get(r.json, nulls[i])), "%s not null", nulls[i]);
    }
    ck_assert_str_ne(jstr(r.json, "id"), "x");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_risks_score_and_rating)
{
    static const struct {
        int l, i, score;
        const char *rating;
    } cases[] = {
        {1, 1, 1, "low"},    {2, 2, 4, "low"},       {1, 4, 4, "low"},
        {1, 5, 5, "medium"}, {3, 3, 9, "medium"},    {2, 5, 10, "high"},
        {3, 4, 12, "high"},  {4, 4, 16, "high"},     {5, 4, 20, "critical"},
        {4, 5, 20, "critical"}, {5, 5, 25, "critical"}, {3, 2, 6, "medium"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        http_response r;
        char body[256];
        snprintf(body, sizeof body,
                 "{\"title\":\"Scored\",\"likelihood\":%d,\"impact\":%d,"
                 "\"residual_likelihood\":%d,\"residual_impact\":%d}",
                 cases[k].l, cases[k].i, cases[k].i, cases[k].l);
        api_call(&r, "POST", "/v1/risks", "editor", body, NULL);
        ck_assert_status(r, 201);
        ck_assert_msg(jint(r.json, "score") == cases[k].score, "%dx%d", cases[k].l, cases[k].i);
        ck_assert_str_eq(jstr(r.json, "rating"), cases[k].rating);
        ck_assert_int_eq(jint(r.json, "residual_score"), cases[k].score);
        ck_assert_str_eq(jstr(r.json, "residual_rating"), cases[k].rating);
        http_response_clear(&r);
    }

    /* Residual values need both halves. */
    http_response r;
    char id[40], path[128];
    api_call(&r, "POST", "/v1/risks", "editor",
             "{\"title\":\"Half\",\"likelihood\":3,\"impact\":3,\"residual_likelihood\":2}", NULL);
    ck_assert_status(r, 201);
    ck_assert_int_eq(jint(r.json, "residual_likelihood"), 2);
    ck_assert(json_is_null(json_object_get(r.json, "residual_impact")));
    ck_assert(json_is_null(json_object_get(r.json, "residual_score")));
    ck_assert(json_is_null(json_object_get(r.json, "residual_rating")));
    strcpy(id, jstr(r.json, "id"));
    http_response_clear(&r);
    fmt_path(path, sizeof path, "/v1/risks/%s", id);
    api_call(&r, "PATCH", path, "editor", "{\"residual_impact\":3,\"likelihood\":5}", NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r.json, "score"), 15);
    ck_assert_str_eq(jstr(r.json, "rating"), "high");
    ck_assert_int_eq(jint(r.json, "residual_score"), 6);
    ck_assert_str_eq(jstr(r.json, "residual_rating"), "medium");
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"residual_likelihood\":null,\"impact\":4}", NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r.json, "score"), 20);
    ck_assert_str_eq(jstr(r.json, "rating"), "critical");
    ck_assert(json_is_null(json_object_get(r.json, "residual_score")));
    ck_assert(json_is_null(json_object_get(r.json, "residual_rating")));
    http_response_clear(&r);
    /* GET agrees with the write replies. */
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "score"), 20);
    ck_assert_str_eq(jstr(r.json, "rating"), "critical");
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_risks_validation)
{
    http_response r;
    char body[600], title[260];
    api_call(&r, "POST", "/v1/risks", "editor", "{}", NULL);
    ck_assert_problem(r, 422, "/title", "required");
    ck_assert(problem_has_error(r.json, "/likelihood", "required"));
    ck_assert(problem_has_error(r.json, "/impact", "required"));
    ck_assert_str_eq(jstr(r.json, "type"), "urn:isms:problem:validation-failed");
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/risks", "editor",
             "{\"title\":\"x\",\"likelihood\":3.0,\"impact\":6,\"residual_likelihood\":0,"
             "\"residual_impact\":\"2\",\"treatment\":\"ignore\",\"status\":\"new\","
             "\"controls\":\"A.5\",\"review_due\":\"2026-02-30\",\"severity\":1}",
             NULL);
    ck_assert_problem(r, 422, "/likelihood", "type");
    ck_assert(problem_has_error(r.json, "/impact", "range"));
    ck_assert(problem_has_error(r.json, "/residual_likelihood", "range"));
    ck_assert(problem_has_error(r.json, "/residual_impact", "type"));
    ck_assert(problem_has_error(r.json, "/treatment", "enum"));
    ck_assert(problem_has_error(r.json, "/status", "enum"));
    ck_assert(problem_has_error(r.json, "/controls", "type"));
    ck_assert(problem_has_error(r.json, "/review_due", "format"));
    ck_assert(problem_has_error(r.json, "/severity", "unknown_field"));
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/risks", "editor",
             "{\"title\":\"\",\"likelihood\":0,\"impact\":-1,\"residual_impact\":6,"
             "\"controls\":[\"ok\",7],\"owner\":[],\"ref\":\"r/1\"}",
             NULL);
    ck_assert_problem(r, 422, "/title", "length");
    ck_assert(problem_has_error(r.json, "/likelihood", "range"));
    ck_assert(problem_has_error(r.json, "/impact", "range"));
    ck_assert(problem_has_error(r.json, "/residual_impact", "range"));
    ck_assert(problem_has_error(r.json, "/controls/1", "type"));
    ck_assert(problem_has_error(r.json, "/owner", "type"));
    ck_assert(problem_has_error(r.json, "/ref", "pattern"));
    http_response_clear(&r);
    memset(title, 'r', 201);
    title[201] = '\0';
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"likelihood\":1,\"impact\":1}", title);
    api_call(&r, "POST", "/v1/risks", "editor", body, NULL);
    ck_assert_problem(r, 422, "/title", "length");
    http_response_clear(&r);
    /* controls: at most 100 items of at most 200 characters. */
    snprintf(body, sizeof body,
             "{\"title\":\"x\",\"likelihood\":1,\"impact\":1,\"controls\":[\"ok\",\"%s\"]}",
             title);
    api_call(&r, "POST", "/v1/risks", "editor", body, NULL);
    ck_assert_problem(r, 422, "/controls/1", "length");
    http_response_clear(&r);
    char *many = malloc(2000);
    char *p = many + sprintf(many, "{\"title\":\"x\",\"likelihood\":1,\"impact\":1,\"controls\":[");
    for (int i = 0; i < 101; i++) {
        p += sprintf(p, "%s\"c\"", i ? "," : "");
    }
    strcpy(p, "]}");
    api_call(&r, "POST", "/v1/risks", "editor", many, NULL);
    ck_assert_problem(r, 422, "/controls", "length");
    http_response_clear(&r);
    free(many);
    api_call(&r, "POST", "/v1/risks", "editor", "{\"title\":\"x\",\"likelihood\":\"high\"", NULL);
    ck_assert_problem(r, 400, NULL, NULL);
    http_response_clear(&r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    api_call(&r, "POST", "/v1/risks", "editor", "{\"title\":\"x\",\"likelihood\":1,\"impact\":1}",
             xml);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_risks_ref_assigned_explicit_and_duplicate)
{
    http_response r;
    char ref[64], body[256], id[40], path[128];
    harness_unique("RSK", ref, sizeof ref);
    snprintf(body, sizeof body, "{\"title\":\"R\",\"likelihood\":1,\"impact\":1,\"ref\":\"%s\"}",
             ref);
    api_call(&r, "POST", "/v1/risks", "editor", body, NULL);
    ck_assert_status(r, 201);
    ck_assert_str_eq(jstr(r.json, "ref"), ref);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/risks", "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
    new_risk("Other", 1, 1, "", id);
    fmt_path(path, sizeof path, "/v1/risks/%s", id);
    snprintf(body, sizeof body, "{\"ref\":\"%s\"}", ref);
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_problem(r, 409, "/ref", "conflict");
    http_response_clear(&r);
    /* A new ref of one's own is fine. */
    harness_unique("RSK", ref, sizeof ref);
    snprintf(body, sizeof body, "{\"ref\":\"%s\"}", ref);
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "ref"), ref);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_risks_get_patch_archive_restore)
{
    http_response r;
    char id[40], path[128], restore[160], etag[32], tag[64], q[256];
    harness_unique("rget", tag, sizeof tag);
    snprintf(q, sizeof q, "\"controls\":[\"A.8.1\"],\"owner\":\"%s\"", tag);
    new_risk("Get me", 2, 3, q, id);
    fmt_path(path, sizeof path, "/v1/risks/%s", id);
    fmt_path(restore, sizeof restore, "/v1/risks/%s/restore", id);

    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "ETag", etag, sizeof etag), "\"1\"");
    ck_assert_int_eq(jint(r.json, "score"), 6);
    http_response_clear(&r);
    const char *inm[] = {"If-None-Match: \"1\"", NULL};
    api_call(&r, "GET", path, "viewer", NULL, inm);
    ck_assert_status(r, 304);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/risks/" MISSING_ID, "viewer", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    ck_assert_str_eq(jstr(r.json, "detail"), "no risk has this id");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/risks/RSK-000001", "viewer", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);

    /* Merge patch: arrays are replaced whole; null clears. */
    const char *mp[] = {"Content-Type: application/merge-patch+json", "If-Match: \"1\"", NULL};
    api_call(&r, "PATCH", path, "editor",
             "{\"controls\":[\"A.8.2\",\"A.8.3\"],\"treatment\":\"accept\",\"score\":99}", mp);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "ETag", etag, sizeof etag), "\"2\"");
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "controls")), 2);
    ck_assert_str_eq(jstr(r.json, "treatment"), "accept");
    ck_assert_int_eq(jint(r.json, "score"), 6);
    ck_assert_str_eq(jstr(r.json, "title"), "Get me");
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"treatment\":null}", mp);
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
             "{\"title\":null,\"likelihood\":null,\"impact\":7,\"ref\":null,\"colour\":1}", NULL);
    ck_assert_problem(r, 422, "/title", "required");
    ck_assert(problem_has_error(r.json, "/likelihood", "required"));
    ck_assert(problem_has_error(r.json, "/impact", "range"));
    ck_assert(problem_has_error(r.json, "/ref", "required"));
    ck_assert(problem_has_error(r.json, "/colour", "unknown_field"));
    http_response_clear(&r);
    api_call(&r, "PATCH", path, "editor", "{\"treatment\":null,\"controls\":null}", NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_null(json_object_get(r.json, "treatment")));
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "controls")), 0);
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);
    api_call(&r, "PATCH", "/v1/risks/" MISSING_ID, "editor", "{\"title\":\"x\"}", NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "PATCH", "/v1/risks/-", "editor", "{\"title\":\"x\"}", NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    api_call(&r, "PATCH", path, "editor", "{\"title\":\"x\"}", xml);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);

    /* Archive and restore. */
    char list_archived[512];
    fmt_path(q, sizeof q, "/v1/risks?owner=%s", tag);
    fmt_path(list_archived, sizeof list_archived, "%s&include_archived=true", q);
    assert_archive_and_restore(&(archive_case){.path = path,
                                               .restore = restore,
                                               .list = q,
                                               .list_archived = list_archived,
                                               .stale_if_match = "If-Match: \"2\"",
                                               .if_match = "If-Match: \"3\"",
                                               .patch_body = "{\"title\":\"x\"}",
                                               .archived_version = 4});
    api_call(&r, "DELETE", "/v1/risks/" MISSING_ID, "admin", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/risks/" MISSING_ID "/restore", "admin", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_risks_roles)
{
    http_response r;
    char id[40], path[128], restore[160];
    new_risk("Roles", 2, 2, "", id);
    fmt_path(path, sizeof path, "/v1/risks/%s", id);
    fmt_path(restore, sizeof restore, "/v1/risks/%s/restore", id);
    const char *body = "{\"title\":\"No\",\"likelihood\":1,\"impact\":1}";
    send_expect("POST", "/v1/risks", "viewer", body, 403);
    send_expect("POST", "/v1/risks", "auditor", body, 403);
    send_expect("POST", "/v1/risks", NULL, body, 401);
    send_expect("PATCH", path, "viewer", "{\"title\":\"No\"}", 403);
    send_expect("DELETE", path, "viewer", NULL, 403);
    send_expect("DELETE", path, "editor", NULL, 403);
    send_expect("POST", restore, "editor", NULL, 403);
    send_expect("POST", restore, "viewer", NULL, 403);
    const char *roles[] = {"viewer", "editor", "auditor", "admin"};
    for (int i = 0; i < 4; i++) {
        send_expect("GET", path, roles[i], NULL, 200);
        send_expect("GET", "/v1/risks?limit=1", roles[i], NULL, 200);
    }
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert_str_eq(jstr(r.json, "title"), "Roles");
    http_response_clear(&r);
}
END_TEST

/* N_ITEMS risks whose titles share a unique fragment (returned in @p tag). */
static void seed_risks(char ids[N_ITEMS][40], char *tag, size_t cap)
{
    static const int lik[N_ITEMS] = {1, 2, 3, 4, 5, 5, 2};
    static const int imp[N_ITEMS] = {1, 3, 3, 4, 4, 5, 5};
    /* scores 1 low, 6 medium, 9 medium, 16 high, 20 critical, 25 critical, 10 high */
    static const char *const status[N_ITEMS] = {"open", "open", "closed", "in_treatment",
                                                "accepted", "open", "in_treatment"};
    static const char *const treat[N_ITEMS] = {"accept", "mitigate", "mitigate", "transfer",
                                               "avoid", "mitigate", "accept"};
    harness_unique("rsk", tag, cap);
    for (int i = 0; i < N_ITEMS; i++) {
        char title[160], extra[256];
        snprintf(title, sizeof title, "%c %s", 'g' - i, tag);
        snprintf(extra, sizeof extra,
                 "\"status\":\"%s\",\"treatment\":\"%s\",\"owner\":\"%s\","
                 "\"review_due\":\"2027-0%d-01\"",
                 status[i], treat[i], i < 3 ? "ann" : "ben", 1 + i % 3);
        new_risk(title, lik[i], imp[i], extra, ids[i]);
    }
}

START_TEST(test_risks_list_every_limit_returns_each_once)
{
    /* The seeded risks plus one without review_due (it sorts after every date). */
    enum { N = N_ITEMS + 1 };
    char tag[64], title[128], base[256], ids[N][40];
    seed_risks(ids, tag, sizeof tag);
    snprintf(title, sizeof title, "undated %s", tag);
    new_risk(title, 4, 4, "", ids[N_ITEMS]);
    const char *sorts[] = {"",          "&sort=-created_at",   "&sort=score",
                           "&sort=-score,title", "&sort=review_due,-ref", "&sort=-review_due",
                           "&sort=-updated_at", "&sort=title"};
    for (size_t s = 0; s < sizeof sorts / sizeof sorts[0]; s++) {
        for (int limit = 1; limit <= N + 1; limit++) {
            int pages;
            fmt_path(base, sizeof base, "/v1/risks?q=%s%s", tag, sorts[s]);
            json_t *j_ids = walk(base, limit, &pages);
            assert_each_once(j_ids, ids, N);
            ck_assert_int_eq(pages, (N + limit - 1) / limit);
            json_decref(j_ids);
        }
    }
}
END_TEST

START_TEST(test_risks_list_filters_and_sort)
{
    http_response r;
    char tag[64], q[512], ids[N_ITEMS][40];
    seed_risks(ids, tag, sizeof tag);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s", tag)), 7);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&rating=high", tag)), 2);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&rating=critical", tag)), 2);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&rating=low,medium", tag)), 3);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&min_score=10", tag)), 4);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&min_score=16", tag)), 3);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&min_score=26", tag)), 0);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&min_score=1", tag)), 7);
    ck_assert_int_eq(
        count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&min_score=9&rating=medium", tag)), 1);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&status=open", tag)), 3);
    ck_assert_int_eq(
        count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&status=in_treatment,accepted", tag)), 3);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&owner=ann", tag)), 3);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&treatment=mitigate", tag)), 3);
    ck_assert_int_eq(
        count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&treatment=accept,avoid", tag)), 3);
    /* q is case-insensitive and also matches the ref. */
    char upper[64];
    snprintf(upper, sizeof upper, "%s", tag);
    for (char *c = upper; *c; c++) {
        *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    }
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s", upper)), 7);
    api_call(&r, "GET", fmt_path(q, sizeof q, "/v1/risks/%s", ids[0]), "viewer", NULL, NULL);
    char ref[80];
    snprintf(ref, sizeof ref, "%s", jstr(r.json, "ref"));
    http_response_clear(&r);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s", ref)), 1);

    /* Scores descending, ties by id. */
    fmt_path(q, sizeof q, "/v1/risks?q=%s&sort=-score", tag);
    api_call(&r, "GET", q, "viewer", NULL, NULL);
    json_t *items = json_object_get(r.json, "items");
    static const int scores[N_ITEMS] = {25, 20, 16, 10, 9, 6, 1};
    for (int i = 0; i < N_ITEMS; i++) {
        ck_assert_int_eq(jint(json_array_get(items, (size_t)i), "score"), scores[i]);
    }
    http_response_clear(&r);
    fmt_path(q, sizeof q, "/v1/risks?q=%s&sort=title", tag);
    api_call(&r, "GET", q, "viewer", NULL, NULL);
    items = json_object_get(r.json, "items");
    ck_assert_str_eq(jstr(json_array_get(items, 0), "id"), ids[6]);
    ck_assert_str_eq(jstr(json_array_get(items, 6), "id"), ids[0]);
    http_response_clear(&r);
    /* Archived risks leave the list and the filters. */
    send_expect("DELETE", fmt_path(q, sizeof q, "/v1/risks/%s", ids[5]), "admin", NULL, 204);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q, "/v1/risks?q=%s&rating=critical", tag)), 1);
    ck_assert_int_eq(count_at(fmt_path(q, sizeof q,
                                       "/v1/risks?q=%s&rating=critical&include_archived=true",
                                       tag)),
                     2);

    const char *bad[][2] = {
        {"rating=severe", "rating"},          {"rating=high,", "rating"},
        {"min_score=abc", "min_score"},       {"min_score=1.5", "min_score"},
        {"treatment=ignore", "treatment"},    {"status=new", "status"},
        {"sort=likelihood", "sort"},          {"sort=score,-score", "sort"},
        {"objective_id=" MISSING_ID, "objective_id"}, {"limit=-1", "limit"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fmt_path(q, sizeof q, "/v1/risks?%s", bad[i][0]);
        api_call(&r, "GET", q, "viewer", NULL, NULL);
        ck_assert_msg(r.status == 400, "%s gave %d", bad[i][0], r.status);
        ck_assert_str_eq(jstr(r.json, "type"), "urn:isms:problem:invalid-parameter");
        const char *field = jstr(json_array_get(json_object_get(r.json, "errors"), 0), "field");
        ck_assert_str_eq(field, bad[i][1]);
        http_response_clear(&r);
    }
}
END_TEST

START_TEST(test_risks_audit_events)
{
    char id[40], path[128];
    new_risk("Audited risk", 2, 2, "", id);
    fmt_path(path, sizeof path, "/v1/risks/%s", id);
    send_expect("PATCH", path, "editor", "{\"impact\":5}", 200);
    send_expect("DELETE", path, "admin", NULL, 204);
    strcat(path, "/restore");
    send_expect("POST", path, "admin", NULL, 200);
    json_t *items = risk_audit(id, "");
    ck_assert_int_eq(json_array_size(items), 4);
    const char *want[] = {"restore", "archive", "update", "create"};
    for (int i = 0; i < 4; i++) {
        json_t *e = json_array_get(items, (size_t)i);
        ck_assert_str_eq(jstr(e, "action"), want[i]);
        ck_assert_str_eq(jstr(e, "resource_type"), "risk");
    }
    json_t *update = json_array_get(items, 2);
    ck_assert_int_eq(jint(json_object_get(update, "before"), "score"), 4);
    ck_assert_int_eq(jint(json_object_get(update, "after"), "score"), 10);
    ck_assert_str_eq(jstr(json_object_get(update, "after"), "rating"), "high");
    json_decref(items);
}
END_TEST

/* ---- links ---- */

START_TEST(test_links_put_and_delete_are_idempotent)
{
    http_response r;
    char oid[40], rid[40], link[200], path[200];
    new_objective(oid);
    new_risk("Linked", 4, 4, "", rid);
    fmt_path(link, sizeof link, "/v1/objectives/%s/risks/%s", oid, rid);

    api_call(&r, "PUT", link, "editor", NULL, NULL);
    ck_assert_status(r, 204);
    ck_assert_uint_eq(r.body_len, 0);
    http_response_clear(&r);
    send_expect("PUT", link, "editor", NULL, 204);

    json_t *events = risk_audit(oid, "&action=link");
    ck_assert_int_eq(json_array_size(events), 1);
    json_t *e = json_array_get(events, 0);
    ck_assert_str_eq(jstr(e, "resource_type"), "objective");
    ck_assert_str_eq(jstr(e, "actor"), "editor");
    ck_assert(json_is_null(json_object_get(e, "before")));
    ck_assert_str_eq(jstr(json_object_get(e, "after"), "risk_id"), rid);
    ck_assert_int_eq(json_object_size(json_object_get(e, "after")), 1);
    json_decref(events);

    /* Both ends see the link. */
    json_t *doc = get_doc(fmt_path(path, sizeof path, "/v1/objectives/%s", oid));
    ck_assert_int_eq(json_array_size(json_object_get(doc, "risk_ids")), 1);
    ck_assert(array_has(json_object_get(doc, "risk_ids"), rid));
    ck_assert_int_eq(jint(doc, "version"), 1); /* a link is not a change of the objective */
    json_decref(doc);
    api_call(&r, "GET", fmt_path(path, sizeof path, "/v1/objectives/%s/risks", oid), "viewer",
             NULL, NULL);
    ck_assert_status(r, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert_str_eq(jstr(json_array_get(items, 0), "id"), rid);
    ck_assert_int_eq(jint(json_array_get(items, 0), "score"), 16);
    ck_assert_str_eq(jstr(json_array_get(items, 0), "rating"), "high");
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    http_response_clear(&r);
    api_call(&r, "GET", fmt_path(path, sizeof path, "/v1/risks/%s/objectives", rid), "viewer",
             NULL, NULL);
    ck_assert_status(r, 200);
    items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert_str_eq(jstr(json_array_get(items, 0), "id"), oid);
    ck_assert(array_has(json_object_get(json_array_get(items, 0), "risk_ids"), rid));
    http_response_clear(&r);

    /* Unlink twice: one event. An admin may link too. */
    send_expect("DELETE", link, "editor", NULL, 204);
    send_expect("DELETE", link, "editor", NULL, 204);
    events = risk_audit(oid, "&action=unlink");
    ck_assert_int_eq(json_array_size(events), 1);
    e = json_array_get(events, 0);
    ck_assert_str_eq(jstr(json_object_get(e, "before"), "risk_id"), rid);
    ck_assert(json_is_null(json_object_get(e, "after")));
    json_decref(events);
    ck_assert_int_eq(count_at(fmt_path(path, sizeof path, "/v1/objectives/%s/risks", oid)), 0);
    ck_assert_int_eq(count_at(fmt_path(path, sizeof path, "/v1/risks/%s/objectives", rid)), 0);
    doc = get_doc(fmt_path(path, sizeof path, "/v1/objectives/%s", oid));
    ck_assert_int_eq(json_array_size(json_object_get(doc, "risk_ids")), 0);
    json_decref(doc);
    send_expect("PUT", link, "admin", NULL, 204);
    events = risk_audit(oid, "&action=link,unlink");
    ck_assert_int_eq(json_array_size(events), 3);
    ck_assert_str_eq(jstr(json_array_get(events, 0), "action"), "link");
    ck_assert_str_eq(jstr(json_array_get(events, 0), "actor"), "admin");
    json_decref(events);
    /* Only link events were written for the objective besides its creation. */
    events = risk_audit(oid, "");
    ck_assert_int_eq(json_array_size(events), 4);
    json_decref(events);
}
END_TEST

START_TEST(test_links_errors)
{
    http_response r;
    char oid[40], rid[40], dead_o[40], dead_r[40], path[200];
    new_objective(oid);
    new_risk("Link errors", 1, 2, "", rid);

    api_call(&r, "PUT", fmt_path(path, sizeof path, "/v1/objectives/%s/risks/" MISSING_ID, oid),
             "editor", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    ck_assert_str_eq(jstr(r.json, "detail"), "no risk has this id");
    http_response_clear(&r);
    api_call(&r, "DELETE", path, "editor", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "PUT", fmt_path(path, sizeof path, "/v1/objectives/" MISSING_ID "/risks/%s", rid),
             "editor", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    ck_assert_str_eq(jstr(r.json, "detail"), "no objective has this id");
    http_response_clear(&r);
    api_call(&r, "PUT", fmt_path(path, sizeof path, "/v1/objectives/x/risks/%s", rid), "editor",
             NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
    api_call(&r, "PUT", fmt_path(path, sizeof path, "/v1/objectives/%s/risks/x", oid), "editor",
             NULL, NULL);
    ck_assert_problem(r, 400, "risk_id", "format");
    http_response_clear(&r);

    /* Archived ends. */
    new_risk("Archived end", 1, 1, "", dead_r);
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/risks/%s", dead_r), "admin", NULL, 204);
    api_call(&r, "PUT", fmt_path(path, sizeof path, "/v1/objectives/%s/risks/%s", oid, dead_r),
             "editor", NULL, NULL);
    ck_assert_problem(r, 409, "risk_id", "state");
    http_response_clear(&r);
    new_objective(dead_o);
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/objectives/%s", dead_o), "admin", NULL,
                204);
    api_call(&r, "PUT", fmt_path(path, sizeof path, "/v1/objectives/%s/risks/%s", dead_o, rid),
             "editor", NULL, NULL);
    ck_assert_problem(r, 409, "id", "state");
    http_response_clear(&r);
    /* Unlinking checks the ends the same way. */
    api_call(&r, "DELETE", path, "editor", NULL, NULL);
    ck_assert_problem(r, 409, "id", "state");
    http_response_clear(&r);
    api_call(&r, "DELETE", fmt_path(path, sizeof path, "/v1/objectives/%s/risks/%s", oid, dead_r),
             "editor", NULL, NULL);
    ck_assert_problem(r, 409, "risk_id", "state");
    http_response_clear(&r);
    json_t *events = risk_audit(oid, "&action=link,unlink");
    ck_assert_int_eq(json_array_size(events), 0);
    json_decref(events);

    /* Roles: viewers and auditors cannot link or unlink; no token is 401. */
    fmt_path(path, sizeof path, "/v1/objectives/%s/risks/%s", oid, rid);
    send_expect("PUT", path, "viewer", NULL, 403);
    send_expect("PUT", path, "auditor", NULL, 403);
    send_expect("PUT", path, NULL, NULL, 401);
    send_expect("PUT", path, "editor", NULL, 204);
    send_expect("DELETE", path, "viewer", NULL, 403);
    send_expect("DELETE", path, "auditor", NULL, 403);
    ck_assert_int_eq(count_at(fmt_path(path, sizeof path, "/v1/objectives/%s/risks", oid)), 1);
    fmt_path(path, sizeof path, "/v1/objectives/%s/risks/%s", oid, rid);
    send_expect("DELETE", path, "admin", NULL, 204);
    ck_assert_int_eq(count_at(fmt_path(path, sizeof path, "/v1/objectives/%s/risks", oid)), 0);

    /* Lists under a missing or malformed parent. */
    api_call(&r, "GET", "/v1/objectives/" MISSING_ID "/risks", "viewer", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/risks/" MISSING_ID "/objectives", "viewer", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/risks/nope/objectives", "viewer", NULL, NULL);
    ck_assert_problem(r, 400, "id", "format");
    http_response_clear(&r);
    /* The link lists take no filters; their sort keys are the risk's / objective's. */
    const char *bad[][2] = {{"rating=high", "rating"}, {"sort=level", "sort"}, {"q=x", "q"}};
    for (size_t i = 0; i < 3; i++) {
        fmt_path(path, sizeof path, "/v1/objectives/%s/risks?%s", oid, bad[i][0]);
        api_call(&r, "GET", path, "viewer", NULL, NULL);
        ck_assert_msg(r.status == 400, "%s gave %d", bad[i][0], r.status);
        ck_assert_str_eq(jstr(json_array_get(json_object_get(r.json, "errors"), 0), "field"),
                         bad[i][1]);
        http_response_clear(&r);
    }
    api_call(&r, "GET", fmt_path(path, sizeof path, "/v1/risks/%s/objectives?sort=score", rid),
             "viewer", NULL, NULL);
    ck_assert_problem(r, 400, "sort", "enum");
    http_response_clear(&r);
    api_call(&r, "GET", fmt_path(path, sizeof path, "/v1/risks/%s/objectives?status=active", rid),
             "viewer", NULL, NULL);
    ck_assert_status(r, 400);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_links_lists_page_and_skip_archived)
{
    http_response r;
    char oid[40], rids[4][40], oids[4][40], rid[40], path[256];
    new_objective(oid);
    for (int i = 0; i < 4; i++) {
        new_risk("Listed", 1 + i, 5, "", rids[i]);
        send_expect("PUT", fmt_path(path, sizeof path, "/v1/objectives/%s/risks/%s", oid, rids[i]),
                    "editor", NULL, 204);
    }
    const char *rsorts[] = {"", "?sort=-score", "?sort=title,-created_at", "?sort=review_due"};
    for (size_t s = 0; s < 4; s++) {
        for (int limit = 1; limit <= 5; limit++) {
            int pages;
            fmt_path(path, sizeof path, "/v1/objectives/%s/risks%s", oid, rsorts[s]);
            json_t *j_ids = walk(path, limit, &pages);
            assert_each_once(j_ids, rids, 4);
            ck_assert_int_eq(pages, (4 + limit - 1) / limit);
            json_decref(j_ids);
        }
    }
    fmt_path(path, sizeof path, "/v1/objectives/%s/risks?sort=-score", oid);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(r.json, "items"), 0), "id"), rids[3]);
    ck_assert_int_eq(jint(json_array_get(json_object_get(r.json, "items"), 0), "score"), 20);
    http_response_clear(&r);

    /* risk_ids are sorted; an archived risk leaves them and the list. */
    json_t *doc = get_doc(fmt_path(path, sizeof path, "/v1/objectives/%s", oid));
    json_t *risk_ids = json_object_get(doc, "risk_ids");
    ck_assert_int_eq(json_array_size(risk_ids), 4);
    for (size_t i = 1; i < 4; i++) {
        ck_assert_int_lt(strcmp(json_string_value(json_array_get(risk_ids, i - 1)),
                                json_string_value(json_array_get(risk_ids, i))),
                         0);
    }
    json_decref(doc);
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/risks/%s", rids[1]), "admin", NULL, 204);
    ck_assert_int_eq(count_at(fmt_path(path, sizeof path, "/v1/objectives/%s/risks", oid)), 3);
    ck_assert_int_eq(count_at(fmt_path(path, sizeof path,
                                       "/v1/objectives/%s/risks?include_archived=true", oid)),
                     4);
    doc = get_doc(fmt_path(path, sizeof path, "/v1/objectives/%s", oid));
    ck_assert_int_eq(json_array_size(json_object_get(doc, "risk_ids")), 3);
    ck_assert(!array_has(json_object_get(doc, "risk_ids"), rids[1]));
    json_decref(doc);
    /* Restored, it is back. */
    send_expect("POST", fmt_path(path, sizeof path, "/v1/risks/%s/restore", rids[1]), "admin",
                NULL, 200);
    doc = get_doc(fmt_path(path, sizeof path, "/v1/objectives/%s", oid));
    ck_assert(array_has(json_object_get(doc, "risk_ids"), rids[1]));
    json_decref(doc);

    /* The other direction: one risk, four objectives. */
    new_risk("Shared", 3, 3, "", rid);
    for (int i = 0; i < 4; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"title\":\"obj %c\",\"level\":\"tactical\"}", 'd' - i);
        post_ok("/v1/objectives", body, oids[i]);
        send_expect("PUT", fmt_path(path, sizeof path, "/v1/objectives/%s/risks/%s", oids[i], rid),
                    "editor", NULL, 204);
    }
    const char *osorts[] = {"", "?sort=title", "?sort=-ref", "?sort=-created_at,title"};
    for (size_t s = 0; s < 4; s++) {
        for (int limit = 1; limit <= 5; limit++) {
            int pages;
            fmt_path(path, sizeof path, "/v1/risks/%s/objectives%s", rid, osorts[s]);
            json_t *j_ids = walk(path, limit, &pages);
            assert_each_once(j_ids, oids, 4);
            ck_assert_int_eq(pages, (4 + limit - 1) / limit);
            json_decref(j_ids);
        }
    }
    fmt_path(path, sizeof path, "/v1/risks/%s/objectives?sort=title", rid);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(r.json, "items"), 0), "id"), oids[3]);
    http_response_clear(&r);
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/objectives/%s", oids[0]), "admin", NULL,
                204);
    ck_assert_int_eq(count_at(fmt_path(path, sizeof path, "/v1/risks/%s/objectives", rid)), 3);
    ck_assert_int_eq(count_at(fmt_path(path, sizeof path,
                                       "/v1/risks/%s/objectives?include_archived=true", rid)),
                     4);
    /* Lists still answer for archived parents. */
    ck_assert_int_eq(count_at(fmt_path(path, sizeof path, "/v1/objectives/%s/risks", oids[0])), 1);
}
END_TEST

Suite *suite_http_risks(void)
{
    Suite *s = suite_create("http_risks");
    TCase *tc = tcase_create("risks");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_risks_create_returns_document);
    tcase_add_test(tc, test_risks_defaults_and_read_only_ignored);
    tcase_add_test(tc, test_risks_score_and_rating);
    tcase_add_test(tc, test_risks_validation);
    tcase_add_test(tc, test_risks_ref_assigned_explicit_and_duplicate);
    tcase_add_test(tc, test_risks_get_patch_archive_restore);
    tcase_add_test(tc, test_risks_roles);
    tcase_add_test(tc, test_risks_list_every_limit_returns_each_once);
    tcase_add_test(tc, test_risks_list_filters_and_sort);
    tcase_add_test(tc, test_risks_audit_events);
    suite_add_tcase(s, tc);
    TCase *tl = tcase_create("links");
    tcase_set_timeout(tl, 120);
    tcase_add_test(tl, test_links_put_and_delete_are_idempotent);
    tcase_add_test(tl, test_links_errors);
    tcase_add_test(tl, test_links_lists_page_and_skip_archived);
    suite_add_tcase(s, tl);
    return s;
}
