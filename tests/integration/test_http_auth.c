/* Authentication and the role matrix, through the real service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/parse.h"
#include "integration/suites.h"
#include "service/auth.h"
#include "support/check_helpers.h"

static int status_with_token(const char *method, const char *path, const char *token,
                             const char *body, http_response *r)
{
    char auth[2048];
    const char *headers[] = {auth, "Content-Type: application/json", NULL};
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    http_send(r, method, path, headers, body, body ? strlen(body) : 0);
    return r->status;
}

static char *token_with(const char *secret, long ttl, const char *roles)
{
    svc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.jwt_alg = JWT_ALG_HS256;
    cfg.jwt_key = (unsigned char *)secret;
    cfg.jwt_key_len = strlen(secret);
    cfg.jwt_roles_claim = "roles";
    return auth_mint(&cfg, "mallory", roles, ttl);
}

START_TEST(test_auth_missing_token_is_401_with_challenge)
{
    http_response r;
    char v[256];
    api_call(&r, "GET", "/v1/objectives", NULL, NULL, NULL);
    ck_assert_problem(r, 401, NULL, NULL);
    ck_assert_ptr_nonnull(http_header(&r, "WWW-Authenticate", v, sizeof v));
    ck_assert_int_eq(strncmp(v, "Bearer", 6), 0);
    http_response_clear(&r);
}
END_TEST

START_TEST(test_auth_bad_tokens_are_401)
{
    http_response r;
    char *expired = token_with(TEST_JWT_SECRET, -3600, "admin");
    char *foreign = token_with("another-secret-another-secret-0123456789", 3600, "admin");
    /* alg none: header {"alg":"none","typ":"JWT"}, claims with roles admin, no signature. */
    char none[1024];
    char *h = base64url_encode((const unsigned char *)"{\"alg\":\"none\",\"typ\":\"JWT\"}", 27);
    char claims[256];
    snprintf(claims, sizeof claims, "{\"sub\":\"mallory\",\"exp\":%ld,\"roles\":[\"admin\"]}",
             (long)time(NULL) + 3600);
    char *p = base64url_encode((const unsigned char *)claims, strlen(claims));
    snprintf(none, sizeof none, "%s.%s.", h, p);

    ck_assert_int_eq(status_with_token("GET", "/v1/objectives", expired, NULL, &r), 401);
    ck_assert_str_eq(jstr(r.json, "detail"), "the token has expired");
    http_response_clear(&r);
    ck_assert_int_eq(status_with_token("GET", "/v1/objectives", foreign, NULL, &r), 401);
    http_response_clear(&r);
    ck_assert_int_eq(status_with_token("GET", "/v1/objectives", none, NULL, &r), 401);
    http_response_clear(&r);
    ck_assert_int_eq(status_with_token("GET", "/v1/objectives", "not.a.token", NULL, &r), 401);
    http_response_clear(&r);

    /* The scheme must be Bearer, and a token in the query string is not looked at. */
    char *good = harness_token("viewer", "viewer");
    char basic[1200], path[1400];
    const char *headers[] = {basic, NULL};
    snprintf(basic, sizeof basic, "Authorization: Basic %s", good);
    http_send(&r, "GET", "/v1/objectives", headers, NULL, 0);
    ck_assert_status(r, 401);
    http_response_clear(&r);
    snprintf(path, sizeof path, "/v1/objectives?access_token=%s", good);
    http_send(&r, "GET", path, NULL, NULL, 0);
    ck_assert_status(r, 401);
    http_response_clear(&r);
    free(good);
    free(h);
    free(p);
    free(expired);
    free(foreign);
}
END_TEST

START_TEST(test_auth_roles_are_enforced)
{
    http_response r;
    char path[128];
    char *no_roles = harness_token("nobody", "");

    ck_assert_int_eq(status_with_token("GET", "/v1/objectives", no_roles, NULL, &r), 403);
    ck_assert_str_eq(jstr(r.json, "type"), "urn:isms:problem:forbidden");
    http_response_clear(&r);
    free(no_roles);

    api_call(&r, "POST", "/v1/objectives", "viewer", "{\"title\":\"v\",\"level\":\"tactical\"}",
             NULL);
    ck_assert_problem(r, 403, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "POST", "/v1/objectives", "auditor", "{\"title\":\"v\",\"level\":\"tactical\"}",
             NULL);
    ck_assert_problem(r, 403, NULL, NULL);
    http_response_clear(&r);

    api_call(&r, "POST", "/v1/objectives", "editor",
             "{\"title\":\"role matrix\",\"level\":\"tactical\"}", NULL);
    ck_assert_status(r, 201);
    fmt_path(path, sizeof path, "/v1/objectives/%s", jstr(r.json, "id"));
    http_response_clear(&r);

    api_call(&r, "PATCH", path, "viewer", "{\"owner\":\"x\"}", NULL);
    ck_assert_problem(r, 403, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "DELETE", path, "editor", NULL, NULL);
    ck_assert_problem(r, 403, NULL, NULL);
    http_response_clear(&r);
    strcat(path, "/restore");
    api_call(&r, "POST", path, "editor", NULL, NULL);
    ck_assert_problem(r, 403, NULL, NULL);
    http_response_clear(&r);

    api_call(&r, "GET", "/v1/audit-events", "viewer", NULL, NULL);
    ck_assert_problem(r, 403, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/audit-events", "editor", NULL, NULL);
    ck_assert_problem(r, 403, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/audit-events", "auditor", NULL, NULL);
    ck_assert_status(r, 200);
    http_response_clear(&r);
    api_call(&r, "GET", "/v1/audit-events", "admin", NULL, NULL);
    ck_assert_status(r, 200);
    http_response_clear(&r);
    /* Auditors read everything viewers read. */
    api_call(&r, "GET", "/v1/objectives", "auditor", NULL, NULL);
    ck_assert_status(r, 200);
    http_response_clear(&r);
}
END_TEST

Suite *suite_http_auth(void)
{
    Suite *s = suite_create("http_auth");
    TCase *tc = tcase_create("auth");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_auth_missing_token_is_401_with_challenge);
    tcase_add_test(tc, test_auth_bad_tokens_are_401);
    tcase_add_test(tc, test_auth_roles_are_enforced);
    suite_add_tcase(s, tc);
    return s;
}
