/* The objective's computed fields end to end: current_value and last_measured_on from
 * measurements, progress_pct and health (DESIGN section 4), last_reviewed_on and the
 * health of qualitative objectives from held reviews, risk_ids and plan_count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "integration/suites.h"
#include "support/check_helpers.h"

/* Today (UTC) plus @p days, as YYYY-MM-DD. */
static const char *utc_day(char *buf, size_t cap, int days)
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%d", &tm);
    return buf;
}

/* POSTs @p body to @p path as an editor; the new id goes to @p id (40 bytes). */
static void post_ok(const char *path, const char *body, char *id)
{
    http_response r;
    api_call(&r, "POST", path, "editor", body, NULL);
    ck_assert_status(r, 201);
    strcpy(id, jstr(r.json, "id"));
    http_response_clear(&r);
}

static void send_expect(const char *method, const char *path, const char *role, const char *body,
                        int want)
{
    http_response r;
    api_call(&r, method, path, role, body, NULL);
    ck_assert_status(r, want);
    http_response_clear(&r);
}

/* A measurable objective: @p direction from @p baseline to @p target, started
 * @p start_ago days ago and due in @p due_in days; @p extra is more JSON members. */
static void new_measurable(const char *direction, double baseline, double target, int start_ago,
                           int due_in, const char *extra, char *id)
{
    char body[1024], start[16], due[16];
    snprintf(body, sizeof body,
             "{\"title\":\"Computed\",\"level\":\"tactical\",\"status\":\"active\","
             "\"measure\":{\"metric\":\"m\",\"baseline\":%g,\"target\":%g,\"direction\":\"%s\"%s},"
             "\"start_date\":\"%s\",\"due_date\":\"%s\"}",
             baseline, target, direction,
             strcmp(direction, "maintain") == 0 ? ",\"tolerance\":0.1" : "",
             utc_day(start, sizeof start, -start_ago), utc_day(due, sizeof due, due_in));
    if (extra[0] != '\0') {
        /* Splice the extra members in before the closing brace. */
        size_t len = strlen(body);
        snprintf(body + len - 1, sizeof body - len + 1, ",%s}", extra);
    }
    post_ok("/v1/objectives", body, id);
}

/* Records @p value measured @p days_ago days ago (negative: in the future) for @p oid. */
static void measure(const char *oid, double value, int days_ago, char *id)
{
    char path[128], body[256], day[16];
    fmt_path(path, sizeof path, "/v1/objectives/%s/measurements", oid);
    snprintf(body, sizeof body, "{\"value\":%.17g,\"measured_on\":\"%s\"}", value,
             utc_day(day, sizeof day, -days_ago));
    post_ok(path, body, id);
}

/* The objective document (new reference). */
static json_t *objective(const char *oid)
{
    http_response r;
    char path[128];
    fmt_path(path, sizeof path, "/v1/objectives/%s", oid);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    json_t *j = json_incref(r.json);
    http_response_clear(&r);
    return j;
}

/* The objective's health is @p health (NULL: JSON null). */
static void assert_health(const char *oid, const char *health)
{
    json_t *j = objective(oid);
    if (health == NULL) {
        ck_assert_msg(json_is_null(json_object_get(j, "health")), "health is %s",
                      jstr(j, "health"));
    } else {
        ck_assert_msg(jstr(j, "health") != NULL && strcmp(jstr(j, "health"), health) == 0,
                      "health %s, want %s (progress %g, current %g)", jstr(j, "health"), health,
                      json_number_value(json_object_get(j, "progress_pct")),
                      json_number_value(json_object_get(j, "current_value")));
    }
    json_decref(j);
}

/* current_value @p value measured @p days_ago days ago, or no value when @p days_ago < 0. */
static void assert_current(const char *oid, double value, int days_ago)
{
    json_t *j = objective(oid);
    char day[16];
    if (days_ago < 0) {
        ck_assert(json_is_null(json_object_get(j, "current_value")));
        ck_assert(json_is_null(json_object_get(j, "last_measured_on")));
        ck_assert(json_is_null(json_object_get(j, "progress_pct")));
    } else {
        ck_assert_msg(json_is_number(json_object_get(j, "current_value")) &&
                          json_number_value(json_object_get(j, "current_value")) == value,
                      "current_value %g, want %g",
                      json_number_value(json_object_get(j, "current_value")), value);
        ck_assert_str_eq(jstr(j, "last_measured_on"), utc_day(day, sizeof day, -days_ago));
    }
    json_decref(j);
}

