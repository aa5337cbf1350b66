/* Fuzz target: NDJSON import bodies. The bytes go through ndjson_to_rows, and the rows
 * are validated as each type an NDJSON import accepts.
 *
 * Properties: either rows (objects, with strictly increasing lines inside the body) or an
 * error with a line inside the body and a message; nothing leaks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_import_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    json_t *j_rows = NULL;
    size_t *lines = NULL;
    parse_error err = {0};
    int rc = ndjson_to_rows(body, size, 100000, &j_rows, &lines, &err);

    check_parse_result(rc, j_rows, lines, &err, count_lines(body, size), 1);
    if (rc == 0) {
        for (size_t t = 0; t < NIMPORTABLE; t++) {
            validate_rows(importable[t], j_rows);
        }
    }
    json_decref(j_rows);
    free(lines);
    return 0;
}
