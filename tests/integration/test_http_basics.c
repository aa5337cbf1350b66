/* Cross-cutting HTTP behaviour: operations endpoints, routing errors, request ids,
 * CORS, body limits and media types. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration/suites.h"
#include "support/check_helpers.h"

START_TEST(test_basics_healthz_readyz)
{
    http_response r;
    ck_assert_int_eq(api_call(&r, "GET", "/healthz", NULL, NULL, NULL), 0);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "status"), "ok");
    http_response_clear(&r);
    ck_assert_int_eq(api_call(&r, "GET", "/readyz", NULL, NULL, NULL), 0);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "status"), "ready");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_basics_metrics_counts_requests)
{
    http_response r;
    api_call(&r, "GET", "/healthz", NULL, NULL, NULL);
    http_response_clear(&r);
    ck_assert_int_eq(api_call(&r, "GET", "/metrics", NULL, NULL, NULL), 0);
    ck_assert_status(r, 200);
    ck_assert_ptr_nonnull(
        strstr(r.body, "http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}"));
    ck_assert_ptr_nonnull(strstr(r.body, "http_request_duration_seconds_bucket{route=\"/healthz\""));
    ck_assert_ptr_nonnull(strstr(r.body, "db_pool_connections{state=\"in_use\"}"));
    http_response_clear(&r);
}
END_TEST

START_TEST(test_basics_openapi_served)
{
    http_response r;
    ck_assert_int_eq(api_call(&r, "GET", "/openapi.json", NULL, NULL, NULL), 0);
    ck_assert_status(r, 200);
    ck_assert_ptr_nonnull(r.json);
    ck_assert_str_eq(jstr(r.json, "openapi"), "3.1.0");
    ck_assert_ptr_nonnull(json_object_get(json_object_get(r.json, "paths"), "/v1/objectives"));
    http_response_clear(&r);
}
END_TEST

START_TEST(test_basics_unknown_url_is_404_problem)
{
    http_response r;
    api_call(&r, "GET", "/v1/nothing-here", "viewer", NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    ck_assert_str_eq(jstr(r.json, "type"), "urn:isms:problem:not-found");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/objectives/", NULL, NULL, NULL);
    ck_assert_problem(r, 404, NULL, NULL);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_basics_wrong_method_is_405_with_allow)
{
    http_response r;
    char allow[128];
    api_call(&r, "PUT", "/v1/objectives", "editor", "{}", NULL);
    ck_assert_problem(r, 405, NULL, NULL);
    ck_assert_ptr_nonnull(http_header(&r, "Allow", allow, sizeof allow));
    ck_assert_str_eq(allow, "GET, POST");
    http_response_clear(&r);
}
END_TEST

START_TEST(test_basics_request_id_kept_or_replaced)
{
    http_response r;
    char id[200];
    const char *good[] = {"X-Request-Id: client.id_1:abc-2", NULL};
    const char *bad[] = {"X-Request-Id: has space/and slash", NULL};

    api_call(&r, "GET", "/healthz", NULL, NULL, good);
    ck_assert_str_eq(http_header(&r, "X-Request-Id", id, sizeof id), "client.id_1:abc-2");
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/nope", NULL, NULL, bad);
    http_header(&r, "X-Request-Id", id, sizeof id);
    ck_assert_str_ne(id, "has space/and slash");
    ck_assert_uint_eq(strlen(id), 32);
    ck_assert_str_eq(jstr(r.json, "request_id"), id);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_basics_cors_preflight_without_token)
{
    http_response r;
    char v[256];
    const char *pre[] = {"Origin: " TEST_CORS_ORIGIN, "Access-Control-Request-Method: POST",
                         "Access-Control-Request-Headers: authorization, content-type", NULL};
    const char *other[] = {"Origin: https://evil.example", "Access-Control-Request-Method: POST",
                           NULL};

    api_call(&r, "OPTIONS", "/v1/objectives", NULL, NULL, pre);
    ck_assert_status(r, 204);
    ck_assert_str_eq(http_header(&r, "Access-Control-Allow-Origin", v, sizeof v),
                     TEST_CORS_ORIGIN);
    ck_assert_ptr_nonnull(strstr(http_header(&r, "Access-Control-Allow-Headers", v, sizeof v),
                                 "Authorization"));
    http_response_clear(&r);
    api_call(&r, "OPTIONS", "/v1/objectives", NULL, NULL, other);
    ck_assert_status(r, 204);
    ck_assert_ptr_null(http_header(&r, "Access-Control-Allow-Origin", v, sizeof v));
    http_response_clear(&r);
    /* A simple request from an allowed origin gets the header too. */
    const char *simple[] = {"Origin: " TEST_CORS_ORIGIN, NULL};
    api_call(&r, "GET", "/v1/objectives", "viewer", NULL, simple);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "Access-Control-Allow-Origin", v, sizeof v),
                     TEST_CORS_ORIGIN);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_basics_body_too_large_chunked)
{
    http_response r;
    size_t big = 1024 * 1024 + 10;
    char *body = malloc(big + 1);
    memset(body, ' ', big);
    body[0] = '{';
    body[big - 1] = '}';
    body[big] = '\0';
    api_call(&r, "POST", "/v1/objectives", "editor", body, NULL);
    ck_assert_problem(r, 413, NULL, NULL);
    http_response_clear(&r);

    /* The same bytes sent chunked, without a Content-Length. */
    char *token = harness_token("editor", "editor");
    size_t cap = big + 4096;
    char *raw = malloc(cap);
    size_t len = (size_t)snprintf(raw, cap,
                                  "POST /v1/objectives HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                  "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n%zx\r\n",
                                  token, big);
    memcpy(raw + len, body, big);
    len += big;
    len += (size_t)snprintf(raw + len, cap - len, "\r\n0\r\n\r\n");
    ck_assert_int_eq(http_send_raw(&r, raw, len), 0);
    ck_assert_problem(r, 413, NULL, NULL);
    http_response_clear(&r);
    free(raw);
    free(token);
    free(body);
}
END_TEST