static void assert_progress(const char *oid, double want)
{
    json_t *j = objective(oid);
    json_t *p = json_object_get(j, "progress_pct");
    ck_assert_msg(json_is_number(p) && fabs(json_number_value(p) - want) < 1e-9,
                  "progress_pct %g, want %g", json_number_value(p), want);
    json_decref(j);
}

static void set_value(const char *mid, double value)
{
    char path[128], body[64];
    fmt_path(path, sizeof path, "/v1/measurements/%s", mid);
    snprintf(body, sizeof body, "{\"value\":%.17g}", value);
    send_expect("PATCH", path, "editor", body, 200);
}

START_TEST(test_computed_current_value_is_latest_by_measured_on)
{
    char oid[40], a[40], b[40], c[40], d[40], path[160];
    new_measurable("increase", 0, 100, 730, 730, "", oid);
    assert_current(oid, 0, -1);
    assert_health(oid, "no_data");

    measure(oid, 40, 10, a);
    assert_current(oid, 40, 10);
    assert_progress(oid, 40);
    /* Created later but measured earlier: not the current value. */
    measure(oid, 30, 20, b);
    assert_current(oid, 40, 10);
    /* Dated tomorrow: allowed, but does not count yet. */
    measure(oid, 90, -1, c);
    assert_current(oid, 40, 10);
    assert_progress(oid, 40);
    /* Same day: the later recording wins. */
    measure(oid, 45, 10, d);
    assert_current(oid, 45, 10);
    assert_progress(oid, 45);

    /* Archived measurements do not count; restored ones do again. */
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/measurements/%s", d), "admin", NULL,
                204);
    assert_current(oid, 40, 10);
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/measurements/%s", a), "admin", NULL,
                204);
    assert_current(oid, 30, 20);
    assert_progress(oid, 30);
    send_expect("POST", fmt_path(path, sizeof path, "/v1/measurements/%s/restore", a), "admin",
                NULL, 200);
    assert_current(oid, 40, 10);

    /* Moving a measurement's date moves the current value. */
    char body[64], day[16];
    snprintf(body, sizeof body, "{\"measured_on\":\"%s\"}", utc_day(day, sizeof day, -5));
    send_expect("PATCH", fmt_path(path, sizeof path, "/v1/measurements/%s", b), "editor", body,
                200);
    assert_current(oid, 30, 5);
    /* Only the future one left: no value. */
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/measurements/%s", a), "admin", NULL,
                204);
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/measurements/%s", b), "admin", NULL,
                204);
    assert_current(oid, 0, -1);
    assert_health(oid, "no_data");
}
END_TEST

START_TEST(test_computed_health_thresholds)
{
    /* Elapsed is exactly 50%: on_track from 40, at_risk from 25, else off_track. */
    char oid[40], mid[40], fn[64], path[256];
    char extra[96];
    harness_unique("fn", fn, sizeof fn);
    snprintf(extra, sizeof extra, "\"function\":\"%s\"", fn);
    new_measurable("increase", 0, 100, 730, 730, extra, oid);
    measure(oid, 40, 1, mid);
    assert_health(oid, "on_track");
    assert_progress(oid, 40);
    set_value(mid, 39.9);
    assert_health(oid, "at_risk");
    set_value(mid, 25);
    assert_health(oid, "at_risk");
    assert_progress(oid, 25);

    /* The list reports the same health and accepts it as a filter. */
    http_response r;
    fmt_path(path, sizeof path, "/v1/objectives?function=%s&health=at_risk", fn);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    json_t *item = json_array_get(json_object_get(r.json, "items"), 0);
    ck_assert_str_eq(jstr(item, "health"), "at_risk");
    ck_assert(json_number_value(json_object_get(item, "current_value")) == 25.0);
    http_response_clear(&r);

    set_value(mid, 24.9);
    assert_health(oid, "off_track");
    fmt_path(path, sizeof path, "/v1/objectives?function=%s&health=at_risk", fn);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    http_response_clear(&r);
    set_value(mid, -5);
    assert_health(oid, "off_track");
    assert_progress(oid, 0);
    set_value(mid, 99.99);
    assert_health(oid, "on_track");
    /* Target met: achieved; progress is clamped to 100. */
    set_value(mid, 100);
    assert_health(oid, "achieved");
    assert_progress(oid, 100);
    set_value(mid, 150);
    assert_health(oid, "achieved");
    assert_progress(oid, 100);
}
END_TEST

