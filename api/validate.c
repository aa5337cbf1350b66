/* Field rules shared by every resource. Resource modules add only their cross-field
 * rules; everything about types, lengths, enums and unknown keys lives here. */
#include "api/validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/parse.h"
#include "service/problem.h"

#define TEXT_MAX_DEFAULT 10000
#define ARRAY_MAX_ITEMS 100
#define ARRAY_ITEM_MAX_LEN 200

/* ISO 4217 codes in use (including funds and precious-metal codes). */
static const char *const currency_codes[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR",
    "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW",
    "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA",
    "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG",
    "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
    "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED",
    "VES", "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG",
    "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XTS", "XUA", "XXX", "YER", "ZAR", "ZMW", "ZWG",
    "ZWL", NULL};

int enum_index(const char *const *values, const char *value)
{
    for (int i = 0; values[i] != NULL; i++) {
        if (strcmp(values[i], value) == 0) {
            return i;
        }
    }
    return -1;
}

int enum_csv_valid(const char *const *values, const char *csv)
{
    char *copy = strdup(csv), *save = NULL;
    int ok = copy != NULL && csv[0] != '\0' && csv[strlen(csv) - 1] != ',';
    for (char *t = ok ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save)) {
        ok &= enum_index(values, t) >= 0;
    }
    free(copy);
    return ok;
}

void enum_list(const char *const *values, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; values[i] != NULL && len < cap; i++) {
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? ", " : "", values[i]);
    }
}

static const char *kind_name(field_kind kind)
{
    switch (kind) {
    case FIELD_NUMBER:
        return "a number";
    case FIELD_INTEGER:
        return "an integer";
    case FIELD_STRINGS:
    case FIELD_ENUMS:
        return "an array of strings";
    case FIELD_OBJECT:
        return "an object";
    default:
        return "a string";
    }
}

static int check_text(const field_spec *f, const char *s, const char *ptr, json_t *j_errors)
{
    size_t max = f->max_len ? f->max_len : TEXT_MAX_DEFAULT;
    size_t len = utf8_length(s);
    if (len > max) {
        errors_add(j_errors, ptr, "length", "must be at most %zu characters", max);
        return 0;
    }
    if ((f->flags & FIELD_NONEMPTY) && len == 0) {
        errors_add(j_errors, ptr, "length", "must not be empty");
        return 0;
    }
    return 1;
}

static int check_enum(const field_spec *f, const char *s, const char *ptr, json_t *j_errors)
{
    char allowed[512];
    if (enum_index(f->values, s) >= 0) {
        return 1;
    }
    enum_list(f->values, allowed, sizeof allowed);
    errors_add(j_errors, ptr, "enum", "must be one of: %s", allowed);
    return 0;
}

static int check_bounds(const field_spec *f, double v, const char *ptr, json_t *j_errors)
{
    if ((f->flags & FIELD_MIN) && v < f->min) {
        errors_add(j_errors, ptr, "range", "must be at least %g", f->min);
        return 0;
    }
    if ((f->flags & FIELD_MAX) && v > f->max) {
        errors_add(j_errors, ptr, "range", "must be at most %g", f->max);
        return 0;
    }
    return 1;
}

static int check_array(const field_spec *f, const json_t *j_value, const char *ptr,
                       json_t *j_errors)
{
    size_t i;
    const json_t *j_item;
    int ok = 1;

    if (json_array_size(j_value) > ARRAY_MAX_ITEMS) {
        errors_add(j_errors, ptr, "length", "must have at most %d items", ARRAY_MAX_ITEMS);
        return 0;
    }
    json_array_foreach(j_value, i, j_item)
    {
        char item_ptr[600];
        snprintf(item_ptr, sizeof item_ptr, "%s/%zu", ptr, i);
        if (!json_is_string(j_item)) {
            errors_add(j_errors, item_ptr, "type", "must be a string");
            ok = 0;
        } else if (f->kind == FIELD_ENUMS) {
            ok &= check_enum(f, json_string_value(j_item), item_ptr, j_errors);
            for (size_t k = 0; k < i; k++) {
                if (json_equal(json_array_get(j_value, k), (json_t *)j_item)) {
                    errors_add(j_errors, item_ptr, "range", "repeats an earlier item");
                    ok = 0;
                    break;
                }
            }
        } else if (utf8_length(json_string_value(j_item)) > ARRAY_ITEM_MAX_LEN) {
            errors_add(j_errors, item_ptr, "length", "must be at most %d characters",
                       ARRAY_ITEM_MAX_LEN);
            ok = 0;
        }
    }
    return ok;
}

static int type_matches(field_kind kind, const json_t *j_value)
{
    switch (kind) {
    case FIELD_NUMBER:
        return json_is_number(j_value);
    case FIELD_INTEGER:
        return json_is_integer(j_value);
    case FIELD_STRINGS:
    case FIELD_ENUMS:
        return json_is_array(j_value);
    case FIELD_OBJECT:
        return json_is_object(j_value);
    default:
        return json_is_string(j_value);
    }
}

static void flatten_into(json_t *j_flat, const char *prefix, const field_spec *members,
                         const json_t *j_member_flat);

/* Checks one present, non-null value. Returns a new reference to its stored form, or NULL
 * when invalid (the error is already recorded). */
