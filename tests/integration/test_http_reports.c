/* Reports: small scenarios with exact expected contents. Objectives are isolated by a
 * unique `function`; reports that are never narrowed (risk matrix, broken links) are
 * checked by difference or by id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "integration/suites.h"
#include "support/check_helpers.h"

static void date_offset(char out[11], int days)
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* POSTs @p body to @p path as editor; returns the new id (static buffer per call). */
static const char *create(const char *path, const char *body, char id[40])
{
    http_response r;
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_status(r, 201);
    strcpy(id, jstr(r.json, "id"));
    http_response_clear(&r);
    return id;
}

/* GETs a report; returns its parsed JSON (new reference). */
static json_t *report(const char *path)
{
    http_response r;
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    json_t *j = json_incref(r.json);
    http_response_clear(&r);
    return j;
}

static json_t *check_of(json_t *j_compliance, const char *id)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j_compliance, "checks"), i, c)
    {
        if (strcmp(jstr(c, "id"), id) == 0) {
            return c;
        }
    }
    ck_abort_msg("no check %s", id);
    return NULL;
}

/* passed/failed/not_applicable of one check, as "p/f/n". */
static const char *check_counts(json_t *j, const char *id, char buf[32])
{
    json_t *c = check_of(j, id);
    snprintf(buf, 32, "%lld/%lld/%lld", jint(c, "passed"), jint(c, "failed"),
             jint(c, "not_applicable"));
    return buf;
}

static int has_id(json_t *j_array, const char *key, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(j_array, i, v)
    {
        const char *s = key ? jstr(v, key) : json_string_value(v);
        if (s && strcmp(s, id) == 0) {
            return 1;
        }
    }
    return 0;
}