START_TEST(test_computed_decrease_maintain_and_no_due_date)
{
    char oid[40], mid[40];
    /* decrease 100 → 20: 60 is 50% of the way. */
    new_measurable("decrease", 100, 20, 730, 730, "", oid);
    measure(oid, 60, 0, mid);
    assert_progress(oid, 50);
    assert_health(oid, "on_track");
    set_value(mid, 85);
    assert_progress(oid, 18.75);
    assert_health(oid, "off_track");
    set_value(mid, 110);
    assert_progress(oid, 0);
    set_value(mid, 20);
    assert_health(oid, "achieved");
    assert_progress(oid, 100);

    /* maintain 99.9 ± 0.1: within tolerance is on_track until due, achieved after. */
    new_measurable("maintain", 99, 99.9, 730, 730, "", oid);
    measure(oid, 99.85, 0, mid);
    assert_health(oid, "on_track");
    assert_progress(oid, 100);
    set_value(mid, 99);
    assert_progress(oid, 0);
    assert_health(oid, "off_track");
    new_measurable("maintain", 99, 99.9, 100, -1, "", oid);
    measure(oid, 99.95, 2, mid);
    assert_health(oid, "achieved");
    set_value(mid, 98);
    assert_health(oid, "overdue");

    /* Without a due date a measured objective that has not met its target is on_track. */
    post_ok("/v1/objectives",
            "{\"title\":\"Open ended\",\"level\":\"tactical\",\"status\":\"active\","
            "\"measure\":{\"metric\":\"m\",\"baseline\":0,\"target\":100,"
            "\"direction\":\"increase\"}}",
            oid);
    assert_health(oid, "no_data");
    measure(oid, 1, 0, mid);
    assert_health(oid, "on_track");
    assert_progress(oid, 1);
}
END_TEST

START_TEST(test_computed_overdue_status_and_no_data)
{
    char oid[40], mid[40], path[160];
    /* Past due: overdue, unless the target is met. */
    new_measurable("increase", 0, 100, 100, -1, "", oid);
    assert_health(oid, "overdue");
    measure(oid, 50, 3, mid);
    assert_health(oid, "overdue");
    assert_progress(oid, 50);
    set_value(mid, 100);
    assert_health(oid, "achieved");

    /* Status decides first. */
    fmt_path(path, sizeof path, "/v1/objectives/%s", oid);
    set_value(mid, 10);
    send_expect("PATCH", path, "editor", "{\"status\":\"achieved\"}", 200);
    assert_health(oid, "achieved");
    send_expect("PATCH", path, "editor", "{\"status\":\"not_achieved\"}", 200);
    assert_health(oid, "not_achieved");
    send_expect("PATCH", path, "editor", "{\"status\":\"cancelled\"}", 200);
    assert_health(oid, NULL);
    send_expect("PATCH", path, "editor", "{\"status\":\"active\"}", 200);
    assert_health(oid, "overdue");

    /* Only a measurement dated tomorrow, or only an archived one: no data. */
    new_measurable("increase", 0, 100, 730, 730, "", oid);
    measure(oid, 70, -1, mid);
    assert_health(oid, "no_data");
    assert_current(oid, 0, -1);
    new_measurable("increase", 0, 100, 730, 730, "", oid);
    measure(oid, 70, 1, mid);
    assert_health(oid, "on_track");
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/measurements/%s", mid), "admin", NULL,
                204);
    assert_health(oid, "no_data");
    assert_current(oid, 0, -1);
}
END_TEST

/* A review held (or planned) @p days_ago days ago with an item for @p oid assessed
 * @p assessed; returns the review and item ids. */
static void review_with_item(const char *oid, int days_ago, const char *status,
                             const char *assessed, char *rid, char *iid)
{
    char body[512], day[16], path[128];
    snprintf(body, sizeof body, "{\"title\":\"MR\",\"held_on\":\"%s\",\"status\":\"%s\"}",
             utc_day(day, sizeof day, -days_ago), status);
    post_ok("/v1/reviews", body, rid);
    fmt_path(path, sizeof path, "/v1/reviews/%s/items", rid);
    snprintf(body, sizeof body,
             "{\"objective_id\":\"%s\",\"decision\":\"continue\",\"assessed_health\":\"%s\"}", oid,
             assessed);
    post_ok(path, body, iid);
}

static void assert_reviewed(const char *oid, int days_ago)
{
    json_t *j = objective(oid);
    char day[16];
    if (days_ago == -1000) {
        ck_assert_msg(json_is_null(json_object_get(j, "last_reviewed_on")),
                      "last_reviewed_on is %s", jstr(j, "last_reviewed_on"));
    } else {
        ck_assert_str_eq(jstr(j, "last_reviewed_on"), utc_day(day, sizeof day, -days_ago));
    }
    json_decref(j);
}

