/* Unit tests for service/config.c. Variables come from a small name → value table through
 * config_lookup_fn, never from the process environment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/config.h"
#include "suites.h"

#define SECRET_32 "0123456789abcdef0123456789abcdef"
#define SECRET_31 "0123456789abcdef0123456789abcde"
#define PUBLIC_PEM TEST_FIXTURES_DIR "/jwt_rs256_public.pem"
#define NO_SUCH_FILE TEST_FIXTURES_DIR "/no-such-dir/missing.pem"

typedef struct env_var {
    const char *name;
    const char *value;
} env_var;

/* config_lookup_fn over a {name, value} table ended by {NULL, NULL}. */
static const char *table_lookup(const char *name, void *ud)
{
    for (const env_var *v = ud; v->name != NULL; v++) {
        if (strcmp(v->name, name) == 0) {
            return v->value;
        }
    }
    return NULL;
}

/* Loads @p env, expecting failure; returns the message (caller frees). */
static char *load_fails(const env_var *env)
{
    svc_config cfg;
    char *error = NULL;
    memset(&cfg, 0x5a, sizeof cfg);
    ck_assert_int_eq(config_load(&cfg, table_lookup, (void *)env, &error), -1);
    ck_assert_ptr_nonnull(error);
    ck_assert_msg(strchr(error, '\n') == NULL && strchr(error, '\r') == NULL,
                  "message is not one line: %s", error);
    /* A failed load leaves the struct cleared. */
    ck_assert_ptr_null(cfg.bind_address);
    ck_assert_ptr_null(cfg.jwt_key);
    ck_assert_ptr_null(cfg.cors_origins);
    config_clear(&cfg);
    return error;
}

static void expect_error_mentions(const env_var *env, const char *needle)
{
    char *error = load_fails(env);
    ck_assert_msg(strstr(error, needle) != NULL, "message \"%s\" does not mention %s", error,
                  needle);
    free(error);
}

static void load_ok(const env_var *env, svc_config *cfg)
{
    char *error = NULL;
    int rc = config_load(cfg, table_lookup, (void *)env, &error);
    ck_assert_msg(rc == 0, "config_load failed: %s", error ? error : "(no message)");
    ck_assert_ptr_null(error);
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    fclose(f);
    return n;
}

/* ---- defaults and numbers ------------------------------------------------------------ */

START_TEST(test_config_defaults)
{
    static const env_var env[] = {{"JWT_SECRET", SECRET_32}, {NULL, NULL}};
    svc_config cfg;
    load_ok(env, &cfg);
    ck_assert_int_eq(cfg.port, 8080);
    ck_assert_str_eq(cfg.bind_address, "127.0.0.1");
    ck_assert_uint_eq(cfg.max_body_bytes, 1024 * 1024);
    ck_assert_uint_eq(cfg.import_max_bytes, 64 * 1024 * 1024);
    ck_assert_uint_eq(cfg.import_max_rows, 100000);
    ck_assert_str_eq(cfg.jwt_roles_claim, "roles");
    ck_assert_int_eq(cfg.jwt_leeway_seconds, 60);
    ck_assert_int_eq(cfg.jwt_alg, JWT_ALG_HS256);
    ck_assert_uint_eq(cfg.jwt_key_len, 32);
    ck_assert_int_eq(memcmp(cfg.jwt_key, SECRET_32, 32), 0);
    ck_assert_ptr_null(cfg.jwt_issuer);
    ck_assert_ptr_null(cfg.jwt_audience);
    ck_assert_ptr_null(cfg.database_url);
    ck_assert_int_eq(cfg.http_threads, 0);
    ck_assert_int_ge(cfg.db_pool_size, 4);
    ck_assert_int_eq(cfg.log_level, 1);
    ck_assert_ptr_nonnull(cfg.cors_origins);
    ck_assert_ptr_null(cfg.cors_origins[0]);
    config_clear(&cfg);
    ck_assert_ptr_null(cfg.bind_address);
    ck_assert_ptr_null(cfg.jwt_key);
}
END_TEST

