/* A growing SQL text with its positional parameters, for statements assembled from
 * whitelisted fragments. Values are never spliced into the text. */
#ifndef DB_SQLBUF_H
#define DB_SQLBUF_H

#include <stddef.h>

#define SQLBUF_MAX_PARAMS 48

typedef struct sqlbuf {
    char *text;
    size_t len, cap;
    const char *params[SQLBUF_MAX_PARAMS];
    int nparams;
    int failed;
} sqlbuf;

void sqlbuf_init(sqlbuf *b);
void sqlbuf_clear(sqlbuf *b);
/** Appends literal SQL (a whitelisted fragment, never client data). */
void sqlbuf_add(sqlbuf *b, const char *fragment);
/** Appends "$n" bound to @p value (borrowed until the statement ran). */
void sqlbuf_param(sqlbuf *b, const char *value);
/** Appends @p fragment with every "$1" replaced by a new parameter bound to @p value. */
void sqlbuf_add_with_param(sqlbuf *b, const char *fragment, const char *value);

#endif
