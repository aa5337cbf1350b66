/* Unit tests for api/parse.c: identifiers, dates, timestamps, integers, refs, JSON
 * Pointer tokens, base64url, RFC 7396 merge patch and list cursors. Pure functions: no
 * fixtures beyond local buffers. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/parse.h"
#include "suites.h"

/* ---- parse_uuid ---------------------------------------------------------------------- */

START_TEST(test_parse_uuid_canonical)
{
    char out[37];
    memset(out, 'x', sizeof out);
    ck_assert_int_eq(parse_uuid("123e4567-e89b-12d3-a456-426614174000", out), 1);
    ck_assert_str_eq(out, "123e4567-e89b-12d3-a456-426614174000");
}
END_TEST

START_TEST(test_parse_uuid_uppercase_normalised)
{
    char out[37];
    ck_assert_int_eq(parse_uuid("123E4567-E89B-12D3-A456-4266141740FF", out), 1);
    ck_assert_str_eq(out, "123e4567-e89b-12d3-a456-4266141740ff");
    ck_assert_int_eq(parse_uuid("ABCDEFAB-CDEF-ABCD-EFAB-CDEFABCDEFAB", out), 1);
    ck_assert_str_eq(out, "abcdefab-cdef-abcd-efab-cdefabcdefab");
}
END_TEST

START_TEST(test_parse_uuid_wrong_length)
{
    char out[37];
    ck_assert_int_eq(parse_uuid("", out), 0);
    ck_assert_int_eq(parse_uuid("123e4567-e89b-12d3-a456-42661417400", out), 0);   /* 35 */
    ck_assert_int_eq(parse_uuid("123e4567-e89b-12d3-a456-4266141740001", out), 0); /* 37 */
    ck_assert_int_eq(parse_uuid("123e4567e89b12d3a456426614174000", out), 0);     /* no dashes */
    ck_assert_int_eq(parse_uuid("{123e4567-e89b-12d3-a456-426614174000}", out), 0);
}
END_TEST

START_TEST(test_parse_uuid_wrong_dash_positions)
{
    char out[37];
    /* Same length (36), dashes moved. */
    ck_assert_int_eq(parse_uuid("123e456-7e89b-12d3-a456-426614174000", out), 0);
    ck_assert_int_eq(parse_uuid("123e4567-e89b1-2d3-a456-426614174000", out), 0);
    ck_assert_int_eq(parse_uuid("123e4567-e89b-12d3a-456-426614174000", out), 0);
    ck_assert_int_eq(parse_uuid("123e4567-e89b-12d3-a4564-26614174000", out), 0);
    ck_assert_int_eq(parse_uuid("123e4567-e89b-12d3-a456-4266-1417400", out), 0);
    ck_assert_int_eq(parse_uuid("------------------------------------", out), 0);
}
END_TEST

START_TEST(test_parse_uuid_non_hex)
{
    char out[37];
    ck_assert_int_eq(parse_uuid("g23e4567-e89b-12d3-a456-426614174000", out), 0);
    ck_assert_int_eq(parse_uuid("123e4567-e89b-12d3-a456-42661417400z", out), 0);
    ck_assert_int_eq(parse_uuid("123e4567-e89b-12d3-a456-42661417400 ", out), 0);
    ck_assert_int_eq(parse_uuid("123e4567-e89b-12d3-a4 6-426614174000", out), 0);
    /* 36 bytes, but one of them belongs to a multibyte character. */
    ck_assert_int_eq(parse_uuid("123e4567-e89b-12d3-a456-4266141740\xc3\xa9", out), 0);
}
END_TEST

START_TEST(test_parse_uuid_null)
{
    char out[37];
    ck_assert_int_eq(parse_uuid(NULL, out), 0);
}
END_TEST

/* ---- parse_date ---------------------------------------------------------------------- */

START_TEST(test_parse_date_valid)
{
    ck_assert_int_eq(parse_date("2026-01-31"), 1);
    ck_assert_int_eq(parse_date("2026-12-31"), 1);
    ck_assert_int_eq(parse_date("2026-04-30"), 1);
    ck_assert_int_eq(parse_date("0001-01-01"), 1);
    ck_assert_int_eq(parse_date("9999-12-31"), 1);
}
END_TEST

