/* Unit tests for service/problem.c: the problem kind → status table, field errors, and
 * the problem+json replies (rendered into a ulfius response built in-process). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <ulfius.h>

#include "service/problem.h"
#include "service/rc.h"
#include "suites.h"

typedef struct reply {
    struct _u_response resp;
    req_ctx rc;
} reply;

static void reply_init(reply *r)
{
    memset(r, 0, sizeof *r);
    ck_assert_int_eq(ulfius_init_response(&r->resp), U_OK);
    r->rc.resp = &r->resp;
    strcpy(r->rc.request_id, "req-123");
}

static void reply_clear(reply *r)
{
    ulfius_clean_response(&r->resp);
}

/* The body as JSON (new reference). */
static json_t *reply_body(const reply *r)
{
    json_error_t err;
    json_t *j;
    ck_assert_ptr_nonnull(r->resp.binary_body);
    j = json_loadb(r->resp.binary_body, r->resp.binary_body_length, 0, &err);
    ck_assert_msg(j != NULL, "body is not JSON: %s", err.text);
    return j;
}

START_TEST(test_problem_rc_status_table)
{
    static const struct {
        problem_kind kind;
        int status;
    } t[] = {
        {PROBLEM_MALFORMED_JSON, 400},        {PROBLEM_INVALID_PARAMETER, 400},
        {PROBLEM_UNAUTHORIZED, 401},          {PROBLEM_FORBIDDEN, 403},
        {PROBLEM_NOT_FOUND, 404},             {PROBLEM_METHOD_NOT_ALLOWED, 405},
        {PROBLEM_CONFLICT, 409},              {PROBLEM_PRECONDITION_FAILED, 412},
        {PROBLEM_PAYLOAD_TOO_LARGE, 413},     {PROBLEM_UNSUPPORTED_MEDIA_TYPE, 415},
        {PROBLEM_VALIDATION_FAILED, 422},     {PROBLEM_INTERNAL, 500},
        {PROBLEM_SERVICE_UNAVAILABLE, 503},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        ck_assert_msg(problem_status(t[i].kind) == t[i].status, "kind %d: %d, want %d",
                      (int)t[i].kind, problem_status(t[i].kind), t[i].status);
    }
}
END_TEST

START_TEST(test_problem_rc_errors_add)
{
    json_t *j_errors = json_array();
    json_t *j_err;
    errors_add(j_errors, "/title", "length", "must be at most %d characters", 200);
    errors_add(j_errors, "/tags/2", "range", "repeats an earlier item");
    ck_assert_uint_eq(json_array_size(j_errors), 2);
    j_err = json_array_get(j_errors, 0);
    ck_assert_uint_eq(json_object_size(j_err), 3);
    ck_assert_str_eq(json_string_value(json_object_get(j_err, "field")), "/title");
    ck_assert_str_eq(json_string_value(json_object_get(j_err, "code")), "length");
    ck_assert_str_eq(json_string_value(json_object_get(j_err, "message")),
                     "must be at most 200 characters");
    j_err = json_array_get(j_errors, 1);
    ck_assert_str_eq(json_string_value(json_object_get(j_err, "field")), "/tags/2");
    json_decref(j_errors);
}
END_TEST

/* A list keeps ERRORS_MAX errors, then one too_many_errors entry, then nothing more. */
START_TEST(test_problem_rc_errors_add_stops_at_the_cap)
{
    json_t *j_errors = json_array();
    char field[32];
    for (int i = 0; i < ERRORS_MAX + 10; i++) {
        snprintf(field, sizeof field, "/k%d", i);
        errors_add(j_errors, field, "unknown_field", "is not a field of this resource");
    }
    ck_assert_uint_eq(json_array_size(j_errors), ERRORS_MAX + 1);
    json_t *j_last = json_array_get(j_errors, ERRORS_MAX - 1);
    ck_assert_str_eq(json_string_value(json_object_get(j_last, "code")), "unknown_field");
    j_last = json_array_get(j_errors, ERRORS_MAX);
    snprintf(field, sizeof field, "/k%d", ERRORS_MAX);
    ck_assert_str_eq(json_string_value(json_object_get(j_last, "field")), field);
    ck_assert_str_eq(json_string_value(json_object_get(j_last, "code")), "too_many_errors");
    ck_assert_str_eq(json_string_value(json_object_get(j_last, "message")),
                     "more errors were found; only the first 50 are listed");
    json_decref(j_errors);
}
END_TEST

/* A message cut inside a multibyte character still yields an error entry. */
START_TEST(test_problem_rc_errors_add_truncated_utf8_message)
{
    json_t *j_errors = json_array();
    char big[700];
    for (size_t i = 0; i + 1 < sizeof big; i += 2) {
        big[i] = '\xc3';
        big[i + 1] = '\xa9';
    }
    big[sizeof big - 2] = '\0'; /* 698 bytes = 349 characters */
    errors_add(j_errors, "/notes", "length", "%s", big); /* cut at 511 bytes */
    ck_assert_uint_eq(json_array_size(j_errors), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j_errors, 0), "field")),
                     "/notes");
    json_decref(j_errors);
}
END_TEST

