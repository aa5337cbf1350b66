/* Assertions shared by the integration suites. */
#ifndef TEST_CHECK_HELPERS_H
#define TEST_CHECK_HELPERS_H

#include <check.h>
#include <string.h>

#include "support/harness.h"

#define ck_assert_status(r, want)                                                              \
    ck_assert_msg((r).status == (want), "expected HTTP %d, got %d: %.600s", (want), (r).status,  \
                  (r).body ? (r).body : "")

/* A problem+json reply with this status whose errors[] has @p field / @p code. */
#define ck_assert_problem(r, want_status, field, code)                                          \
    do {                                                                                       \
        char ct_[128];                                                                         \
        ck_assert_status(r, want_status);                                                      \
        ck_assert_ptr_nonnull(http_header(&(r), "Content-Type", ct_, sizeof ct_));            \
        ck_assert_str_eq(ct_, "application/problem+json");                                     \
        if ((field) != NULL) {                                                                 \
            ck_assert_msg(problem_has_error((r).json, (field), (code)),                        \
                          "no error %s/%s in %.800s", (const char *)(field),                   \
                          (const char *)(code), (r).body);                                     \
        }                                                                                      \
    } while (0)

static inline int problem_has_error(const json_t *j_problem, const char *field, const char *code)
{
    size_t i;
    const json_t *j_err;
    json_array_foreach(json_object_get(j_problem, "errors"), i, j_err)
    {
        const char *f = json_string_value(json_object_get(j_err, "field"));
        const char *c = json_string_value(json_object_get(j_err, "code"));
        if (f && c && strcmp(f, field) == 0 && strcmp(c, code) == 0) {
            return 1;
        }
    }
    return 0;
}

static inline const char *jstr(const json_t *j, const char *key)
{
    return json_string_value(json_object_get(j, key));
}

static inline long long jint(const json_t *j, const char *key)
{
    return json_integer_value(json_object_get(j, key));
}

#endif