START_TEST(test_reports_compliance_checks_flip)
{
    char fn[64], obj[40], path[512], body[1024], buf[32], due[11], today[11], id[40];
    harness_unique("cmp", fn, sizeof fn);
    date_offset(due, 200);
    date_offset(today, 0);
    snprintf(body, sizeof body,
             "{\"title\":\"Compliance subject\",\"level\":\"tactical\",\"status\":\"active\","
             "\"function\":\"%s\",\"measure\":{\"metric\":\"m\",\"baseline\":0,\"target\":10,"
             "\"direction\":\"increase\",\"frequency\":\"weekly\"}}",
             fn);
    create("/v1/objectives", body, obj);
    /* A draft in the same function is not checked. */
    snprintf(body, sizeof body, "{\"title\":\"Draft\",\"level\":\"tactical\",\"function\":\"%s\"}",
             fn);
    create("/v1/objectives", body, id);

    fmt_path(path, sizeof path, "/v1/reports/compliance?function=%s", fn);
    json_t *j = report(path);
    ck_assert_int_eq(jint(j, "objectives_checked"), 1);
    ck_assert_int_eq(jint(j, "review_window_days"), 365);
    ck_assert_str_eq(check_counts(j, "measurable", buf), "1/0/0");
    ck_assert_str_eq(check_counts(j, "owner", buf), "0/1/0");
    ck_assert_str_eq(check_counts(j, "due_date", buf), "0/1/0");
    ck_assert_str_eq(check_counts(j, "policy_link", buf), "0/1/0");
    ck_assert_str_eq(check_counts(j, "risk_or_requirement", buf), "0/1/0");
    ck_assert_str_eq(check_counts(j, "has_plan", buf), "0/1/0");
    ck_assert_str_eq(check_counts(j, "plan_complete", buf), "0/1/0");
    ck_assert_str_eq(check_counts(j, "monitored", buf), "0/1/0");
    ck_assert_str_eq(check_counts(j, "communicated", buf), "0/1/0");
    ck_assert_str_eq(check_counts(j, "reviewed", buf), "0/1/0");
    ck_assert(json_real_value(json_object_get(j, "score_pct")) == 10.0 ||
              json_number_value(json_object_get(j, "score_pct")) == 10.0);
    ck_assert_int_eq(json_array_size(json_object_get(j, "findings")), 9);
    json_t *f = json_array_get(json_object_get(j, "findings"), 0);
    ck_assert_str_eq(jstr(f, "objective_id"), obj);
    ck_assert_ptr_nonnull(jstr(f, "message"));
    json_decref(j);

    /* Owner, due date, policy, communication: four checks flip. */
    fmt_path(path, sizeof path, "/v1/objectives/%s", obj);
    snprintf(body, sizeof body,
             "{\"owner\":\"ciso\",\"due_date\":\"%s\",\"policy_ref\":\"POL-7\","
             "\"communicated_to\":[\"staff\"],\"communicated_on\":\"%s\"}",
             due, today);
    http_response r;
    api_call(&r, "PATCH", path, "editor", body, NULL);
    ck_assert_status(r, 200);
    http_response_clear(&r);
    fmt_path(path, sizeof path, "/v1/reports/compliance?function=%s", fn);
    j = report(path);
    ck_assert_str_eq(check_counts(j, "owner", buf), "1/0/0");
    ck_assert_str_eq(check_counts(j, "due_date", buf), "1/0/0");
    ck_assert_str_eq(check_counts(j, "policy_link", buf), "1/0/0");
    ck_assert_str_eq(check_counts(j, "communicated", buf), "1/0/0");
    ck_assert_str_eq(check_counts(j, "has_plan", buf), "0/1/0");
    json_decref(j);

    /* An incomplete plan: has_plan flips, plan_complete does not. */
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"title\":\"Plan\"}", obj);
    char plan[40];
    create("/v1/plans", body, plan);
    j = report(path);
    ck_assert_str_eq(check_counts(j, "has_plan", buf), "1/0/0");
    ck_assert_str_eq(check_counts(j, "plan_complete", buf), "0/1/0");
    json_decref(j);
    fmt_path(body, sizeof body, "/v1/plans/%s", plan);
    char plan_body[512];
    snprintf(plan_body, sizeof plan_body,
             "{\"activities\":\"train\",\"resources\":\"budget\",\"responsible\":\"it\","
             "\"due_date\":\"%s\",\"evaluation_method\":\"phishing test\"}",
             due);
    api_call(&r, "PATCH", body, "editor", plan_body, NULL);
    ck_assert_status(r, 200);
    http_response_clear(&r);
    j = report(path);
    ck_assert_str_eq(check_counts(j, "plan_complete", buf), "1/0/0");
    json_decref(j);

    /* A measurement this week: monitored. */
    fmt_path(body, sizeof body, "/v1/objectives/%s/measurements", obj);
    snprintf(plan_body, sizeof plan_body, "{\"value\":4,\"measured_on\":\"%s\"}", today);
    create(body, plan_body, id);
    j = report(path);
    ck_assert_str_eq(check_counts(j, "monitored", buf), "1/0/0");
    json_decref(j);

    /* A linked risk: risk_or_requirement. A held review item: reviewed. */
    char risk[40];
    create("/v1/risks", "{\"title\":\"Risk for compliance\",\"likelihood\":2,\"impact\":2}", risk);
    fmt_path(body, sizeof body, "/v1/objectives/%s/risks/%s", obj, risk);
    api_call(&r, "PUT", body, "editor", NULL, NULL);
    ck_assert_status(r, 204);
    http_response_clear(&r);
    char review[40];
    snprintf(plan_body, sizeof plan_body,
             "{\"title\":\"Review\",\"held_on\":\"%s\",\"status\":\"held\"}", today);
    create("/v1/reviews", plan_body, review);
    fmt_path(body, sizeof body, "/v1/reviews/%s/items", review);
    snprintf(plan_body, sizeof plan_body, "{\"objective_id\":\"%s\",\"decision\":\"continue\"}",
             obj);
    create(body, plan_body, id);
    j = report(path);
    ck_assert_str_eq(check_counts(j, "risk_or_requirement", buf), "1/0/0");
    ck_assert_str_eq(check_counts(j, "reviewed", buf), "1/0/0");
    ck_assert(json_number_value(json_object_get(j, "score_pct")) == 100.0);
    ck_assert_int_eq(json_array_size(json_object_get(j, "findings")), 0);
    json_decref(j);

    /* A window that ends before the review makes it unreviewed again, via as_of. */
    char past[11];
    date_offset(past, -10);
    fmt_path(path, sizeof path, "/v1/reports/compliance?function=%s&as_of=%s", fn, past);
    j = report(path);
    ck_assert_str_eq(check_counts(j, "reviewed", buf), "0/1/0");
    ck_assert_str_eq(check_counts(j, "monitored", buf), "0/1/0");
    json_decref(j);
}
END_TEST

