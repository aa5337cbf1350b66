#include "api/copy_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void copy_text_init(copy_text *t) { memset(t, 0, sizeof *t); }

void copy_text_clear(copy_text *t)
{
    free(t->data);
    memset(t, 0, sizeof *t);
}

static void reserve(copy_text *t, size_t more)
{
    if (t->failed || t->len + more <= t->cap) {
        return;
    }
    size_t cap = t->cap ? t->cap : 65536;
    while (cap < t->len + more) {
        cap *= 2;
    }
    char *grown = realloc(t->data, cap);
    if (grown == NULL) {
        t->failed = 1;
        return;
    }
    t->data = grown;
    t->cap = cap;
}

static void put(copy_text *t, const char *s, size_t n)
{
    if (n == 0) {
        return;
    }
    reserve(t, n);
    if (!t->failed) {
        memcpy(t->data + t->len, s, n);
        t->len += n;
    }
}

/* COPY text escapes: backslash, and the characters that delimit fields and rows. */
static void put_escaped(copy_text *t, const char *s, size_t n)
{
    if (n == 0) {
        return;
    }
    reserve(t, 2 * n);
    if (t->failed) {
        return;
    }
    char *out = t->data + t->len;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        const char *esc = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n"
                        : c == '\r' ? "\\r" : NULL;
        if (esc != NULL) {
            *out++ = esc[0];
            *out++ = esc[1];
        } else {
            *out++ = c;
        }
    }
    t->len = (size_t)(out - t->data);
}

/* An array literal {"a","b"}: elements quoted, their quotes and backslashes escaped. */
static void put_array(copy_text *t, const json_t *j_array)
{
    size_t i;
    json_t *j_item;
    copy_text lit;

    copy_text_init(&lit);
    put(&lit, "{", 1);
    json_array_foreach(j_array, i, j_item)
    {
        const char *s = json_string_value(j_item);
        put(&lit, ",", i ? 1 : 0);
        if (s == NULL) {
            put(&lit, "NULL", 4);
            continue;
        }
        put(&lit, "\"", 1);
        for (const char *p = s; *p; p++) {
            if (*p == '"' || *p == '\\') {
                put(&lit, "\\", 1);
            }
            put(&lit, p, 1);
        }
        put(&lit, "\"", 1);
    }
    put(&lit, "}", 1);
    put_escaped(t, lit.data, lit.len);
    t->failed |= lit.failed;
    copy_text_clear(&lit);
}

static void put_value(copy_text *t, const json_t *j_value)
{
    char num[40];
    switch (j_value ? json_typeof(j_value) : JSON_NULL) {
    case JSON_STRING:
        put_escaped(t, json_string_value(j_value), json_string_length(j_value));
        break;
    case JSON_INTEGER:
        put(t, num, (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
                                     json_integer_value(j_value)));
        break;
    case JSON_REAL:
        put(t, num, (size_t)snprintf(num, sizeof num, "%.17g", json_real_value(j_value)));
        break;
    case JSON_TRUE:
        put(t, "t", 1);
        break;
    case JSON_FALSE:
        put(t, "f", 1);
        break;
    case JSON_ARRAY:
        put_array(t, j_value);
        break;
    case JSON_OBJECT: {
        char *text = json_dumps(j_value, JSON_COMPACT);
        if (text == NULL) {
            t->failed = 1;
            return;
        }
        put_escaped(t, text, strlen(text));
        free(text);
        break;
    }
    case JSON_NULL:
    default:
        put(t, "\\N", 2);
    }
}

void copy_text_row(copy_text *t, const char *const *lead, size_t nlead, const json_t *j_doc,
                   const char *const *columns, size_t ncolumns)
{
    for (size_t i = 0; i < nlead; i++) {
        put(t, "\t", i ? 1 : 0);
        put_escaped(t, lead[i], strlen(lead[i]));
    }
    for (size_t i = 0; i < ncolumns; i++) {
        put(t, "\t", nlead + i ? 1 : 0);
        put_value(t, json_object_get(j_doc, columns[i]));
    }
    put(t, "\n", 1);
}
