/* Unit tests for api/copy_text.c: flat JSON documents rendered as COPY text rows. What
 * PostgreSQL makes of them is tested end to end by the import suite. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/copy_text.h"
#include "suites.h"

/* Renders @p doc_text's @p columns after the lead field "L"; returns the row (malloc'd). */
static char *row_of(const char *doc_text, const char *const *columns, size_t n)
{
    json_t *j_doc = json_loads(doc_text, 0, NULL);
    const char *lead[] = {"L"};
    copy_text t;
    char *out;

    ck_assert_ptr_nonnull(j_doc);
    copy_text_init(&t);
    copy_text_row(&t, lead, 1, j_doc, columns, n);
    ck_assert_int_eq(t.failed, 0);
    out = strndup(t.data, t.len);
    copy_text_clear(&t);
    json_decref(j_doc);
    return out;
}

START_TEST(test_copy_text_scalars)
{
    static const char *const cols[] = {"s", "i", "r", "t", "f", "n", "absent"};
    char *row = row_of("{\"s\": \"plain\", \"i\": -42, \"r\": 0.1, \"t\": true, \"f\": false,"
                       " \"n\": null}",
                       cols, 7);
    ck_assert_str_eq(row, "L\tplain\t-42\t0.10000000000000001\tt\tf\t\\N\t\\N\n");
    free(row);
}
END_TEST

START_TEST(test_copy_text_escapes_delimiters)
{
    static const char *const cols[] = {"s"};
    char *row = row_of("{\"s\": \"a\\tb\\nc\\rd\\\\e \\\\N\"}", cols, 1);
    /* Tab, newline, CR and backslash escaped; a literal "\N" text is not NULL. */
    ck_assert_str_eq(row, "L\ta\\tb\\nc\\rd\\\\e \\\\N\n");
    free(row);
}
END_TEST

START_TEST(test_copy_text_arrays)
{
    static const char *const cols[] = {"a", "e", "q"};
    char *row = row_of("{\"a\": [\"x\", \"y,z\"], \"e\": [], \"q\": [\"say \\\"hi\\\"\", \"b\\\\s\","
                       " \"NULL\", null]}",
                       cols, 3);
    /* Elements quoted (so "NULL" stays text and commas stay inside), quotes and
     * backslashes escaped for the literal, then backslashes doubled for COPY. */
    ck_assert_str_eq(row, "L\t{\"x\",\"y,z\"}\t{}\t{\"say \\\\\"hi\\\\\"\",\"b\\\\\\\\s\",\"NULL\",NULL}\n");
    free(row);
}
END_TEST

START_TEST(test_copy_text_objects_and_rows)
{
    static const char *const cols[] = {"o"};
    json_t *j_doc = json_pack("{s{si}}", "o", "k", 1);
    const char *lead[] = {"f", "id-1"};
    copy_text t;

    copy_text_init(&t);
    copy_text_row(&t, lead, 2, j_doc, cols, 1);
    copy_text_row(&t, lead, 2, j_doc, cols, 1);
    ck_assert_int_eq(t.failed, 0);
    ck_assert_uint_eq(t.len, 2 * strlen("f\tid-1\t{\"k\":1}\n"));
    ck_assert_int_eq(memcmp(t.data, "f\tid-1\t{\"k\":1}\nf\tid-1\t{\"k\":1}\n", t.len), 0);
    copy_text_clear(&t);
    json_decref(j_doc);
}
END_TEST

Suite *suite_copy_text(void)
{
    Suite *s = suite_create("copy_text");
    TCase *tc = tcase_create("rows");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_copy_text_scalars);
    tcase_add_test(tc, test_copy_text_escapes_delimiters);
    tcase_add_test(tc, test_copy_text_arrays);
    tcase_add_test(tc, test_copy_text_objects_and_rows);
    suite_add_tcase(s, tc);
    return s;
}