START_TEST(test_reports_broken_link_until_linked)
{
    char fn[64], obj[40], risk[40], title[96], body[512], path[256];
    http_response r;
    harness_unique("broken", title, sizeof title);
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"likelihood\":4,\"impact\":4}", title);
    create("/v1/risks", body, risk);
    json_t *j = report("/v1/reports/compliance");
    ck_assert(has_id(json_object_get(j, "broken_links"), "risk_id", risk));
    json_decref(j);

    /* Linked to a draft objective: still broken. */
    harness_unique("fn", fn, sizeof fn);
    snprintf(body, sizeof body, "{\"title\":\"Mitigates\",\"level\":\"tactical\",\"function\":\"%s\"}",
             fn);
    create("/v1/objectives", body, obj);
    fmt_path(path, sizeof path, "/v1/objectives/%s/risks/%s", obj, risk);
    api_call(&r, "PUT", path, "editor", NULL, NULL);
    http_response_clear(&r);
    j = report("/v1/reports/compliance");
    ck_assert(has_id(json_object_get(j, "broken_links"), "risk_id", risk));
    json_decref(j);

    /* The objective becomes active: no longer broken, whatever the filters. */
    fmt_path(path, sizeof path, "/v1/objectives/%s", obj);
    api_call(&r, "PATCH", path, "editor", "{\"status\":\"active\",\"success_criteria\":\"ok\"}",
             NULL);
    ck_assert_status(r, 200);
    http_response_clear(&r);
    j = report("/v1/reports/compliance?function=nobody-has-this");
    ck_assert(!has_id(json_object_get(j, "broken_links"), "risk_id", risk));
    json_decref(j);

    /* A low risk is never a broken link. */
    create("/v1/risks", "{\"title\":\"low one\",\"likelihood\":1,\"impact\":2}", obj);
    j = report("/v1/reports/compliance");
    ck_assert(!has_id(json_object_get(j, "broken_links"), "risk_id", obj));
    json_decref(j);
}
END_TEST

START_TEST(test_reports_objectives_summary)
{
    char fn[64], body[512], path[256], id[40], past[11], start[11], due[11];
    harness_unique("sum", fn, sizeof fn);
    date_offset(past, -5);
    date_offset(start, -100);
    date_offset(due, 100);
    /* active, half-way, progress 50 → on_track */
    snprintf(body, sizeof body,
             "{\"title\":\"a\",\"level\":\"strategic\",\"status\":\"active\",\"function\":\"%s\","
             "\"start_date\":\"%s\",\"due_date\":\"%s\",\"measure\":{\"metric\":\"m\","
             "\"baseline\":0,\"target\":10,\"direction\":\"increase\"}}",
             fn, start, due);
    create("/v1/objectives", body, id);
    char mpath[128], mbody[128];
    fmt_path(mpath, sizeof mpath, "/v1/objectives/%s/measurements", id);
    snprintf(mbody, sizeof mbody, "{\"value\":5,\"measured_on\":\"%s\"}", past);
    char mid[40];
    create(mpath, mbody, mid);
    /* draft, overdue */
    snprintf(body, sizeof body,
             "{\"title\":\"b\",\"level\":\"tactical\",\"function\":\"%s\",\"due_date\":\"%s\"}", fn,
             past);
    create("/v1/objectives", body, id);
    /* cancelled: no health */
    snprintf(body, sizeof body,
             "{\"title\":\"c\",\"level\":\"tactical\",\"status\":\"cancelled\",\"function\":\"%s\","
             "\"success_criteria\":\"x\"}",
             fn);
    create("/v1/objectives", body, id);

    fmt_path(path, sizeof path, "/v1/reports/objectives-summary?function=%s", fn);
    json_t *j = report(path);
    ck_assert_int_eq(jint(j, "total"), 3);
    ck_assert_int_eq(jint(json_object_get(j, "by_status"), "active"), 1);
    ck_assert_int_eq(jint(json_object_get(j, "by_status"), "draft"), 1);
    ck_assert_int_eq(jint(json_object_get(j, "by_status"), "cancelled"), 1);
    ck_assert_int_eq(jint(json_object_get(j, "by_status"), "achieved"), 0);
    ck_assert_int_eq(jint(json_object_get(j, "by_level"), "tactical"), 2);
    ck_assert_int_eq(jint(json_object_get(j, "by_health"), "on_track"), 1);
    ck_assert_int_eq(jint(json_object_get(j, "by_health"), "overdue"), 1);
    ck_assert_int_eq(jint(json_object_get(j, "by_function"), fn), 3);
    ck_assert_int_eq(jint(j, "overdue"), 1);
    ck_assert(json_number_value(json_object_get(j, "mean_progress_pct")) == 50.0);
    json_decref(j);

    /* Filters narrow; as_of before the measurement removes its progress. */
    fmt_path(path, sizeof path, "/v1/reports/objectives-summary?function=%s&level=strategic", fn);
    j = report(path);
    ck_assert_int_eq(jint(j, "total"), 1);
    json_decref(j);
    char before[11];
    date_offset(before, -6);
    fmt_path(path, sizeof path, "/v1/reports/objectives-summary?function=%s&as_of=%s", fn, before);
    j = report(path);
    ck_assert_str_eq(jstr(j, "as_of"), before);
    ck_assert(json_is_null(json_object_get(j, "mean_progress_pct")));
    ck_assert_int_eq(jint(j, "overdue"), 0);
    json_decref(j);
}
END_TEST