START_TEST(test_parse_date_leap_years)
{
    ck_assert_int_eq(parse_date("2024-02-29"), 1); /* divisible by 4 */
    ck_assert_int_eq(parse_date("2023-02-29"), 0); /* not divisible by 4 */
    ck_assert_int_eq(parse_date("1900-02-29"), 0); /* divisible by 100, not 400 */
    ck_assert_int_eq(parse_date("2000-02-29"), 1); /* divisible by 400 */
    ck_assert_int_eq(parse_date("2023-02-28"), 1);
    ck_assert_int_eq(parse_date("2024-02-30"), 0);
}
END_TEST

START_TEST(test_parse_date_month_and_day_bounds)
{
    ck_assert_int_eq(parse_date("2026-13-01"), 0);
    ck_assert_int_eq(parse_date("2026-00-10"), 0);
    ck_assert_int_eq(parse_date("2026-01-00"), 0);
    ck_assert_int_eq(parse_date("2026-01-32"), 0);
    ck_assert_int_eq(parse_date("2026-04-31"), 0);
    ck_assert_int_eq(parse_date("2026-06-31"), 0);
}
END_TEST

START_TEST(test_parse_date_shape)
{
    ck_assert_int_eq(parse_date("2026-01-01x"), 0);  /* trailing character */
    ck_assert_int_eq(parse_date("2026-01-01 "), 0);
    ck_assert_int_eq(parse_date("2026-01-01T00:00:00Z"), 0);
    ck_assert_int_eq(parse_date("2026-1-01"), 0);    /* 9 characters */
    ck_assert_int_eq(parse_date("2026-01-1"), 0);    /* 9 characters */
    ck_assert_int_eq(parse_date("2026/01/01"), 0);
    ck_assert_int_eq(parse_date("20260101"), 0);
    ck_assert_int_eq(parse_date("+026-01-01"), 0);
    ck_assert_int_eq(parse_date("2026-0a-01"), 0);
    ck_assert_int_eq(parse_date(""), 0);
    ck_assert_int_eq(parse_date(NULL), 0);
}
END_TEST

/* ---- parse_timestamp ----------------------------------------------------------------- */

START_TEST(test_parse_timestamp_zones)
{
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56Z"), 1);
    ck_assert_int_eq(parse_timestamp("2026-03-01t12:34:56z"), 1);
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56+02:00"), 1);
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56-05:30"), 1);
    ck_assert_int_eq(parse_timestamp("2026-03-01T00:00:00+00:00"), 1);
    ck_assert_int_eq(parse_timestamp("2026-03-01T23:59:59Z"), 1);
    /* No zone, or a malformed one. */
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56ZZ"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56Zx"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56+2:00"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56+0200"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56+02:00x"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56+24:00"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56+02:60"), 0);
}
END_TEST

START_TEST(test_parse_timestamp_fraction)
{
    static const char *const ok[] = {
        "2026-03-01T12:34:56.1Z",         "2026-03-01T12:34:56.12Z",
        "2026-03-01T12:34:56.123Z",       "2026-03-01T12:34:56.1234Z",
        "2026-03-01T12:34:56.12345Z",     "2026-03-01T12:34:56.123456Z",
        "2026-03-01T12:34:56.1234567Z",   "2026-03-01T12:34:56.12345678Z",
        "2026-03-01T12:34:56.123456789Z", "2026-03-01T12:34:56.5+01:00",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ck_assert_msg(parse_timestamp(ok[i]) == 1, "should accept %s", ok[i]);
    }
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56.1234567890Z"), 0); /* 10 digits */
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56.Z"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:56.1a2Z"), 0);
}
END_TEST

START_TEST(test_parse_timestamp_time_fields)
{
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34Z"), 0);      /* missing seconds */
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:5Z"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01T24:00:00Z"), 0);   /* hour 24 */
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:60:00Z"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01T12:34:61Z"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01T12-34-56Z"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01X12:34:56Z"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01"), 0);
    ck_assert_int_eq(parse_timestamp("2026-03-01T"), 0);
    ck_assert_int_eq(parse_timestamp(""), 0);
    ck_assert_int_eq(parse_timestamp(NULL), 0);
}
END_TEST

