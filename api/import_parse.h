/* Import bodies in CSV and NDJSON, turned into the same JSON rows a JSON import has.
 * Pure functions over outside bytes: no I/O, unit-tested and fuzzed. */
#ifndef API_IMPORT_PARSE_H
#define API_IMPORT_PARSE_H

#include <stddef.h>

#include <jansson.h>

#include "api/validate.h"

/* A parse failure: what and where (1-based physical line). */
typedef struct parse_error {
    size_t line;
    char message[160];
    int too_many_rows; /* the body has more than max_rows rows: refused, not malformed */
} parse_error;

/**
 * Parses CSV (RFC 4180; header row of field names; CRLF or LF). Cells become JSON by
 * the kinds in @p fields: numbers and integers are parsed when they look numeric (else
 * kept as text, so validation reports them), arrays split on ';', `<object>_<member>`
 * columns (measure_metric, budget_amount, ...) gather into the object, empty cells are
 * absent. Columns not in @p fields stay text (validation reports unknown ones).
 * Stops at the row after @p max_rows, so a body of tiny rows cannot grow without bound.
 * @param rows_out new reference: array of row objects
 * @param lines_out malloc'd array: the physical line each row starts on
 * @return 0, or -1 with @p err filled (malformed CSV, or too_many_rows)
 */
int csv_to_rows(const char *body, size_t len, const field_spec *fields, size_t max_rows,
                json_t **rows_out, size_t **lines_out, parse_error *err);

/**
 * Parses NDJSON: one JSON object per line; blank lines are skipped.
 * @return 0, or -1 with @p err filled (a line that is not a JSON object, or more than
 *         @p max_rows rows: too_many_rows)
 */
int ndjson_to_rows(const char *body, size_t len, size_t max_rows, json_t **rows_out,
                   size_t **lines_out, parse_error *err);

#endif