START_TEST(test_reports_plans_summary_and_overdue)
{
    char fn[64], body[512], path[256], obj[40], plan[40], id[40], past[11];
    harness_unique("pl", fn, sizeof fn);
    date_offset(past, -3);
    snprintf(body, sizeof body,
             "{\"title\":\"o\",\"level\":\"tactical\",\"status\":\"active\",\"owner\":\"olga\","
             "\"function\":\"%s\",\"success_criteria\":\"x\",\"due_date\":\"%s\"}",
             fn, past);
    create("/v1/objectives", body, obj);
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"title\":\"p1\",\"budget\":{\"amount\":1000.5,"
             "\"currency\":\"EUR\"},\"effort_days\":3,\"due_date\":\"%s\",\"responsible\":\"pat\"}",
             obj, past);
    create("/v1/plans", body, plan);
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"title\":\"p2\",\"status\":\"completed\","
             "\"budget\":{\"amount\":500,\"currency\":\"EUR\"},\"effort_days\":2.5,"
             "\"due_date\":\"%s\"}",
             obj, past);
    create("/v1/plans", body, id);
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"title\":\"p3\",\"budget\":{\"amount\":70,"
             "\"currency\":\"USD\"}}",
             obj);
    create("/v1/plans", body, id);
    fmt_path(path, sizeof path, "/v1/plans/%s/actions", plan);
    snprintf(body, sizeof body, "{\"title\":\"late\",\"due_date\":\"%s\",\"responsible\":\"al\"}",
             past);
    char late[40];
    create(path, body, late);
    snprintf(body, sizeof body, "{\"title\":\"done\",\"due_date\":\"%s\",\"status\":\"done\"}",
             past);
    create(path, body, id);

    fmt_path(path, sizeof path, "/v1/reports/plans-summary?function=%s", fn);
    json_t *j = report(path);
    ck_assert_int_eq(jint(j, "total"), 3);
    ck_assert_int_eq(jint(json_object_get(j, "by_status"), "planned"), 2);
    ck_assert_int_eq(jint(json_object_get(j, "by_status"), "completed"), 1);
    ck_assert_int_eq(jint(j, "overdue"), 1);
    json_t *a = json_object_get(j, "actions");
    ck_assert_int_eq(jint(a, "total"), 2);
    ck_assert_int_eq(jint(a, "overdue"), 1);
    ck_assert_int_eq(jint(json_object_get(a, "by_status"), "done"), 1);
    json_t *b = json_object_get(j, "budget_by_currency");
    ck_assert(json_number_value(json_object_get(b, "EUR")) == 1500.5);
    ck_assert(json_number_value(json_object_get(b, "USD")) == 70.0);
    ck_assert(json_number_value(json_object_get(j, "effort_days_total")) == 5.5);
    json_decref(j);

    fmt_path(path, sizeof path, "/v1/reports/overdue?function=%s", fn);
    j = report(path);
    json_t *objs = json_object_get(j, "objectives");
    ck_assert_int_eq(json_array_size(objs), 1);
    ck_assert_str_eq(jstr(json_array_get(objs, 0), "id"), obj);
    ck_assert_str_eq(jstr(json_array_get(objs, 0), "owner"), "olga");
    ck_assert_int_eq(jint(json_array_get(objs, 0), "days_overdue"), 3);
    ck_assert_int_eq(json_array_size(json_object_get(j, "plans")), 1);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(j, "plans"), 0), "responsible"), "pat");
    ck_assert_int_eq(json_array_size(json_object_get(j, "actions")), 1);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(j, "actions"), 0), "id"), late);
    json_decref(j);
    /* Not overdue yet at an earlier as_of. */
    char earlier[11];
    date_offset(earlier, -4);
    fmt_path(path, sizeof path, "/v1/reports/overdue?function=%s&as_of=%s", fn, earlier);
    j = report(path);
    ck_assert_int_eq(json_array_size(json_object_get(j, "objectives")), 0);
    ck_assert_int_eq(json_array_size(json_object_get(j, "actions")), 0);
    json_decref(j);
}
END_TEST

