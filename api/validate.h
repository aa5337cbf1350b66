/* Table-driven validation of resource documents. A resource lists its writable fields
 * as field_spec rows; validate_doc checks a document against them, collects every
 * field error as {field, code, message}, and produces the flat document the db layer
 * stores (keys are column names; nested objects are flattened as <name>_<member>). */
#ifndef API_VALIDATE_H
#define API_VALIDATE_H

#include <jansson.h>

typedef enum {
    FIELD_TEXT,     /* string up to max_len characters (default 10,000) */
    FIELD_REF,      /* the resource's ref (section 3.8); null on create: server-assigned */
    FIELD_ENUM,     /* one of values */
    FIELD_DATE,     /* YYYY-MM-DD */
    FIELD_NUMBER,   /* any finite JSON number, optionally bounded */
    FIELD_INTEGER,  /* a JSON integer, optionally bounded */
    FIELD_UUID,     /* a reference by id */
    FIELD_STRINGS,  /* array of ≤ 100 strings of ≤ 200 characters */
    FIELD_ENUMS,    /* array of distinct values */
    FIELD_OBJECT,   /* nested object described by members, or null */
    FIELD_CURRENCY, /* an ISO 4217 code */
} field_kind;

enum {
    FIELD_REQUIRED = 1u << 0,  /* must be present (and not null) */
    FIELD_MIN = 1u << 1,       /* min applies */
    FIELD_MAX = 1u << 2,       /* max applies */
    FIELD_NONEMPTY = 1u << 3,  /* strings: at least one character */
};

typedef struct field_spec {
    const char *name;
    field_kind kind;
    unsigned flags;
    const char *const *values;        /* FIELD_ENUM / FIELD_ENUMS, NULL-terminated */
    const char *default_value;        /* FIELD_ENUM: used when absent or null */
    double min, max;                  /* with FIELD_MIN / FIELD_MAX */
    size_t max_len;                   /* FIELD_TEXT; 0 = 10,000 */
    const struct field_spec *members; /* FIELD_OBJECT, terminated by {0} */
} field_spec;

typedef enum { VALIDATE_CREATE, VALIDATE_UPDATE } validate_mode;

/**
 * Validates @p j_doc (borrowed) against @p fields. Keys named in @p ignored (read-only
 * fields sent back) are skipped; any other unknown key is an error.
 * @param j_errors array the errors are appended to (borrowed)
 * @return new reference: the flat document (even when errors were found)
 */
json_t *validate_doc(const json_t *j_doc, const field_spec *fields, const char *const *ignored,
                     validate_mode mode, json_t *j_errors);

/** Index of @p value in NULL-terminated @p values, or -1. */
int enum_index(const char *const *values, const char *value);

/** Whether @p csv is a non-empty comma-separated list of values from @p values. */
int enum_csv_valid(const char *const *values, const char *csv);

/** Writes "a, b, c" into @p out. */
void enum_list(const char *const *values, char *out, size_t cap);

#endif
