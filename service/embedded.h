/* Files compiled into the binary at build time (cmake/Embed.cmake). */
#ifndef SVC_EMBEDDED_H
#define SVC_EMBEDDED_H

#include <stddef.h>

typedef struct embedded_file {
    const char *name; /* base name, e.g. "001_init.sql" */
    const char *data; /* NUL-terminated contents */
    size_t size;      /* bytes, without the terminating NUL */
} embedded_file;

/* Sorted by name; the arrays end with a {0} entry. Sizes are set before main() runs. */
extern embedded_file embedded_migrations[];
extern const size_t embedded_migrations_count;
/* [0] openapi.json, [1] docs.html, [2] redoc.standalone.js */
extern embedded_file embedded_openapi[];
extern const size_t embedded_openapi_count;

#endif