static long long matrix_cell(json_t *j, const char *which, int l, int i)
{
    return json_integer_value(
        json_array_get(json_array_get(json_object_get(j, which), (size_t)l - 1), (size_t)i - 1));
}

START_TEST(test_reports_risk_matrix_counts)
{
    char id[40];
    json_t *before = report("/v1/reports/risk-matrix");
    ck_assert_int_eq(json_array_size(json_object_get(before, "inherent")), 5);
    ck_assert_int_eq(json_array_size(json_array_get(json_object_get(before, "inherent"), 0)), 5);
    create("/v1/risks",
           "{\"title\":\"matrix\",\"likelihood\":3,\"impact\":4,\"residual_likelihood\":1,"
           "\"residual_impact\":2,\"treatment\":\"mitigate\"}",
           id);
    create("/v1/risks", "{\"title\":\"closed\",\"likelihood\":3,\"impact\":4,\"status\":\"closed\"}",
           id);
    json_t *after = report("/v1/reports/risk-matrix");
    ck_assert_int_eq(matrix_cell(after, "inherent", 3, 4) - matrix_cell(before, "inherent", 3, 4), 1);
    ck_assert_int_eq(matrix_cell(after, "residual", 1, 2) - matrix_cell(before, "residual", 1, 2), 1);
    ck_assert_int_eq(jint(json_object_get(after, "by_rating"), "high") -
                         jint(json_object_get(before, "by_rating"), "high"),
                     1);
    ck_assert_int_eq(jint(json_object_get(after, "by_status"), "closed") -
                         jint(json_object_get(before, "by_status"), "closed"),
                     1);
    ck_assert_int_eq(jint(json_object_get(after, "by_treatment"), "mitigate") -
                         jint(json_object_get(before, "by_treatment"), "mitigate"),
                     1);
    json_decref(before);
    json_decref(after);
}
END_TEST