START_TEST(test_computed_qualitative_health_from_reviews)
{
    char oid[40], planned[40], p_item[40], r1[40], i1[40], r2[40], i2[40], r3[40], i3[40];
    char path[160], body[256], day[16];
    snprintf(body, sizeof body,
             "{\"title\":\"Qualitative\",\"level\":\"tactical\",\"status\":\"active\","
             "\"success_criteria\":\"Board approves the policy\",\"due_date\":\"%s\"}",
             utc_day(day, sizeof day, 365));
    post_ok("/v1/objectives", body, oid);
    assert_health(oid, "no_data");
    assert_reviewed(oid, -1000);

    /* A planned review does not count. */
    review_with_item(oid, 3, "planned", "on_track", planned, p_item);
    assert_health(oid, "no_data");
    assert_reviewed(oid, -1000);

    review_with_item(oid, 30, "held", "at_risk", r1, i1);
    assert_health(oid, "at_risk");
    assert_reviewed(oid, 30);
    review_with_item(oid, 5, "held", "off_track", r2, i2);
    assert_health(oid, "off_track");
    assert_reviewed(oid, 5);

    /* A held review dated in the future does not count yet. */
    review_with_item(oid, -2, "held", "achieved", r3, i3);
    assert_health(oid, "off_track");
    assert_reviewed(oid, 5);

    /* An archived item, or an archived review, does not count. */
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/review-items/%s", i2), "admin", NULL,
                204);
    assert_health(oid, "at_risk");
    assert_reviewed(oid, 30);
    send_expect("POST", fmt_path(path, sizeof path, "/v1/review-items/%s/restore", i2), "admin",
                NULL, 200);
    assert_health(oid, "off_track");
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/reviews/%s", r2), "admin", NULL, 204);
    assert_health(oid, "at_risk");
    assert_reviewed(oid, 30);
    send_expect("POST", fmt_path(path, sizeof path, "/v1/reviews/%s/restore", r2), "admin", NULL,
                200);
    assert_reviewed(oid, 5);

    /* The planned review, once held, is the latest. */
    send_expect("PATCH", fmt_path(path, sizeof path, "/v1/reviews/%s", planned), "editor",
                "{\"status\":\"held\"}", 200);
    assert_health(oid, "on_track");
    assert_reviewed(oid, 3);
    /* Re-assessing the item changes the health. */
    send_expect("PATCH", fmt_path(path, sizeof path, "/v1/review-items/%s", p_item), "editor",
                "{\"assessed_health\":\"not_achieved\"}", 200);
    assert_health(oid, "not_achieved");
    /* An item moved to another objective no longer counts for this one. */
    char other[40];
    post_ok("/v1/objectives", "{\"title\":\"Other\",\"level\":\"tactical\"}", other);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\"}", other);
    send_expect("PATCH", fmt_path(path, sizeof path, "/v1/review-items/%s", p_item), "editor",
                body, 200);
    assert_health(oid, "off_track");
    assert_reviewed(oid, 5);
    assert_reviewed(other, 3);

    /* Past due beats the review's assessment. */
    snprintf(body, sizeof body, "{\"due_date\":\"%s\"}", utc_day(day, sizeof day, -1));
    send_expect("PATCH", fmt_path(path, sizeof path, "/v1/objectives/%s", oid), "editor", body,
                200);
    assert_health(oid, "overdue");
    assert_reviewed(oid, 5);
}
END_TEST

START_TEST(test_computed_measurable_reviewed_keeps_measured_health)
{
    char oid[40], mid[40], rid[40], iid[40];
    new_measurable("increase", 0, 100, 730, 730, "", oid);
    measure(oid, 45, 2, mid);
    review_with_item(oid, 10, "held", "off_track", rid, iid);
    /* last_reviewed_on counts for every objective; health of a measurable one is measured. */
    assert_reviewed(oid, 10);
    assert_health(oid, "on_track");
}
END_TEST