static json_t *check_value(const field_spec *f, const json_t *j_value, const char *ptr,
                           const char *const *ignored, validate_mode mode, json_t *j_errors)
{
    const char *s = json_is_string(j_value) ? json_string_value(j_value) : NULL;
    char uuid[37];

    if (!type_matches(f->kind, j_value)) {
        errors_add(j_errors, ptr, "type", "must be %s", kind_name(f->kind));
        return NULL;
    }
    switch (f->kind) {
    case FIELD_TEXT:
        return check_text(f, s, ptr, j_errors) ? json_incref((json_t *)j_value) : NULL;
    case FIELD_REF: {
        const char *problem = ref_problem(s);
        if (problem != NULL) {
            errors_add(j_errors, ptr, problem,
                       "must be 1-64 characters of A-Z a-z 0-9 . _ -");
            return NULL;
        }
        return json_incref((json_t *)j_value);
    }
    case FIELD_ENUM:
        return check_enum(f, s, ptr, j_errors) ? json_incref((json_t *)j_value) : NULL;
    case FIELD_DATE:
        if (!parse_date(s)) {
            errors_add(j_errors, ptr, "format", "must be a date YYYY-MM-DD");
            return NULL;
        }
        return json_incref((json_t *)j_value);
    case FIELD_NUMBER:
        if (!isfinite(json_number_value(j_value))) {
            errors_add(j_errors, ptr, "type", "must be a finite number");
            return NULL;
        }
        return check_bounds(f, json_number_value(j_value), ptr, j_errors)
                   ? json_real(json_number_value(j_value))
                   : NULL;
    case FIELD_INTEGER:
        return check_bounds(f, (double)json_integer_value(j_value), ptr, j_errors)
                   ? json_incref((json_t *)j_value)
                   : NULL;
    case FIELD_CURRENCY:
        if (enum_index(currency_codes, s) < 0) {
            errors_add(j_errors, ptr, "format", "must be an ISO 4217 currency code, e.g. EUR");
            return NULL;
        }
        return json_incref((json_t *)j_value);
    case FIELD_UUID:
        if (!parse_uuid(s, uuid)) {
            errors_add(j_errors, ptr, "format", "must be a UUID");
            return NULL;
        }
        return json_string(uuid);
    case FIELD_STRINGS:
    case FIELD_ENUMS:
        return check_array(f, j_value, ptr, j_errors) ? json_incref((json_t *)j_value) : NULL;
    case FIELD_OBJECT: {
        size_t before = json_array_size(j_errors);
        json_t *j_sub = validate_doc(j_value, f->members, NULL, mode, j_errors);
        /* Member pointers were written relative to the object: prefix them. */
        for (size_t i = before; i < json_array_size(j_errors); i++) {
            json_t *j_err = json_array_get(j_errors, i);
            char full[1024];
            snprintf(full, sizeof full, "%s%s", ptr,
                     json_string_value(json_object_get(j_err, "field")));
            json_object_set_new(j_err, "field", json_string(full));
        }
        if (json_array_size(j_errors) > before) {
            json_decref(j_sub);
            return NULL;
        }
        return j_sub;
    }
    }
    return NULL;
}

/* The stored form of an absent or null field. */
static json_t *absent_value(const field_spec *f)
{
    if (f->kind == FIELD_STRINGS || f->kind == FIELD_ENUMS) {
        return json_array();
    }
    if (f->kind == FIELD_ENUM && f->default_value != NULL) {
        return json_string(f->default_value);
    }
    return json_null();
}

static void flatten_into(json_t *j_flat, const char *prefix, const field_spec *members,
                         const json_t *j_member_flat)
{
    for (const field_spec *m = members; m->name != NULL; m++) {
        char column[128];
        json_t *j_v = j_member_flat ? json_object_get(j_member_flat, m->name) : NULL;
        snprintf(column, sizeof column, "%s_%s", prefix, m->name);
        json_object_set_new(j_flat, column, j_v ? json_incref(j_v) : json_null());
    }
}

static int is_ignored(const char *const *ignored, const char *key)
{
    return ignored != NULL && enum_index(ignored, key) >= 0;
}

static const field_spec *spec_find(const field_spec *fields, const char *key)
{
    for (const field_spec *f = fields; f->name != NULL; f++) {
        if (strcmp(f->name, key) == 0) {
            return f;
        }
    }
    return NULL;
}

json_t *validate_doc(const json_t *j_doc, const field_spec *fields, const char *const *ignored,
                     validate_mode mode, json_t *j_errors)
{
    json_t *j_flat = json_object();
    const char *key;
    json_t *j_value;

    json_object_foreach((json_t *)j_doc, key, j_value)
    {
        if (spec_find(fields, key) == NULL && !is_ignored(ignored, key)) {
            char ptr[600] = "";
            pointer_append(ptr, sizeof ptr, key);
            errors_add(j_errors, ptr, "unknown_field", "is not a field of this resource");
        }
    }
    for (const field_spec *f = fields; f->name != NULL; f++) {
        char ptr[600] = "";
        const json_t *j_in = json_object_get(j_doc, f->name);
        json_t *j_stored = NULL;

        pointer_append(ptr, sizeof ptr, f->name);
        if (j_in == NULL || json_is_null(j_in)) {
            int required = (f->flags & FIELD_REQUIRED) ||
                           (f->kind == FIELD_REF && mode == VALIDATE_UPDATE);
            if (required) {
                errors_add(j_errors, ptr, "required", "is required");
            }
            j_stored = f->kind == FIELD_OBJECT ? NULL : absent_value(f);
        } else {
            j_stored = check_value(f, j_in, ptr, ignored, mode, j_errors);
            if (j_stored == NULL && f->kind != FIELD_OBJECT) {
                j_stored = json_null();
            }
        }
        if (f->kind == FIELD_OBJECT) {
            flatten_into(j_flat, f->name, f->members, j_stored);
            json_decref(j_stored);
        } else {
            json_object_set_new(j_flat, f->name, j_stored);
        }
    }
    return j_flat;
}