START_TEST(test_reports_reviews_summary)
{
    char fn[64], body[512], path[256], a[40], b[40], rev[40], id[40];
    char held[11], old[11], later[11];
    harness_unique("rv", fn, sizeof fn);
    date_offset(held, -10);
    date_offset(old, -800);
    date_offset(later, 90);
    snprintf(body, sizeof body, "{\"title\":\"a\",\"level\":\"tactical\",\"function\":\"%s\"}", fn);
    create("/v1/objectives", body, a);
    create("/v1/objectives", body, b);
    snprintf(body, sizeof body,
             "{\"title\":\"MR\",\"held_on\":\"%s\",\"status\":\"held\",\"next_review_on\":\"%s\"}",
             held, later);
    create("/v1/reviews", body, rev);
    snprintf(body, sizeof body, "{\"title\":\"old MR\",\"held_on\":\"%s\",\"status\":\"held\"}", old);
    char old_rev[40];
    create("/v1/reviews", body, old_rev);
    fmt_path(path, sizeof path, "/v1/reviews/%s/items", rev);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"decision\":\"revise\"}", a);
    create(path, body, id);
    fmt_path(path, sizeof path, "/v1/reviews/%s/items", old_rev);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"decision\":\"escalate\"}", b);
    create(path, body, id);

    fmt_path(path, sizeof path, "/v1/reports/reviews-summary?function=%s", fn);
    json_t *j = report(path);
    ck_assert_int_eq(jint(j, "objectives_reviewed_in_window"), 1);
    ck_assert_int_eq(jint(j, "objectives_never_reviewed"), 0);
    ck_assert_int_eq(jint(json_object_get(j, "decisions"), "revise"), 1);
    ck_assert_int_eq(jint(json_object_get(j, "decisions"), "escalate"), 0);
    ck_assert_int_ge(jint(j, "held_in_window"), 1);
    json_decref(j);
    fmt_path(path, sizeof path, "/v1/reports/reviews-summary?function=%s&review_window_days=1000",
             fn);
    j = report(path);
    ck_assert_int_eq(jint(j, "objectives_reviewed_in_window"), 2);
    ck_assert_int_eq(jint(json_object_get(j, "decisions"), "escalate"), 1);
    json_decref(j);
    /* Before any review: both never reviewed. */
    char ancient[11];
    date_offset(ancient, -900);
    fmt_path(path, sizeof path, "/v1/reports/reviews-summary?function=%s&as_of=%s", fn, ancient);
    j = report(path);
    ck_assert_int_eq(jint(j, "objectives_never_reviewed"), 2);
    json_decref(j);
}
END_TEST

START_TEST(test_reports_traceability)
{
    char fn[64], body[512], path[256], obj[40], lonely[40], risk[40], plan[40], act[40], title[80];
    http_response r;
    harness_unique("tr", fn, sizeof fn);
    snprintf(body, sizeof body, "{\"title\":\"traced\",\"level\":\"tactical\",\"function\":\"%s\"}",
             fn);
    create("/v1/objectives", body, obj);
    create("/v1/objectives", body, lonely);
    harness_unique("trisk", title, sizeof title);
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"likelihood\":5,\"impact\":4}", title);
    create("/v1/risks", body, risk);
    fmt_path(path, sizeof path, "/v1/objectives/%s/risks/%s", obj, risk);
    api_call(&r, "PUT", path, "editor", NULL, NULL);
    http_response_clear(&r);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"title\":\"tp\"}", obj);
    create("/v1/plans", body, plan);
    fmt_path(path, sizeof path, "/v1/plans/%s/actions", plan);
    create(path, "{\"title\":\"ta\"}", act);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"title\":\"empty plan\"}", lonely);
    char empty_plan[40];
    create("/v1/plans", body, empty_plan);

    fmt_path(path, sizeof path, "/v1/reports/traceability?function=%s", fn);
    json_t *j = report(path);
    json_t *risks = json_object_get(j, "risks");
    ck_assert_int_eq(json_array_size(risks), 1);
    json_t *k = json_array_get(risks, 0);
    ck_assert_str_eq(jstr(k, "id"), risk);
    ck_assert_str_eq(jstr(k, "rating"), "critical");
    json_t *o = json_array_get(json_object_get(k, "objectives"), 0);
    ck_assert_str_eq(jstr(o, "id"), obj);
    ck_assert_str_eq(jstr(o, "health"), "no_data");
    json_t *p = json_array_get(json_object_get(o, "plans"), 0);
    ck_assert_str_eq(jstr(p, "id"), plan);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(p, "actions"), 0), "id"), act);
    json_t *gaps = json_object_get(j, "gaps");
    ck_assert(has_id(json_object_get(gaps, "objectives_without_risks"), NULL, lonely));
    ck_assert(!has_id(json_object_get(gaps, "objectives_without_risks"), NULL, obj));
    ck_assert(has_id(json_object_get(gaps, "plans_without_actions"), NULL, empty_plan));
    ck_assert(!has_id(json_object_get(gaps, "plans_without_actions"), NULL, plan));
    ck_assert_int_eq(json_array_size(json_object_get(gaps, "objectives_without_plans")), 0);
    ck_assert(!has_id(json_object_get(gaps, "risks_without_objectives"), NULL, risk));
    json_decref(j);

    /* Without filters every risk is listed, linked or not. */
    char unlinked[40];
    create("/v1/risks", "{\"title\":\"unlinked\",\"likelihood\":1,\"impact\":1}", unlinked);
    j = report("/v1/reports/traceability");
    ck_assert(has_id(json_object_get(j, "risks"), "id", unlinked));
    ck_assert(has_id(json_object_get(json_object_get(j, "gaps"), "risks_without_objectives"), NULL,
                     unlinked));
    json_decref(j);
}
END_TEST