START_TEST(test_parse_timestamp_date_part_checked)
{
    ck_assert_int_eq(parse_timestamp("2024-02-29T00:00:00Z"), 1);
    ck_assert_int_eq(parse_timestamp("2023-02-29T00:00:00Z"), 0);
    ck_assert_int_eq(parse_timestamp("2026-13-01T00:00:00Z"), 0);
}
END_TEST

/* ---- parse_long ---------------------------------------------------------------------- */

START_TEST(test_parse_long_bounds)
{
    long v = 0;
    ck_assert_int_eq(parse_long("1", 1, 10, &v), 1);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(parse_long("10", 1, 10, &v), 1);
    ck_assert_int_eq(v, 10);
    ck_assert_int_eq(parse_long("-7", -10, 10, &v), 1);
    ck_assert_int_eq(v, -7);
    v = 42;
    ck_assert_int_eq(parse_long("0", 1, 10, &v), 0);
    ck_assert_int_eq(parse_long("11", 1, 10, &v), 0);
    ck_assert_int_eq(parse_long("-11", -10, 10, &v), 0);
    ck_assert_int_eq(v, 42); /* untouched on failure */
}
END_TEST

START_TEST(test_parse_long_garbage)
{
    long v = 42;
    ck_assert_int_eq(parse_long("", 0, 100, &v), 0);
    ck_assert_int_eq(parse_long("abc", 0, 100, &v), 0);
    ck_assert_int_eq(parse_long("5x", 0, 100, &v), 0);
    ck_assert_int_eq(parse_long("x5", 0, 100, &v), 0);
    ck_assert_int_eq(parse_long("5 ", 0, 100, &v), 0);
    ck_assert_int_eq(parse_long("5.0", 0, 100, &v), 0);
    ck_assert_int_eq(parse_long("0x10", 0, 100, &v), 0);
    ck_assert_int_eq(parse_long("-", -100, 100, &v), 0);
    ck_assert_int_eq(parse_long(NULL, 0, 100, &v), 0);
    ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(test_parse_long_leading_space)
{
    long v = 42;
    ck_assert_int_eq(parse_long(" 5", 0, 100, &v), 0);
    ck_assert_int_eq(parse_long("\t5", 0, 100, &v), 0);
    ck_assert_int_eq(parse_long("\n5", 0, 100, &v), 0);
    ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(test_parse_long_overflow)
{
    long v = 42;
    char buf[64];
    ck_assert_int_eq(parse_long("99999999999999999999", LONG_MIN, LONG_MAX, &v), 0);
    ck_assert_int_eq(parse_long("-99999999999999999999", LONG_MIN, LONG_MAX, &v), 0);
    ck_assert_int_eq(v, 42);
    snprintf(buf, sizeof buf, "%ld", LONG_MAX);
    ck_assert_int_eq(parse_long(buf, LONG_MIN, LONG_MAX, &v), 1);
    ck_assert_int_eq(v, LONG_MAX);
    snprintf(buf, sizeof buf, "%ld", LONG_MIN);
    ck_assert_int_eq(parse_long(buf, LONG_MIN, LONG_MAX, &v), 1);
    ck_assert_int_eq(v, LONG_MIN);
}
END_TEST

/* ---- utf8_length / ref_problem / pointer_append -------------------------------------- */

START_TEST(test_parse_utf8_length_multibyte)
{
    ck_assert_uint_eq(utf8_length(""), 0);
    ck_assert_uint_eq(utf8_length("abc"), 3);
    ck_assert_uint_eq(utf8_length("\xc3\xa9"), 1);                          /* é */
    ck_assert_uint_eq(utf8_length("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), 3); /* 日本語 */
    ck_assert_uint_eq(utf8_length("\xf0\x9f\x98\x80"), 1);                  /* U+1F600 */
    ck_assert_uint_eq(utf8_length("a\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80z"), 5);
}
END_TEST

START_TEST(test_parse_ref_problem)
{
    char buf[80];

    ck_assert_ptr_null(ref_problem("OBJ-1.a_b"));
    ck_assert_ptr_null(ref_problem("a"));
    ck_assert_str_eq(ref_problem(""), "length");
    memset(buf, 'a', 64);
    buf[64] = '\0';
    ck_assert_ptr_null(ref_problem(buf));
    buf[64] = 'a';
    buf[65] = '\0';
    ck_assert_str_eq(ref_problem(buf), "length");
    ck_assert_str_eq(ref_problem("a b"), "pattern");
    ck_assert_str_eq(ref_problem("\xc3\xa9"), "pattern");
    ck_assert_str_eq(ref_problem("a/b"), "pattern");
    ck_assert_str_eq(ref_problem("a~b"), "pattern");
}
END_TEST

START_TEST(test_parse_pointer_append_escaping)
{
    char ptr[64] = "";
    pointer_append(ptr, sizeof ptr, "a");
    ck_assert_str_eq(ptr, "/a");
    pointer_append(ptr, sizeof ptr, "b~c/d");
    ck_assert_str_eq(ptr, "/a/b~0c~1d");
    ptr[0] = '\0';
    pointer_append(ptr, sizeof ptr, "~/");
    ck_assert_str_eq(ptr, "/~0~1");
    ptr[0] = '\0';
    pointer_append(ptr, sizeof ptr, "~1");
    ck_assert_str_eq(ptr, "/~01");
    ptr[0] = '\0';
    pointer_append(ptr, sizeof ptr, "");
    ck_assert_str_eq(ptr, "/");
}
END_TEST

START_TEST(test_parse_pointer_append_truncates_within_cap)
{
    char buf[16];
    memset(buf, '#', sizeof buf);
    buf[0] = '\0';
    pointer_append(buf, 8, "abcdefghijklmnop");
    ck_assert_uint_lt(strlen(buf), 8);
    ck_assert_int_eq(strncmp(buf, "/abc", 4), 0);
    for (size_t i = 8; i < sizeof buf; i++) {
        ck_assert_int_eq(buf[i], '#'); /* nothing written past cap */
    }
    buf[0] = '\0';
    pointer_append(buf, 8, "//////////");
    ck_assert_uint_lt(strlen(buf), 8);
    for (size_t i = 8; i < sizeof buf; i++) {
        ck_assert_int_eq(buf[i], '#');
    }
}
END_TEST

/* ---- base64url ----------------------------------------------------------------------- */

START_TEST(test_parse_base64url_known_vectors)
{
    static const struct {
        const char *plain;
        const char *encoded;
    } v[] = {{"", ""},         {"f", "Zg"},         {"fo", "Zm8"},        {"foo", "Zm9v"},
             {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char *enc = base64url_encode((const unsigned char *)v[i].plain, strlen(v[i].plain));
        ck_assert_ptr_nonnull(enc);
        ck_assert_str_eq(enc, v[i].encoded);
        free(enc);
    }
    /* The URL alphabet: 62 → '-', 63 → '_', and no padding. */
    {
        static const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
        char *enc = base64url_encode(bytes, sizeof bytes);
        ck_assert_str_eq(enc, "-_-_");
        free(enc);
    }
}
END_TEST

START_TEST(test_parse_base64url_round_trip_lengths)
{
    unsigned char data[10];
    for (size_t len = 0; len <= 10; len++) {
        for (size_t i = 0; i < len; i++) {
            data[i] = (unsigned char)(0xff - i * 37 + len); /* high bits and zeros alike */
        }
        char *enc = base64url_encode(data, len);
        size_t out_len = 999;
        ck_assert_ptr_nonnull(enc);
        ck_assert_uint_eq(strlen(enc), (len * 4 + 2) / 3); /* unpadded length */
        ck_assert_ptr_null(strchr(enc, '='));
        unsigned char *dec = base64url_decode(enc, &out_len);
        ck_assert_msg(dec != NULL, "decode failed for length %zu (%s)", len, enc);
        ck_assert_uint_eq(out_len, len);
        ck_assert_int_eq(memcmp(dec, data, len), 0);
        ck_assert_int_eq(dec[len], 0); /* NUL-terminated */
        free(dec);
        free(enc);
    }
}
END_TEST

START_TEST(test_parse_base64url_rejects_bad_chars)
{
    size_t len = 0;
    static const char *const bad[] = {"Zg==", "Zm9v+g", "Zm9v/g", "Zm 9",
                                      "Zm9\n", "Zm\xc3\xa9", "Zm9v.A"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(base64url_decode(bad[i], &len) == NULL, "should reject \"%s\"", bad[i]);
    }
}
END_TEST

START_TEST(test_parse_base64url_rejects_bad_length)
{
    size_t len = 0;
    ck_assert_ptr_null(base64url_decode("Z", &len));
    ck_assert_ptr_null(base64url_decode("Zm9vY", &len));
    ck_assert_ptr_null(base64url_decode("Zm9vYmFyZ", &len));
}
END_TEST

START_TEST(test_parse_base64url_rejects_trailing_bits)
{
    size_t len = 0;
    unsigned char *ok = base64url_decode("Zg", &len); /* 'f', leftover bits zero */
    ck_assert_ptr_nonnull(ok);
    ck_assert_uint_eq(len, 1);
    ck_assert_int_eq(ok[0], 'f');
    free(ok);
    ck_assert_ptr_null(base64url_decode("Zh", &len));   /* 'f' + leftover 0001 */
    ck_assert_ptr_null(base64url_decode("Zm9", &len));  /* "fo" + leftover 01 */
    ck_assert_ptr_null(base64url_decode("Zm_", &len));
}
END_TEST

/* ---- merge_patch (RFC 7396 Appendix A) ----------------------------------------------- */

static json_t *load_any(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &err);
    ck_assert_msg(j != NULL, "bad test JSON %s: %s", text, err.text);
    return j;
}

START_TEST(test_parse_merge_patch_rfc7396_examples)
{
    static const struct {
        const char *target, *patch, *result;
    } ex[] = {
        {"{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
        {"{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
        {"{\"a\":\"b\"}", "{\"a\":null}", "{}"},
        {"{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"},
        {"{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
        {"{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}"},
        {"{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"},
        {"{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
        {"[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]"},
        {"{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]"},
        {"{\"a\":\"foo\"}", "null", "null"},
        {"{\"a\":\"foo\"}", "\"bar\"", "\"bar\""},
        {"{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"},
        {"[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"},
        {"{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"},
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        json_t *j_target = load_any(ex[i].target);
        json_t *j_patch = load_any(ex[i].patch);
        json_t *j_want = load_any(ex[i].result);
        json_t *j_before = json_deep_copy(j_target);
        json_t *j_got = merge_patch(j_target, j_patch);
        char *got_text = j_got ? json_dumps(j_got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

        ck_assert_msg(j_got != NULL && json_equal(j_got, j_want),
                      "example %zu: %s + %s gave %s, want %s", i + 1, ex[i].target,
                      ex[i].patch, got_text ? got_text : "NULL", ex[i].result);
        ck_assert_msg(json_equal(j_target, j_before), "example %zu modified the target", i + 1);
        free(got_text);
        json_decref(j_got);
        json_decref(j_before);
        json_decref(j_want);
        json_decref(j_patch);
        json_decref(j_target);
    }
}
END_TEST

START_TEST(test_parse_merge_patch_null_target)
{
    json_t *j_patch = load_any("{\"a\":{\"b\":1,\"c\":null},\"d\":null}");
    json_t *j_want = load_any("{\"a\":{\"b\":1}}");
    json_t *j_got = merge_patch(NULL, j_patch);
    ck_assert_ptr_nonnull(j_got);
    ck_assert(json_equal(j_got, j_want));
    /* The result shares nothing with the patch. */
    ck_assert_ptr_ne(json_object_get(j_got, "a"), json_object_get(j_patch, "a"));
    json_decref(j_got);
    json_decref(j_want);
    json_decref(j_patch);
}
END_TEST

/* ---- cursor_encode / cursor_decode --------------------------------------------------- */

static char *token_of_json(const char *json_text)
{
    char *t = base64url_encode((const unsigned char *)json_text, strlen(json_text));
    ck_assert_ptr_nonnull(t);
    return t;
}

START_TEST(test_parse_cursor_round_trip)
{
    static const char *const keys[] = {"Title with \"quotes\", commas \xc3\xa9",
                                       "123e4567-e89b-12d3-a456-426614174000"};
    char *out[2] = {NULL, NULL};
    char *token = cursor_encode("title,id", keys, 2);

    ck_assert_ptr_nonnull(token);
    ck_assert_uint_eq(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789-_"),
                      strlen(token)); /* URL-safe as is */
    ck_assert_int_eq(cursor_decode(token, "title,id", 2, out), 1);
    ck_assert_ptr_nonnull(out[0]);
    ck_assert_ptr_nonnull(out[1]);
    ck_assert_str_eq(out[0], keys[0]);
    ck_assert_str_eq(out[1], keys[1]);
    free(out[0]);
    free(out[1]);
    free(token);
}
END_TEST

START_TEST(test_parse_cursor_round_trip_one_key)
{
    static const char *const keys[] = {""};
    char *out[1] = {NULL};
    char *token = cursor_encode("-created_at", keys, 1);
    ck_assert_ptr_nonnull(token);
    ck_assert_int_eq(cursor_decode(token, "-created_at", 1, out), 1);
    ck_assert_str_eq(out[0], "");
    free(out[0]);
    free(token);
}
END_TEST

/* On failure the caller's slots must be left as they were: not written, not freed.
 * The slots hold the test's own heap strings, so a stray free shows up as a double free
 * (crash, or a valgrind error with CK_FORK=no). */
static void expect_decode_fails(const char *token, const char *sort, int nkeys)
{
    char *mine[3];
    char *slots[3];
    for (int i = 0; i < 3; i++) {
        mine[i] = strdup("mine");
        slots[i] = mine[i];
    }
    ck_assert_msg(cursor_decode(token, sort, nkeys, slots) == 0, "token %s accepted",
                  token ? token : "NULL");
    for (int i = 0; i < 3; i++) {
        ck_assert_ptr_eq(slots[i], mine[i]);
        ck_assert_str_eq(mine[i], "mine");
        free(mine[i]);
    }
}

START_TEST(test_parse_cursor_wrong_sort)
{
    static const char *const keys[] = {"x", "id-1"};
    char *token = cursor_encode("title,id", keys, 2);
    ck_assert_ptr_nonnull(token);
    expect_decode_fails(token, "-title,id", 2);
    expect_decode_fails(token, "title", 2);
    expect_decode_fails(token, "", 2);
    free(token);
}
END_TEST

START_TEST(test_parse_cursor_wrong_key_count)
{
    static const char *const keys[] = {"x", "id-1"};
    char *token = cursor_encode("title,id", keys, 2);
    ck_assert_ptr_nonnull(token);
    expect_decode_fails(token, "title,id", 1);
    expect_decode_fails(token, "title,id", 3);
    expect_decode_fails(token, "title,id", 0);
    free(token);
}
END_TEST

START_TEST(test_parse_cursor_garbage_token)
{
    char *t;
    expect_decode_fails(NULL, "id", 1);
    expect_decode_fails("", "id", 1);
    expect_decode_fails("!!!!", "id", 1);
    expect_decode_fails("Z", "id", 1);
    expect_decode_fails("not a token", "id", 1);
    t = token_of_json("not json");
    expect_decode_fails(t, "id", 1);
    free(t);
    t = token_of_json("{\"sort\":\"id\",\"keys\":[\"a\"]}");
    expect_decode_fails(t, "id", 1);
    free(t);
    t = token_of_json("[\"id\",\"a\"] trailing");
    expect_decode_fails(t, "id", 1);
    free(t);
    t = token_of_json("[]");
    expect_decode_fails(t, "id", 1);
    free(t);
    /* Over the size limit (4096) even though well formed underneath. */
    {
        size_t n = 5000;
        char *big = malloc(n + 1);
        memset(big, 'A', n);
        big[n] = '\0';
        expect_decode_fails(big, "id", 1);
        free(big);
    }
}
END_TEST

START_TEST(test_parse_cursor_non_string_key)
{
    char *t;
    static const char *const bad[] = {
        "[\"id\",1]", "[\"id\",null]", "[\"id\",[\"a\"]]", "[\"id\",{}]",
        "[\"id\",\"a\",true]", "[1,\"a\"]", "[null,\"a\"]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int nkeys = i == 4 ? 2 : 1;
        t = token_of_json(bad[i]);
        expect_decode_fails(t, "id", nkeys);
        free(t);
    }
    /* The control: the same shape with strings is accepted. */
    {
        char *out[2] = {NULL, NULL};
        t = token_of_json("[\"id\",\"a\",\"b\"]");
        ck_assert_int_eq(cursor_decode(t, "id", 2, out), 1);
        ck_assert_str_eq(out[0], "a");
        ck_assert_str_eq(out[1], "b");
        free(out[0]);
        free(out[1]);
        free(t);
    }
}
END_TEST

START_TEST(test_parse_cursor_nul_in_key_rejected)
{
    char *t = token_of_json("[\"id\",\"a\\u0000b\"]");
    expect_decode_fails(t, "id", 1);
    free(t);
}
END_TEST

Suite *suite_parse(void)
{
    Suite *s = suite_create("parse");
    TCase *tc;

    tc = tcase_create("uuid");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_parse_uuid_canonical);
    tcase_add_test(tc, test_parse_uuid_uppercase_normalised);
    tcase_add_test(tc, test_parse_uuid_wrong_length);
    tcase_add_test(tc, test_parse_uuid_wrong_dash_positions);
    tcase_add_test(tc, test_parse_uuid_non_hex);
    tcase_add_test(tc, test_parse_uuid_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("date");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_parse_date_valid);
    tcase_add_test(tc, test_parse_date_leap_years);
    tcase_add_test(tc, test_parse_date_month_and_day_bounds);
    tcase_add_test(tc, test_parse_date_shape);
    suite_add_tcase(s, tc);

    tc = tcase_create("timestamp");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_parse_timestamp_zones);
    tcase_add_test(tc, test_parse_timestamp_fraction);
    tcase_add_test(tc, test_parse_timestamp_time_fields);
    tcase_add_test(tc, test_parse_timestamp_date_part_checked);
    suite_add_tcase(s, tc);

    tc = tcase_create("long");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_parse_long_bounds);
    tcase_add_test(tc, test_parse_long_garbage);
    tcase_add_test(tc, test_parse_long_leading_space);
    tcase_add_test(tc, test_parse_long_overflow);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_parse_utf8_length_multibyte);
    tcase_add_test(tc, test_parse_ref_problem);
    tcase_add_test(tc, test_parse_pointer_append_escaping);
    tcase_add_test(tc, test_parse_pointer_append_truncates_within_cap);
    suite_add_tcase(s, tc);

    tc = tcase_create("base64url");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_parse_base64url_known_vectors);
    tcase_add_test(tc, test_parse_base64url_round_trip_lengths);
    tcase_add_test(tc, test_parse_base64url_rejects_bad_chars);
    tcase_add_test(tc, test_parse_base64url_rejects_bad_length);
    tcase_add_test(tc, test_parse_base64url_rejects_trailing_bits);
    suite_add_tcase(s, tc);

    tc = tcase_create("merge_patch");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_parse_merge_patch_rfc7396_examples);
    tcase_add_test(tc, test_parse_merge_patch_null_target);
    suite_add_tcase(s, tc);

    tc = tcase_create("cursor");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_parse_cursor_round_trip);
    tcase_add_test(tc, test_parse_cursor_round_trip_one_key);
    tcase_add_test(tc, test_parse_cursor_wrong_sort);
    tcase_add_test(tc, test_parse_cursor_wrong_key_count);
    tcase_add_test(tc, test_parse_cursor_garbage_token);
    tcase_add_test(tc, test_parse_cursor_non_string_key);
    tcase_add_test(tc, test_parse_cursor_nul_in_key_rejected);
    suite_add_tcase(s, tc);

    return s;
}