START_TEST(test_config_values_read)
{
    static const env_var env[] = {{"JWT_SECRET", SECRET_32},
                                  {"DATABASE_URL", "postgresql:///isms"},
                                  {"PORT", "65535"},
                                  {"BIND_ADDRESS", "0.0.0.0"},
                                  {"MAX_BODY_BYTES", "2048"},
                                  {"JWT_LEEWAY_SECONDS", "0"},
                                  {"JWT_ISSUER", "https://issuer.example"},
                                  {"JWT_AUDIENCE", "isms"},
                                  {"JWT_ROLES_CLAIM", "https://example.com/roles"},
                                  {"JWT_ALG", "HS512"},
                                  {"LOG_LEVEL", "error"},
                                  {NULL, NULL}};
    svc_config cfg;
    load_ok(env, &cfg);
    ck_assert_str_eq(cfg.database_url, "postgresql:///isms");
    ck_assert_int_eq(cfg.port, 65535);
    ck_assert_str_eq(cfg.bind_address, "0.0.0.0");
    ck_assert_uint_eq(cfg.max_body_bytes, 2048);
    ck_assert_int_eq(cfg.jwt_leeway_seconds, 0);
    ck_assert_str_eq(cfg.jwt_issuer, "https://issuer.example");
    ck_assert_str_eq(cfg.jwt_audience, "isms");
    ck_assert_str_eq(cfg.jwt_roles_claim, "https://example.com/roles");
    ck_assert_int_eq(cfg.jwt_alg, JWT_ALG_HS512);
    ck_assert_int_eq(cfg.log_level, 3);
    config_clear(&cfg);
}
END_TEST

START_TEST(test_config_port_invalid)
{
    static const char *const bad[] = {"abc", "0", "70000", "80x", "-1", "8080 ", "65536",
                                      "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const env_var env[] = {{"JWT_SECRET", SECRET_32}, {"PORT", bad[i]}, {NULL, NULL}};
        char *error = load_fails(env);
        ck_assert_msg(strstr(error, "PORT") != NULL, "PORT=\"%s\": message \"%s\"", bad[i],
                      error);
        free(error);
    }
}
END_TEST

START_TEST(test_config_port_bounds_ok)
{
    static const char *const good[] = {"1", "80", "65535"};
    static const int want[] = {1, 80, 65535};
    for (size_t i = 0; i < 3; i++) {
        const env_var env[] = {{"JWT_SECRET", SECRET_32}, {"PORT", good[i]}, {NULL, NULL}};
        svc_config cfg;
        load_ok(env, &cfg);
        ck_assert_int_eq(cfg.port, want[i]);
        config_clear(&cfg);
    }
}
END_TEST

START_TEST(test_config_other_numbers_checked)
{
    static const env_var leeway[] = {
        {"JWT_SECRET", SECRET_32}, {"JWT_LEEWAY_SECONDS", "3601"}, {NULL, NULL}};
    static const env_var body[] = {
        {"JWT_SECRET", SECRET_32}, {"MAX_BODY_BYTES", "1023"}, {NULL, NULL}};
    static const env_var pool[] = {{"JWT_SECRET", SECRET_32}, {"DB_POOL_SIZE", "0"}, {NULL, NULL}};
    expect_error_mentions(leeway, "JWT_LEEWAY_SECONDS");
    expect_error_mentions(body, "MAX_BODY_BYTES");
    expect_error_mentions(pool, "DB_POOL_SIZE");
}
END_TEST

/* ---- JWT ----------------------------------------------------------------------------- */

START_TEST(test_config_jwt_secret_missing_or_short)
{
    static const env_var missing[] = {{NULL, NULL}};
    static const env_var short_secret[] = {{"JWT_SECRET", SECRET_31}, {NULL, NULL}};
    static const env_var ok[] = {{"JWT_SECRET", SECRET_32}, {NULL, NULL}};
    svc_config cfg;
    ck_assert_uint_eq(strlen(SECRET_31), 31);
    expect_error_mentions(missing, "JWT_SECRET");
    expect_error_mentions(short_secret, "JWT_SECRET");
    {
        char *error = load_fails(short_secret);
        ck_assert_msg(strstr(error, SECRET_31) == NULL, "the secret is echoed: %s", error);
        free(error);
    }
    load_ok(ok, &cfg);
    config_clear(&cfg);
}
END_TEST

