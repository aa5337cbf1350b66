/* Fuzz target: CSV import bodies. The bytes go through csv_to_rows once with the fields
 * of each type a CSV import accepts (the field kinds decide how cells become JSON), and
 * the rows are validated as the import would.
 *
 * Properties: either rows (objects, with strictly increasing start lines after the
 * header) or an error with a line inside the body and a message; nothing leaks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_import_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    size_t nlines = count_lines(body, size);

    for (size_t t = 0; t < NIMPORTABLE; t++) {
        json_t *j_rows = NULL;
        size_t *lines = NULL;
        parse_error err = {0};
        int rc = csv_to_rows(body, size, importable[t]->fields, 100000, &j_rows, &lines, &err);
        check_parse_result(rc, j_rows, lines, &err, nlines, 2);
        if (rc == 0) {
            validate_rows(importable[t], j_rows);
        }
        json_decref(j_rows);
        free(lines);
    }
    return 0;
}
