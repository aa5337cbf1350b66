/* CSV and NDJSON import parsing. Every function is total over its input bytes. */
#include "api/import_parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_COLUMNS 128

static void set_error(parse_error *err, size_t line, const char *message)
{
    err->line = line;
    snprintf(err->message, sizeof err->message, "%s", message);
}

/* Whether one more row would pass @p max_rows; if so, @p err says so. */
static int row_over_limit(size_t rows, size_t max_rows, size_t line, parse_error *err)
{
    if (rows < max_rows) {
        return 0;
    }
    char message[96];
    snprintf(message, sizeof message, "starts row %zu: at most %zu rows are accepted",
             rows + 1, max_rows);
    set_error(err, line, message);
    err->too_many_rows = 1;
    return 1;
}

/* One CSV record: cells as malloc'd strings. */
typedef struct csv_record {
    char *cells[CSV_MAX_COLUMNS];
    int ncells;
} csv_record;

static void record_clear(csv_record *r)
{
    for (int i = 0; i < r->ncells; i++) {
        free(r->cells[i]);
    }
    r->ncells = 0;
}

typedef struct cell_buf {
    char *s;
    size_t len, cap;
} cell_buf;

static int cell_put(cell_buf *b, char c)
{
    if (b->len + 2 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        char *grown = realloc(b->s, cap);
        if (grown == NULL) {
            return -1;
        }
        b->s = grown;
        b->cap = cap;
    }
    b->s[b->len++] = c;
    b->s[b->len] = '\0';
    return 0;
}

/* Reads one record starting at *pos; advances *pos and *line. Returns 1 with a record,
 * 0 at the end of input, -1 on malformed input. */
static int csv_next_record(const char *p, size_t len, size_t *pos, size_t *line,
                           csv_record *rec, parse_error *err)
{
    size_t i = *pos;
    size_t start_line = *line;
    cell_buf cell = {0};
    int quoted = 0, after_quote = 0;

    rec->ncells = 0;
    if (i >= len) {
        return 0;
    }
    for (;;) {
        int at_end = i >= len;
        char c = at_end ? '\n' : p[i];
        if (quoted) {
            if (at_end) {
                set_error(err, start_line, "a quoted cell is not closed");
                free(cell.s);
                return -1;
            }
            if (c == '"') {
                if (i + 1 < len && p[i + 1] == '"') {
                    cell_put(&cell, '"');
                    i += 2;
                    continue;
                }
                quoted = 0;
                after_quote = 1;
                i++;
                continue;
            }
            if (c == '\n') {
                (*line)++;
            }
            if (cell_put(&cell, c) != 0) {
                free(cell.s);
                return -1;
            }
            i++;
            continue;
        }
        if (c == ',' || c == '\n' || (c == '\r' && i + 1 < len && p[i + 1] == '\n') ||
            (c == '\r' && i + 1 == len)) {
            if (rec->ncells == CSV_MAX_COLUMNS) {
                set_error(err, *line, "too many columns");
                free(cell.s);
                return -1;
            }
            rec->cells[rec->ncells++] = cell.s ? cell.s : strdup("");
            cell = (cell_buf){0};
            after_quote = 0;
            if (c == ',') {
                i++;
                continue;
            }
            i += c == '\r' ? 2 : 1;
            if (!at_end) {
                (*line)++;
            }
            *pos = at_end ? len : i;
            return 1;
        }
        if (after_quote) {
            set_error(err, *line, "text after a closing quote");
            free(cell.s);
            return -1;
        }
        if (c == '"') {
            if (cell.len > 0) {
                set_error(err, *line, "a quote inside an unquoted cell");
                free(cell.s);
                return -1;
            }
            quoted = 1;
            i++;
            continue;
        }
        if (c == '\0') {
            set_error(err, *line, "a NUL byte");
            free(cell.s);
            return -1;
        }
        if (cell_put(&cell, c) != 0) {
            free(cell.s);
            return -1;
        }
        i++;
    }
}

static const field_spec *spec_named(const field_spec *fields, const char *name)
{
    for (const field_spec *f = fields; f && f->name; f++) {
        if (strcmp(f->name, name) == 0) {
            return f;
        }
    }
    return NULL;
}

/* A strict JSON-like number: what strtod accepts, finite, with nothing after it. */
static json_t *cell_number(const char *s, int integer)
{
    char *end = NULL;
    if (*s == '\0' || isspace((unsigned char)*s)) {
        return NULL;
    }
    errno = 0;
    if (integer && strpbrk(s, ".eE") == NULL) {
        long long v = strtoll(s, &end, 10);
        return errno == 0 && *end == '\0' ? json_integer(v) : NULL;
    }
    double d = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(d) || strpbrk(s, "xXnNiI") != NULL) {
        return NULL;
    }
    return json_real(d);
}

/* The JSON value of @p cell for field @p f (NULL spec: text). New reference. */
static json_t *cell_value(const field_spec *f, const char *cell)
{
    json_t *j = NULL;
    if (f != NULL && (f->kind == FIELD_NUMBER || f->kind == FIELD_INTEGER)) {
        j = cell_number(cell, f->kind == FIELD_INTEGER);
    } else if (f != NULL && (f->kind == FIELD_STRINGS || f->kind == FIELD_ENUMS)) {
        char *copy = strdup(cell), *save = NULL;
        j = json_array();
        for (char *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
            while (*t == ' ') {
                t++;
            }
            size_t n = strlen(t);
            while (n > 0 && t[n - 1] == ' ') {
                t[--n] = '\0';
            }
            if (n > 0) {
                json_array_append_new(j, json_string(t));
            }
        }
        free(copy);
        return j;
    }
    return j ? j : json_string(cell);
}