START_TEST(test_config_jwt_rs256_without_key_file)
{
    static const env_var env[] = {{"JWT_ALG", "RS256"}, {NULL, NULL}};
    static const env_var empty[] = {
        {"JWT_ALG", "RS256"}, {"JWT_PUBLIC_KEY_FILE", ""}, {NULL, NULL}};
    /* An HMAC secret does not stand in for the public key. */
    static const env_var secret[] = {
        {"JWT_ALG", "RS256"}, {"JWT_SECRET", SECRET_32}, {NULL, NULL}};
    expect_error_mentions(env, "JWT_PUBLIC_KEY_FILE");
    expect_error_mentions(empty, "JWT_PUBLIC_KEY_FILE");
    expect_error_mentions(secret, "JWT_PUBLIC_KEY_FILE");
}
END_TEST

START_TEST(test_config_jwt_rs256_unreadable_key_file)
{
    static const env_var env[] = {
        {"JWT_ALG", "RS256"}, {"JWT_PUBLIC_KEY_FILE", NO_SUCH_FILE}, {NULL, NULL}};
    char *error = load_fails(env);
    ck_assert_msg(strstr(error, "JWT_PUBLIC_KEY_FILE") != NULL, "message: %s", error);
    ck_assert_msg(strstr(error, "cannot be read") != NULL, "message: %s", error);
    ck_assert_msg(strstr(error, "missing.pem") != NULL, "message does not name the path: %s",
                  error);
    free(error);
}
END_TEST

START_TEST(test_config_jwt_rs256_not_pem)
{
    static const env_var env[] = {{"JWT_ALG", "RS256"},
                                  {"JWT_PUBLIC_KEY_FILE", TEST_FIXTURES_DIR "/README.md"},
                                  {NULL, NULL}};
    expect_error_mentions(env, "JWT_PUBLIC_KEY_FILE");
}
END_TEST

START_TEST(test_config_jwt_rs256_fixture_key)
{
    static const env_var env[] = {
        {"JWT_ALG", "RS256"}, {"JWT_PUBLIC_KEY_FILE", PUBLIC_PEM}, {NULL, NULL}};
    svc_config cfg;
    load_ok(env, &cfg);
    ck_assert_int_eq(cfg.jwt_alg, JWT_ALG_RS256);
    ck_assert_ptr_nonnull(cfg.jwt_key);
    ck_assert_uint_eq(cfg.jwt_key_len, (size_t)file_size(PUBLIC_PEM));
    ck_assert_ptr_nonnull(strstr((const char *)cfg.jwt_key, "-----BEGIN PUBLIC KEY-----"));
    config_clear(&cfg);
}
END_TEST

START_TEST(test_config_jwt_alg_rejected)
{
    static const char *const bad[] = {"none", "NONE", "HS1", "RS512x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const env_var env[] = {{"JWT_SECRET", SECRET_32}, {"JWT_ALG", bad[i]}, {NULL, NULL}};
        expect_error_mentions(env, "JWT_ALG");
    }
}
END_TEST

/* ---- the error message --------------------------------------------------------------- */

START_TEST(test_config_several_errors_one_line)
{
    static const env_var env[] = {{"PORT", "abc"},
                                  {"DB_POOL_SIZE", "0"},
                                  {"LOG_LEVEL", "loud"},
                                  {"JWT_SECRET", SECRET_31},
                                  {"HTTP_IDLE_TIMEOUT_SECONDS", "x"},
                                  {NULL, NULL}};
    char *error = load_fails(env);
    static const char *const names[] = {"PORT", "DB_POOL_SIZE", "LOG_LEVEL", "JWT_SECRET",
                                        "HTTP_IDLE_TIMEOUT_SECONDS"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        ck_assert_msg(strstr(error, names[i]) != NULL, "%s missing from \"%s\"", names[i], error);
    }
    ck_assert_ptr_null(strchr(error, '\n'));
    free(error);
}
END_TEST

/* LIBRARY BUG (see report): config_long quotes the offending value verbatim
 * ("got \"%.40s\""), so a value that contains a line break breaks the one-line message
 * (and lets a variable inject a fake log line). */
