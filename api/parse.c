/* Parsers for outside bytes. Every function here is total: any input gives an answer,
 * never a crash, and nothing here allocates except where the header says so. */
#include "api/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int parse_uuid(const char *s, char out[37])
{
    if (s == NULL || strlen(s) != 36) {
        return 0;
    }
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i])) {
            return 0;
        }
        out[i] = (char)tolower((unsigned char)s[i]);
    }
    out[36] = '\0';
    return 1;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) {
            return 0;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* YYYY-MM-DD at the start of @p s. */
static int date_prefix(const char *s)
{
    int y, m, d;
    if (strlen(s) < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
        !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d)) {
        return 0;
    }
    return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int parse_date(const char *s) { return s != NULL && strlen(s) == 10 && date_prefix(s); }

int parse_timestamp(const char *s)
{
    int hh, mi, ss, oh, om;
    const char *p;

    if (s == NULL || !date_prefix(s) || (s[10] != 'T' && s[10] != 't')) {
        return 0;
    }
    p = s + 11;
    if (strlen(p) < 8 || p[2] != ':' || p[5] != ':' || !digits(p, 2, &hh) ||
        !digits(p + 3, 2, &mi) || !digits(p + 6, 2, &ss) || hh > 23 || mi > 59 || ss > 59) {
        return 0;
    }
    p += 8;
    if (*p == '.') {
        int n = 0;
        for (p++; isdigit((unsigned char)*p); p++) {
            n++;
        }
        if (n == 0 || n > 9) {
            return 0;
        }
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        return 1;
    }
    return (*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
           digits(p + 1, 2, &oh) && digits(p + 4, 2, &om) && oh <= 23 && om <= 59;
}

int parse_long(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    long v;
    if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
        return 0;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return 0;
    }
    *out = v;
    return 1;
}

int utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || c == 0 || i + n > len || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4)) {
            return 0;
        }
        unsigned cp = n == 1 ? c : c & (0x7F >> n);
        for (size_t k = 1; k < n; k++) {
            unsigned char cc = (unsigned char)s[i + k];
            if ((cc & 0xC0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        /* Overlong forms, surrogates and values past U+10FFFF. */
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return 0;
        }
        i += n;
    }
    return 1;
}

size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return n;
}

const char *ref_problem(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > 64) {
        return "length";
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || c == '.' || c == '_' || c == '-') || c >= 0x80) {
            return "pattern";
        }
    }
    return NULL;
}

/* Bytes in the UTF-8 sequence that starts with @p lead. */
static size_t utf8_seq_len(unsigned char lead)
{
    return lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
}

void pointer_append(char *pointer, size_t cap, const char *key)
{
    size_t len = strlen(pointer);
    if (len + 1 < cap) {
        pointer[len++] = '/';
    }
    /* Cut only between characters, so a long key still gives valid UTF-8. */
    while (*key) {
        size_t n = utf8_seq_len((unsigned char)*key);
        int escape = *key == '~' || *key == '/';
        if (len + (escape ? 2 : n) + 1 > cap) {
            break;
        }
        if (escape) {
            pointer[len++] = '~';
            pointer[len++] = *key == '~' ? '0' : '1';
            key++;
            continue;
        }
        for (size_t i = 0; i < n && *key; i++) {
            pointer[len++] = *key++;
        }
    }
    pointer[len] = '\0';
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *base64url_encode(const unsigned char *data, size_t len)
{
    char *out = malloc(len / 3 * 4 + 5);
    size_t o = 0, i = 0;
    if (out == NULL) {
        return NULL;
    }
    for (; i + 2 < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8 | data[i + 2];
        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
        out[o++] = b64url[v & 63];
    }
    if (len - i == 1) {
        unsigned v = (unsigned)data[i] << 16;
        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
    } else if (len - i == 2) {
        unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8;
        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
    }
    out[o] = '\0';
    return out;
}

unsigned char *base64url_decode(const char *s, size_t *len_out)
{
    size_t n = strlen(s), o = 0;
    unsigned char *out;
    unsigned acc = 0;
    int bits = 0;

    if (n % 4 == 1) {
        return NULL;
    }
    out = malloc(n / 4 * 3 + 3);
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *hit = s[i] ? strchr(b64url, s[i]) : NULL;
        if (hit == NULL) {
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (unsigned)(hit - b64url);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits & 0xFF);
        }
    }
    /* Leftover bits must be zero, so every token has exactly one spelling. */
    if ((acc & ((1u << bits) - 1)) != 0) {
        free(out);
        return NULL;
    }
    out[o] = '\0';
    *len_out = o;
    return out;
}

json_t *merge_patch(const json_t *j_target, const json_t *j_patch)
{
    const char *key;
    json_t *j_value;
    json_t *j_result;

    if (!json_is_object(j_patch)) {
        return json_deep_copy(j_patch);
    }
    j_result = json_is_object(j_target) ? json_deep_copy(j_target) : json_object();
    if (j_result == NULL) {
        return NULL;
    }
    json_object_foreach((json_t *)j_patch, key, j_value)
    {
        if (json_is_null(j_value)) {
            json_object_del(j_result, key);
        } else {
            json_object_set_new(j_result, key, merge_patch(json_object_get(j_result, key), j_value));
        }
    }
    return j_result;
}

char *cursor_encode(const char *sort, const char *const *keys, int nkeys)
{
    json_t *j_cursor = json_array();
    char *text = NULL, *token = NULL;

    json_array_append_new(j_cursor, json_string(sort));
    for (int i = 0; i < nkeys; i++) {
        json_array_append_new(j_cursor, json_string(keys[i]));
    }
    text = json_dumps(j_cursor, JSON_COMPACT);
    if (text != NULL) {
        token = base64url_encode((const unsigned char *)text, strlen(text));
    }
    free(text);
    json_decref(j_cursor);
    return token;
}

int cursor_decode(const char *token, const char *sort, int nkeys, char **keys_out)
{
    size_t len = 0;
    unsigned char *raw = NULL;
    json_t *j_cursor = NULL;
    int ok = 0;

    if (token == NULL || strlen(token) > 4096) {
        return 0;
    }
    raw = base64url_decode(token, &len);
    if (raw == NULL) {
        return 0;
    }
    j_cursor = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_array(j_cursor) || json_array_size(j_cursor) != (size_t)nkeys + 1 ||
        !json_is_string(json_array_get(j_cursor, 0)) ||
        strcmp(json_string_value(json_array_get(j_cursor, 0)), sort) != 0) {
        goto out;
    }
    for (int i = 0; i < nkeys; i++) {
        if (!json_is_string(json_array_get(j_cursor, (size_t)i + 1))) {
            goto out;
        }
    }
    for (int i = 0; i < nkeys; i++) {
        keys_out[i] = strdup(json_string_value(json_array_get(j_cursor, (size_t)i + 1)));
    }
    ok = 1;
out:
    json_decref(j_cursor);
    free(raw);
    return ok;
}
