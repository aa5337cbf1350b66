/* Rows in PostgreSQL's COPY text format, rendered from flat JSON documents: the bulk
 * import stages its rows this way (one COPY instead of one huge parameter). */
#ifndef API_COPY_TEXT_H
#define API_COPY_TEXT_H

#include <stddef.h>

#include <jansson.h>

typedef struct copy_text {
    char *data;
    size_t len, cap;
    int failed; /* out of memory: data is incomplete */
} copy_text;

void copy_text_init(copy_text *t);
void copy_text_clear(copy_text *t);

/**
 * Appends one row: the @p nlead fields of @p lead as text, then the value of each of the
 * @p ncolumns keys of @p j_doc. null or absent → \N; strings, numbers and booleans as
 * PostgreSQL reads them; arrays as array literals; objects as JSON text.
 */
void copy_text_row(copy_text *t, const char *const *lead, size_t nlead, const json_t *j_doc,
                   const char *const *columns, size_t ncolumns);

#endif