START_TEST(test_config_error_message_one_line_with_hostile_value)
{
    static const env_var env[] = {
        {"JWT_SECRET", SECRET_32}, {"PORT", "80\nFAKE: all good"}, {NULL, NULL}};
    svc_config cfg;
    char *error = NULL;
    int rc = config_load(&cfg, table_lookup, (void *)env, &error);
    int names_port = error != NULL && strstr(error, "PORT") != NULL;
    int one_line = error != NULL && strchr(error, '\n') == NULL && strchr(error, '\r') == NULL;

    config_clear(&cfg);
    free(error);
    /* Released first, so a failure here leaks nothing under CK_FORK=no. */
    ck_assert_int_eq(rc, -1);
    ck_assert(names_port);
    ck_assert_msg(one_line, "the message for PORT=\"80\\nFAKE: all good\" spans two lines");
}
END_TEST

START_TEST(test_config_log_level)
{
    static const env_var bogus[] = {
        {"JWT_SECRET", SECRET_32}, {"LOG_LEVEL", "bogus"}, {NULL, NULL}};
    static const env_var debug[] = {
        {"JWT_SECRET", SECRET_32}, {"LOG_LEVEL", "debug"}, {NULL, NULL}};
    svc_config cfg;
    expect_error_mentions(bogus, "LOG_LEVEL");
    load_ok(debug, &cfg);
    ck_assert_int_eq(cfg.log_level, 0);
    config_clear(&cfg);
}
END_TEST

/* ---- CORS ---------------------------------------------------------------------------- */

START_TEST(test_config_cors_origins)
{
    static const env_var env[] = {{"JWT_SECRET", SECRET_32},
                                  {"CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example"},
                                  {NULL, NULL}};
    svc_config cfg;
    load_ok(env, &cfg);
    ck_assert_int_eq(config_origin_allowed(&cfg, "https://a.example"), 1);
    ck_assert_int_eq(config_origin_allowed(&cfg, "https://b.example"), 1);
    ck_assert_int_eq(config_origin_allowed(&cfg, "https://c.example"), 0);
    ck_assert_int_eq(config_origin_allowed(&cfg, " https://b.example"), 0);
    ck_assert_int_eq(config_origin_allowed(&cfg, "https://a.example.evil"), 0);
    ck_assert_int_eq(config_origin_allowed(&cfg, "https://a.example, https://b.example"), 0);
    ck_assert_int_eq(config_origin_allowed(&cfg, "http://a.example"), 0);
    ck_assert_int_eq(config_origin_allowed(&cfg, ""), 0);
    ck_assert_int_eq(config_origin_allowed(&cfg, NULL), 0);
    config_clear(&cfg);
}
END_TEST

START_TEST(test_config_cors_unset_allows_nothing)
{
    static const env_var env[] = {{"JWT_SECRET", SECRET_32}, {NULL, NULL}};
    svc_config cfg;
    load_ok(env, &cfg);
    ck_assert_int_eq(config_origin_allowed(&cfg, "https://a.example"), 0);
    ck_assert_int_eq(config_origin_allowed(&cfg, "*"), 0);
    ck_assert_int_eq(config_origin_allowed(&cfg, NULL), 0);
    config_clear(&cfg);
}
END_TEST

Suite *suite_config(void)
{
    Suite *s = suite_create("config");
    TCase *tc;

    tc = tcase_create("values");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_config_defaults);
    tcase_add_test(tc, test_config_values_read);
    tcase_add_test(tc, test_config_port_invalid);
    tcase_add_test(tc, test_config_port_bounds_ok);
    tcase_add_test(tc, test_config_other_numbers_checked);
    tcase_add_test(tc, test_config_log_level);
    suite_add_tcase(s, tc);

    tc = tcase_create("jwt");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_config_jwt_secret_missing_or_short);
    tcase_add_test(tc, test_config_jwt_rs256_without_key_file);
    tcase_add_test(tc, test_config_jwt_rs256_unreadable_key_file);
    tcase_add_test(tc, test_config_jwt_rs256_not_pem);
    tcase_add_test(tc, test_config_jwt_rs256_fixture_key);
    tcase_add_test(tc, test_config_jwt_alg_rejected);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_config_several_errors_one_line);
    tcase_add_test(tc, test_config_error_message_one_line_with_hostile_value);
    suite_add_tcase(s, tc);

    tc = tcase_create("cors");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_config_cors_origins);
    tcase_add_test(tc, test_config_cors_unset_allows_nothing);
    suite_add_tcase(s, tc);

    return s;
}
