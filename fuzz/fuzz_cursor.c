/* Fuzz target: list cursors and base64url. The input is a cursor token as a client would
 * send it in ?cursor=. It is decoded for the sort orders the lists use (the key count is
 * the number of sort fields plus the id), and for the sort the token itself claims.
 *
 * Properties: base64url has one spelling per byte string (encode(decode(x)) == x whenever
 * decode succeeds, and decode(encode(b)) == b for any bytes b); a cursor that decodes
 * gives nkeys strings, and cursor_encode of those decodes back to the same strings. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/parse.h"
#include "fuzz_util.h"

#define MAX_KEYS 9

static const char *const sorts[] = {
    "created_at", "-created_at", "-seq",      "measured_on",  "-measured_on,ref",
    "due_date,-ref", "title,ref", "-score,due_date,title", "status,level,updated_at", "",
};

/* Sort fields in @p sort (comma-separated) plus one for the id. */
static int keys_for(const char *sort)
{
    int n = 2;
    if (*sort == '\0') {
        return 1;
    }
    for (const char *p = sort; *p; p++) {
        n += *p == ',';
    }
    return n;
}

static void decode_and_check(const char *token, const char *sort, int nkeys)
{
    char *keys[MAX_KEYS] = {0};
    char *again[MAX_KEYS] = {0};
    char *token2;

    if (nkeys < 1 || nkeys > MAX_KEYS || !cursor_decode(token, sort, nkeys, keys)) {
        return;
    }
    FUZZ_CHECK(strlen(token) <= 4096);
    for (int i = 0; i < nkeys; i++) {
        FUZZ_CHECK(keys[i] != NULL);
    }
    token2 = cursor_encode(sort, (const char *const *)keys, nkeys);
    FUZZ_CHECK(token2 != NULL);
    if (strlen(token2) <= 4096) {
        FUZZ_CHECK(cursor_decode(token2, sort, nkeys, again));
        for (int i = 0; i < nkeys; i++) {
            FUZZ_CHECK(again[i] != NULL && strcmp(again[i], keys[i]) == 0);
            free(again[i]);
        }
    }
    free(token2);
    for (int i = 0; i < nkeys; i++) {
        free(keys[i]);
    }
}

/* The sort and key count the token itself claims, if it is a JSON array of strings. */
static void decode_as_claimed(const char *token)
{
    size_t len = 0;
    unsigned char *raw = base64url_decode(token, &len);
    json_t *j = raw ? json_loadb((const char *)raw, len, 0, NULL) : NULL;
    const char *sort = json_string_value(json_array_get(j, 0));

    if (sort != NULL && json_array_size(j) >= 2) {
        decode_and_check(token, sort, (int)json_array_size(j) - 1);
    }
    json_decref(j);
    free(raw);
}

static void base64url_round_trips(const uint8_t *data, size_t size, const char *token)
{
    size_t len = 0, len2 = 0;
    unsigned char *raw = base64url_decode(token, &len);
    char *text;
    unsigned char *back;

    if (raw != NULL) {
        text = base64url_encode(raw, len);
        FUZZ_CHECK(text != NULL && strcmp(text, token) == 0);
        FUZZ_CHECK(raw[len] == '\0');
        free(text);
        free(raw);
    }
    text = base64url_encode(data, size);
    FUZZ_CHECK(text != NULL);
    back = base64url_decode(text, &len2);
    FUZZ_CHECK(back != NULL && len2 == size && (size == 0 || memcmp(back, data, size) == 0));
    free(back);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *token = fuzz_cstr(data, size);

    for (size_t i = 0; i < sizeof sorts / sizeof sorts[0]; i++) {
        int n = keys_for(sorts[i]);
        decode_and_check(token, sorts[i], n);
        decode_and_check(token, sorts[i], n + 1);
    }
    decode_as_claimed(token);
    base64url_round_trips(data, size, token);
    free(token);
    return 0;
}