START_TEST(test_problem_rc_send_body_and_headers)
{
    reply r;
    json_t *j_body;
    json_t *j_errors = json_array();
    reply_init(&r);
    errors_add(j_errors, "/title", "required", "is required");
    problem_send(&r.rc, PROBLEM_VALIDATION_FAILED, "the document has 1 error", j_errors);

    ck_assert_int_eq(r.resp.status, 422);
    ck_assert_str_eq(u_map_get_case(r.resp.map_header, "Content-Type"), "application/problem+json");
    ck_assert_ptr_null(u_map_get_case(r.resp.map_header, "WWW-Authenticate"));
    j_body = reply_body(&r);
    ck_assert_str_eq(json_string_value(json_object_get(j_body, "type")),
                     "urn:isms:problem:validation-failed");
    ck_assert_str_eq(json_string_value(json_object_get(j_body, "title")), "Validation failed");
    ck_assert_int_eq(json_integer_value(json_object_get(j_body, "status")), 422);
    ck_assert_str_eq(json_string_value(json_object_get(j_body, "detail")),
                     "the document has 1 error");
    ck_assert_str_eq(json_string_value(json_object_get(j_body, "instance")), "urn:request:req-123");
    ck_assert_str_eq(json_string_value(json_object_get(j_body, "request_id")), "req-123");
    ck_assert_uint_eq(json_array_size(json_object_get(j_body, "errors")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(j_body, "errors"), 0), "field")),
                     "/title");
    json_decref(j_body);
    reply_clear(&r);
}
END_TEST

START_TEST(test_problem_rc_send_without_detail_or_errors)
{
    reply r;
    json_t *j_body;
    reply_init(&r);
    problem_send(&r.rc, PROBLEM_NOT_FOUND, NULL, NULL);
    ck_assert_int_eq(r.resp.status, 404);
    j_body = reply_body(&r);
    ck_assert_ptr_null(json_object_get(j_body, "errors"));
    ck_assert_int_eq(json_integer_value(json_object_get(j_body, "status")), 404);
    json_decref(j_body);
    reply_clear(&r);
}
END_TEST

START_TEST(test_problem_rc_unauthorized_challenge)
{
    reply r;
    reply_init(&r);
    problem_send(&r.rc, PROBLEM_UNAUTHORIZED, "the token has expired", NULL);
    ck_assert_int_eq(r.resp.status, 401);
    ck_assert_str_eq(u_map_get_case(r.resp.map_header, "WWW-Authenticate"),
                     "Bearer error=\"invalid_token\"");
    reply_clear(&r);
}
END_TEST

static void expect_from_rc(int code, long status, const char *type, const char *detail_part)
{
    reply r;
    json_t *j_body;
    reply_init(&r);
    problem_from_rc(&r.rc, code, "objective");
    ck_assert_int_eq(r.resp.status, status);
    j_body = reply_body(&r);
    ck_assert_str_eq(json_string_value(json_object_get(j_body, "type")), type);
    if (detail_part != NULL) {
        const char *detail = json_string_value(json_object_get(j_body, "detail"));
        ck_assert_ptr_nonnull(detail);
        ck_assert_msg(strstr(detail, detail_part) != NULL, "detail \"%s\"", detail);
    }
    json_decref(j_body);
    reply_clear(&r);
}

START_TEST(test_problem_rc_from_rc)
{
    reply r;
    expect_from_rc(SVC_ENOTFOUND, 404, "urn:isms:problem:not-found", "objective");
    expect_from_rc(SVC_EPRECONDITION, 412, "urn:isms:problem:precondition-failed", "If-Match");
    expect_from_rc(SVC_EUNAVAILABLE, 503, "urn:isms:problem:service-unavailable", NULL);
    expect_from_rc(SVC_ERETRY, 503, "urn:isms:problem:service-unavailable", NULL);
    expect_from_rc(SVC_EINTERNAL, 500, "urn:isms:problem:internal", NULL);

    reply_init(&r);
    problem_from_rc(&r.rc, SVC_EUNAVAILABLE, "objective");
    ck_assert_ptr_nonnull(u_map_get_case(r.resp.map_header, "Retry-After"));
    reply_clear(&r);
}
END_TEST

Suite *suite_problem_rc(void)
{
    Suite *s = suite_create("problem_rc");
    TCase *tc;

    tc = tcase_create("table");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_problem_rc_status_table);
    tcase_add_test(tc, test_problem_rc_errors_add);
    tcase_add_test(tc, test_problem_rc_errors_add_stops_at_the_cap);
    tcase_add_test(tc, test_problem_rc_errors_add_truncated_utf8_message);
    suite_add_tcase(s, tc);

    tc = tcase_create("render");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_problem_rc_send_body_and_headers);
    tcase_add_test(tc, test_problem_rc_send_without_detail_or_errors);
    tcase_add_test(tc, test_problem_rc_unauthorized_challenge);
    tcase_add_test(tc, test_problem_rc_from_rc);
    suite_add_tcase(s, tc);

    return s;
}