START_TEST(test_computed_risk_ids_and_plan_count)
{
    char oid[40], other[40], risks[3][40], plans[3][40], path[200], body[256];
    post_ok("/v1/objectives", "{\"title\":\"Counted\",\"level\":\"tactical\"}", oid);
    post_ok("/v1/objectives", "{\"title\":\"Elsewhere\",\"level\":\"tactical\"}", other);
    json_t *j = objective(oid);
    ck_assert_int_eq(json_array_size(json_object_get(j, "risk_ids")), 0);
    ck_assert_int_eq(jint(j, "plan_count"), 0);
    json_decref(j);

    for (int i = 0; i < 3; i++) {
        post_ok("/v1/risks", "{\"title\":\"Counted risk\",\"likelihood\":2,\"impact\":2}",
                risks[i]);
        send_expect("PUT",
                    fmt_path(path, sizeof path, "/v1/objectives/%s/risks/%s", oid, risks[i]),
                    "editor", NULL, 204);
        snprintf(body, sizeof body, "{\"objective_id\":\"%s\",\"title\":\"P%d\"}", oid, i);
        post_ok("/v1/plans", body, plans[i]);
    }
    j = objective(oid);
    json_t *ids = json_object_get(j, "risk_ids");
    ck_assert_int_eq(json_array_size(ids), 3);
    for (size_t i = 1; i < 3; i++) {
        ck_assert_int_lt(strcmp(json_string_value(json_array_get(ids, i - 1)),
                                json_string_value(json_array_get(ids, i))),
                         0);
    }
    for (int k = 0; k < 3; k++) {
        int seen = 0;
        for (size_t i = 0; i < 3; i++) {
            seen += strcmp(json_string_value(json_array_get(ids, i)), risks[k]) == 0;
        }
        ck_assert_int_eq(seen, 1);
    }
    ck_assert_int_eq(jint(j, "plan_count"), 3);
    ck_assert_int_eq(jint(j, "version"), 1);
    json_decref(j);

    /* An archived risk and an unlinked one leave risk_ids. */
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/risks/%s", risks[0]), "admin", NULL,
                204);
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/objectives/%s/risks/%s", oid, risks[1]),
                "editor", NULL, 204);
    j = objective(oid);
    ck_assert_int_eq(json_array_size(json_object_get(j, "risk_ids")), 1);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "risk_ids"), 0)),
                     risks[2]);
    json_decref(j);

    /* Archived plans and plans moved away leave plan_count. */
    send_expect("DELETE", fmt_path(path, sizeof path, "/v1/plans/%s", plans[0]), "admin", NULL,
                204);
    j = objective(oid);
    ck_assert_int_eq(jint(j, "plan_count"), 2);
    json_decref(j);
    snprintf(body, sizeof body, "{\"objective_id\":\"%s\"}", other);
    send_expect("PATCH", fmt_path(path, sizeof path, "/v1/plans/%s", plans[1]), "editor", body,
                200);
    j = objective(oid);
    ck_assert_int_eq(jint(j, "plan_count"), 1);
    json_decref(j);
    j = objective(other);
    ck_assert_int_eq(jint(j, "plan_count"), 1);
    json_decref(j);
    send_expect("POST", fmt_path(path, sizeof path, "/v1/plans/%s/restore", plans[0]), "admin",
                NULL, 200);
    j = objective(oid);
    ck_assert_int_eq(jint(j, "plan_count"), 2);
    json_decref(j);

    /* The list documents carry the same computed fields. */
    http_response r;
    fmt_path(path, sizeof path, "/v1/risks/%s/objectives", risks[2]);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    json_t *item = json_array_get(json_object_get(r.json, "items"), 0);
    ck_assert_str_eq(jstr(item, "id"), oid);
    ck_assert_int_eq(jint(item, "plan_count"), 2);
    ck_assert_int_eq(json_array_size(json_object_get(item, "risk_ids")), 1);
    http_response_clear(&r);

    /* Computed fields sent back are ignored. */
    fmt_path(path, sizeof path, "/v1/objectives/%s", oid);
    api_call(&r, "PATCH", path, "editor",
             "{\"plan_count\":9,\"risk_ids\":[],\"health\":\"achieved\",\"current_value\":1,"
             "\"last_reviewed_on\":\"2020-01-01\",\"progress_pct\":100}",
             NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r.json, "plan_count"), 2);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "risk_ids")), 1);
    ck_assert(json_is_null(json_object_get(r.json, "last_reviewed_on")));
    ck_assert_int_eq(jint(r.json, "version"), 1);
    http_response_clear(&r);
}
END_TEST

Suite *suite_http_computed(void)
{
    Suite *s = suite_create("http_computed");
    TCase *tc = tcase_create("computed");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_computed_current_value_is_latest_by_measured_on);
    tcase_add_test(tc, test_computed_health_thresholds);
    tcase_add_test(tc, test_computed_decrease_maintain_and_no_due_date);
    tcase_add_test(tc, test_computed_overdue_status_and_no_data);
    tcase_add_test(tc, test_computed_qualitative_health_from_reviews);
    tcase_add_test(tc, test_computed_measurable_reviewed_keeps_measured_health);
    tcase_add_test(tc, test_computed_risk_ids_and_plan_count);
    suite_add_tcase(s, tc);
    return s;
}
