#include "db/sqlbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sqlbuf_init(sqlbuf *b) { memset(b, 0, sizeof *b); }

void sqlbuf_clear(sqlbuf *b)
{
    free(b->text);
    memset(b, 0, sizeof *b);
}

static void sqlbuf_append(sqlbuf *b, const char *s, size_t n)
{
    if (b->failed) {
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 512;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        char *grown = realloc(b->text, cap);
        if (grown == NULL) {
            b->failed = 1;
            return;
        }
        b->text = grown;
        b->cap = cap;
    }
    memcpy(b->text + b->len, s, n);
    b->len += n;
    b->text[b->len] = '\0';
}

void sqlbuf_add(sqlbuf *b, const char *fragment) { sqlbuf_append(b, fragment, strlen(fragment)); }

void sqlbuf_param(sqlbuf *b, const char *value)
{
    char ref[16];
    if (b->nparams == SQLBUF_MAX_PARAMS) {
        b->failed = 1;
        return;
    }
    b->params[b->nparams++] = value;
    snprintf(ref, sizeof ref, "$%d", b->nparams);
    sqlbuf_add(b, ref);
}

void sqlbuf_add_with_param(sqlbuf *b, const char *fragment, const char *value)
{
    int bound = 0;
    const char *p = fragment;
    for (const char *hit; (hit = strstr(p, "$1")) != NULL; p = hit + 2) {
        sqlbuf_append(b, p, (size_t)(hit - p));
        if (!bound) {
            sqlbuf_param(b, value);
            bound = b->nparams;
        } else {
            char ref[16];
            snprintf(ref, sizeof ref, "$%d", bound);
            sqlbuf_add(b, ref);
        }
    }
    sqlbuf_add(b, p);
}