START_TEST(test_basics_media_type_and_malformed_json)
{
    http_response r;
    const char *text_plain[] = {"Content-Type: text/plain", NULL};
    api_call(&r, "POST", "/v1/objectives", "editor", "{\"title\":\"x\",\"level\":\"tactical\"}",
             text_plain);
    ck_assert_problem(r, 415, NULL, NULL);
    http_response_clear(&r);

    api_call(&r, "POST", "/v1/objectives", "editor", "{\"title\": ", NULL);
    ck_assert_problem(r, 400, NULL, NULL);
    ck_assert_str_eq(jstr(r.json, "type"), "urn:isms:problem:malformed-json");
    http_response_clear(&r);

    api_call(&r, "POST", "/v1/objectives", "editor", "{\"title\":\"a\",\"title\":\"b\"}", NULL);
    ck_assert_problem(r, 400, NULL, NULL);
    http_response_clear(&r);

    api_call(&r, "POST", "/v1/objectives", "editor", "[1,2]", NULL);
    ck_assert_problem(r, 422, "", "type");
    http_response_clear(&r);

    const char *charset[] = {"Content-Type: Application/JSON; charset=utf-8", NULL};
    api_call(&r, "POST", "/v1/objectives", "editor", "{\"title\":\"charset ok\",\"level\":\"tactical\"}",
             charset);
    ck_assert_status(r, 201);
    http_response_clear(&r);
}
END_TEST

Suite *suite_http_basics(void)
{
    Suite *s = suite_create("http_basics");
    TCase *tc = tcase_create("basics");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_basics_healthz_readyz);
    tcase_add_test(tc, test_basics_metrics_counts_requests);
    tcase_add_test(tc, test_basics_openapi_served);
    tcase_add_test(tc, test_basics_unknown_url_is_404_problem);
    tcase_add_test(tc, test_basics_wrong_method_is_405_with_allow);
    tcase_add_test(tc, test_basics_request_id_kept_or_replaced);
    tcase_add_test(tc, test_basics_cors_preflight_without_token);
    tcase_add_test(tc, test_basics_body_too_large_chunked);
    tcase_add_test(tc, test_basics_media_type_and_malformed_json);
    suite_add_tcase(s, tc);
    return s;
}
