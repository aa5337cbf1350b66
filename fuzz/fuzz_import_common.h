/* What the CSV and NDJSON import targets share: the importable resources, the checks on
 * a parse result, and the validation import runs on each row. */
#ifndef FUZZ_IMPORT_COMMON_H
#define FUZZ_IMPORT_COMMON_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/import_parse.h"
#include "api/resources.h"
#include "api/validate.h"
#include "fuzz_util.h"

/* The types a CSV or NDJSON import accepts (?type=). */
static const api_resource *const importable[] = {
    &api_objective_resource, &api_plan_resource,        &api_action_resource,
    &api_risk_resource,      &api_measurement_resource,
};
#define NIMPORTABLE (sizeof importable / sizeof importable[0])

/* Physical lines in the body (a last line without a newline counts). */
static inline size_t count_lines(const char *body, size_t len)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++) {
        n += body[i] == '\n';
    }
    return n;
}

/* Checks the outcome of csv_to_rows / ndjson_to_rows; @p first_row_line is the least
 * line a row may start on. */
static inline void check_parse_result(int rc, json_t *j_rows, const size_t *lines,
                                      const parse_error *err, size_t nlines,
                                      size_t first_row_line)
{
    if (rc != 0) {
        FUZZ_CHECK(rc == -1 && j_rows == NULL && lines == NULL);
        FUZZ_CHECK(err->line >= 1 && err->line <= nlines);
        FUZZ_CHECK(err->message[0] != '\0' && memchr(err->message, 0, sizeof err->message));
        return;
    }
    FUZZ_CHECK(json_is_array(j_rows));
    for (size_t i = 0; i < json_array_size(j_rows); i++) {
        FUZZ_CHECK(json_is_object(json_array_get(j_rows, i)));
        FUZZ_CHECK(lines != NULL && lines[i] >= first_row_line && lines[i] <= nlines);
        FUZZ_CHECK(i == 0 || lines[i] > lines[i - 1]);
    }
}

/* Validates each row as a create of @p r, as the import does. */
static inline void validate_rows(const api_resource *r, const json_t *j_rows)
{
    size_t i;
    const json_t *j_row;

    json_array_foreach(j_rows, i, j_row)
    {
        json_t *j_errors = json_array();
        json_t *j_flat = validate_doc(j_row, r->fields, r->read_only, VALIDATE_CREATE, j_errors);
        char *text;
        FUZZ_CHECK(json_is_object(j_flat));
        if (r->normalize != NULL) {
            r->normalize(j_flat);
        }
        if (r->check != NULL) {
            r->check(j_flat, j_errors);
        }
        text = json_dumps(j_errors, JSON_COMPACT);
        FUZZ_CHECK(text != NULL);
        free(text);
        json_decref(j_flat);
        json_decref(j_errors);
    }
}

#endif