/* Puts column @p name = @p cell into @p j_row, gathering <object>_<member> columns. */
static int row_put(json_t *j_row, const field_spec *fields, const char *name, const char *cell)
{
    const field_spec *f = spec_named(fields, name);
    json_t *j_value;

    if (f == NULL) {
        for (const field_spec *o = fields; o && o->name; o++) {
            size_t n = strlen(o->name);
            if (o->kind == FIELD_OBJECT && strncmp(name, o->name, n) == 0 && name[n] == '_') {
                const field_spec *m = spec_named(o->members, name + n + 1);
                json_t *j_obj = json_object_get(j_row, o->name);
                if (j_obj == NULL) {
                    j_obj = json_object();
                    json_object_set_new(j_row, o->name, j_obj);
                }
                j_value = cell_value(m, cell);
                return j_value ? json_object_set_new(j_obj, name + n + 1, j_value) : -1;
            }
        }
    }
    j_value = cell_value(f, cell);
    return j_value ? json_object_set_new(j_row, name, j_value) : -1;
}

/* Appends @p line to the growing array of row start lines. */
static int lines_push(size_t **lines, size_t *n, size_t *cap, size_t line)
{
    if (*n == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 256;
        size_t *grown = realloc(*lines, grown_cap * sizeof *grown);
        if (grown == NULL) {
            return -1;
        }
        *lines = grown;
        *cap = grown_cap;
    }
    (*lines)[(*n)++] = line;
    return 0;
}

static int valid_utf8(const char *s, size_t len)
{
    json_t *j = json_stringn(s, len);
    int ok = j != NULL;
    json_decref(j);
    return ok;
}

int csv_to_rows(const char *body, size_t len, const field_spec *fields, size_t max_rows,
                json_t **rows_out, size_t **lines_out, parse_error *err)
{
    csv_record header = {0}, rec = {0};
    size_t pos = 0, line = 1, cap = 0, n = 0;
    size_t *lines = NULL;
    json_t *j_rows = NULL;
    int rc;

    *rows_out = NULL;
    *lines_out = NULL;
    if (!valid_utf8(body, len)) {
        set_error(err, 1, "the body is not valid UTF-8 text");
        return -1;
    }
    if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) {
        pos = 3; /* a spreadsheet's byte order mark */
    }
    rc = csv_next_record(body, len, &pos, &line, &header, err);
    if (rc <= 0) {
        record_clear(&header); /* the cells read before a malformed one */
        if (rc == 0) {
            set_error(err, 1, "the body has no header row");
        }
        return -1;
    }
    for (int i = 0; i < header.ncells; i++) {
        for (int k = 0; k < i; k++) {
            if (strcmp(header.cells[i], header.cells[k]) == 0 || header.cells[i][0] == '\0') {
                set_error(err, 1, "the header row repeats a column or has an empty one");
                record_clear(&header);
                return -1;
            }
        }
    }
    j_rows = json_array();
    for (;;) {
        size_t row_line = line;
        rc = csv_next_record(body, len, &pos, &line, &rec, err);
        if (rc == 0) {
            break;
        }
        if (rc < 0) {
            goto fail;
        }
        if (rec.ncells == 1 && rec.cells[0][0] == '\0') {
            record_clear(&rec);
            continue; /* blank line */
        }
        if (row_over_limit(n, max_rows, row_line, err)) {
            goto fail;
        }
        if (rec.ncells != header.ncells) {
            char message[96];
            snprintf(message, sizeof message, "has %d cells where the header has %d", rec.ncells,
                     header.ncells);
            set_error(err, row_line, message);
            goto fail;
        }
        json_t *j_row = json_object();
        for (int i = 0; i < rec.ncells; i++) {
            if (rec.cells[i][0] != '\0' && row_put(j_row, fields, header.cells[i], rec.cells[i]) != 0) {
                json_decref(j_row);
                set_error(err, row_line, "a cell could not be read");
                goto fail;
            }
        }
        json_array_append_new(j_rows, j_row);
        if (lines_push(&lines, &n, &cap, row_line) != 0) {
            goto fail;
        }
        record_clear(&rec);
    }
    record_clear(&header);
    *rows_out = j_rows;
    *lines_out = lines;
    return 0;
fail:
    record_clear(&rec);
    record_clear(&header);
    json_decref(j_rows);
    free(lines);
    return -1;
}

int ndjson_to_rows(const char *body, size_t len, size_t max_rows, json_t **rows_out,
                   size_t **lines_out, parse_error *err)
{
    json_t *j_rows = json_array();
    size_t *lines = NULL, cap = 0, n = 0, line = 0, pos = 0;

    *rows_out = NULL;
    *lines_out = NULL;
    while (pos < len) {
        const char *start = body + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t span = nl ? (size_t)(nl - start) : len - pos;
        json_error_t jerr;
        line++;
        pos += span + (nl != NULL);
        size_t k = 0;
        while (k < span && isspace((unsigned char)start[k])) {
            k++;
        }
        if (k == span) {
            continue;
        }
        if (row_over_limit(n, max_rows, line, err)) {
            goto fail;
        }
        json_t *j_row = json_loadb(start, span, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(j_row)) {
            set_error(err, line, j_row ? "is not a JSON object" : "is not valid JSON");
            json_decref(j_row);
            goto fail;
        }
        json_array_append_new(j_rows, j_row);
        if (lines_push(&lines, &n, &cap, line) != 0) {
            goto fail;
        }
    }
    *rows_out = j_rows;
    *lines_out = lines;
    return 0;
fail:
    json_decref(j_rows);
    free(lines);
    return -1;
}