/* Parses CSV text with Python's csv module (a real RFC 4180 reader); returns rows. */
static json_t *parse_csv(const char *text, size_t len)
{
    char file[600], cmd[1400];
    snprintf(file, sizeof file, "%s/register-%d.csv", TEST_OUTPUT_DIR, (int)getpid());
    FILE *f = fopen(file, "wb");
    fwrite(text, 1, len, f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import csv,json,sys; "
             "print(json.dumps(list(csv.reader(open(sys.argv[1], newline=\"\", encoding=\"utf-8\")))))' %s",
             file);
    FILE *p = popen(cmd, "r");
    json_t *rows = json_loadf(p, 0, NULL);
    pclose(p);
    ck_assert_msg(rows != NULL, "python3 could not parse the CSV");
    return rows;
}

START_TEST(test_reports_register_json_and_csv)
{
    char fn[64], body[1024], path[256], id[40], awkward[40];
    http_response r;
    harness_unique("reg", fn, sizeof fn);
    snprintf(body, sizeof body,
             "{\"title\":\"=cmd|' /C calc'!A0, \\\"quoted\\\"\\nline two – ünïcødé ✓\","
             "\"level\":\"tactical\",\"function\":\"%s\",\"owner\":\"-minus, owner\","
             "\"ref\":\"REG-%s\",\"measure\":{\"metric\":\"@metric\",\"unit\":\"%%\","
             "\"baseline\":-5,\"target\":2.5,\"direction\":\"increase\"}}",
             fn, fn + 4);
    create("/v1/objectives", body, awkward);
    snprintf(body, sizeof body,
             "{\"title\":\"plain\",\"level\":\"strategic\",\"function\":\"%s\",\"ref\":\"REG-%s-b\"}",
             fn, fn + 4);
    create("/v1/objectives", body, id);

    fmt_path(path, sizeof path, "/v1/reports/register?function=%s", fn);
    json_t *j = report(path);
    json_t *items = json_object_get(j, "items");
    ck_assert_int_eq(json_array_size(items), 2);
    json_t *first = json_array_get(items, 0);
    ck_assert_str_eq(jstr(first, "id"), awkward);
    ck_assert_str_eq(jstr(first, "metric"), "@metric");
    ck_assert(json_number_value(json_object_get(first, "baseline")) == -5.0);
    const char *keys[] = {"id", "ref", "title", "level", "function", "owner", "status", "metric",
                          "unit", "baseline", "target", "current_value", "due_date",
                          "progress_pct", "health", "last_reviewed_on"};
    ck_assert_int_eq(json_object_size(first), 16);
    for (size_t i = 0; i < 16; i++) {
        ck_assert_ptr_nonnull(json_object_get(first, keys[i]));
    }
    json_decref(j);

    const char *csv[] = {"Accept: text/csv", NULL};
    api_call(&r, "GET", path, "viewer", NULL, csv);
    ck_assert_status(r, 200);
    char v[128];
    ck_assert_int_eq(strncmp(http_header(&r, "Content-Type", v, sizeof v), "text/csv", 8), 0);
    ck_assert_str_eq(http_header(&r, "Transfer-Encoding", v, sizeof v), "chunked");
    ck_assert_ptr_nonnull(strstr(r.body, "\r\n"));
    json_t *rows = parse_csv(r.body, r.body_len);
    ck_assert_int_eq(json_array_size(rows), 3);
    json_t *header = json_array_get(rows, 0);
    for (size_t i = 0; i < 16; i++) {
        ck_assert_str_eq(json_string_value(json_array_get(header, i)), keys[i]);
    }
    json_t *row = json_array_get(rows, 1);
    ck_assert_str_eq(json_string_value(json_array_get(row, 0)), awkward);
    ck_assert_str_eq(json_string_value(json_array_get(row, 2)),
                     "'=cmd|' /C calc'!A0, \"quoted\"\nline two – ünïcødé ✓");
    ck_assert_str_eq(json_string_value(json_array_get(row, 5)), "'-minus, owner");
    ck_assert_str_eq(json_string_value(json_array_get(row, 7)), "'@metric");
    ck_assert_str_eq(json_string_value(json_array_get(row, 8)), "%");
    /* Numbers are written plain, negative ones too. */
    ck_assert_str_eq(json_string_value(json_array_get(row, 9)), "-5");
    ck_assert_str_eq(json_string_value(json_array_get(row, 10)), "2.5");
    ck_assert_str_eq(json_string_value(json_array_get(row, 11)), "");
    ck_assert_str_eq(json_string_value(json_array_get(json_array_get(rows, 2), 2)), "plain");
    json_decref(rows);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_reports_progress_series)
{
    char body[512], path[256], id[40], m[40], d1[11], d2[11], d3[11];
    date_offset(d1, -20);
    date_offset(d2, -10);
    date_offset(d3, 1);
    create("/v1/objectives",
           "{\"title\":\"series\",\"level\":\"tactical\",\"measure\":{\"metric\":\"m\","
           "\"baseline\":10,\"target\":0,\"direction\":\"decrease\"}}",
           id);
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements", id);
    snprintf(body, sizeof body, "{\"value\":5,\"measured_on\":\"%s\"}", d2);
    create(path, body, m);
    snprintf(body, sizeof body, "{\"value\":8,\"measured_on\":\"%s\"}", d1);
    create(path, body, m);
    snprintf(body, sizeof body, "{\"value\":1,\"measured_on\":\"%s\"}", d3);
    create(path, body, m);
    fmt_path(path, sizeof path, "/v1/objectives/%s/progress", id);
    json_t *j = report(path);
    ck_assert_str_eq(jstr(j, "objective_id"), id);
    ck_assert_str_eq(jstr(j, "direction"), "decrease");
    ck_assert(json_number_value(json_object_get(j, "baseline")) == 10.0);
    ck_assert(json_number_value(json_object_get(j, "progress_pct")) == 50.0);
    json_t *points = json_object_get(j, "points");
    ck_assert_int_eq(json_array_size(points), 2);
    ck_assert_str_eq(jstr(json_array_get(points, 0), "measured_on"), d1);
    ck_assert_str_eq(jstr(json_array_get(points, 1), "measured_on"), d2);
    json_decref(j);
    http_response r;
    api_call(&r, "GET", "/v1/objectives/6f1c2b7e-0000-4000-8000-000000000000/progress", "viewer",
             NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_reports_bad_parameters)
{
    const char *bad[][2] = {
        {"/v1/reports/objectives-summary?as_of=2026-02-30", "as_of"},
        {"/v1/reports/compliance?review_window_days=0", "review_window_days"},
        {"/v1/reports/plans-summary?level=galactic", "level"},
        {"/v1/reports/overdue?status=open", "status"},
        {"/v1/reports/register?colour=red", "colour"},
        {"/v1/reports/risk-matrix?review_window_days=3", "review_window_days"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_response r;
        api_call(&r, "GET", bad[i][0], "viewer", NULL, NULL);
        ck_assert_msg(r.status == 400, "%s gave %d", bad[i][0], r.status);
        ck_assert_str_eq(jstr(json_array_get(json_object_get(r.json, "errors"), 0), "field"),
                         bad[i][1]);
        http_response_clear(&r);
    }
    http_response r;
    api_call(&r, "GET", "/v1/reports/compliance", NULL, NULL, NULL);
    ck_assert_problem(r, 401, NULL, NULL);
    http_response_clear(&r);
}
END_TEST

Suite *suite_http_reports(void)
{
    Suite *s = suite_create("http_reports");
    TCase *tc = tcase_create("reports");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_reports_compliance_checks_flip);
    tcase_add_test(tc, test_reports_broken_link_until_linked);
    tcase_add_test(tc, test_reports_objectives_summary);
    tcase_add_test(tc, test_reports_plans_summary_and_overdue);
    tcase_add_test(tc, test_reports_risk_matrix_counts);
    tcase_add_test(tc, test_reports_reviews_summary);
    tcase_add_test(tc, test_reports_traceability);
    tcase_add_test(tc, test_reports_register_json_and_csv);
    tcase_add_test(tc, test_reports_progress_series);
    tcase_add_test(tc, test_reports_bad_parameters);
    suite_add_tcase(s, tc);
    return s;
}
