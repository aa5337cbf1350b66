/* One Check suite per module under test; main.c runs them all in one SRunner. */
#ifndef TESTS_UNIT_SUITES_H
#define TESTS_UNIT_SUITES_H

#include <check.h>

/* Per-test time limit in seconds (valgrind runs are slow; the default is 4 s). */
#define UNIT_TIMEOUT 30

Suite *suite_parse(void);
Suite *suite_validate(void);
Suite *suite_config(void);
Suite *suite_auth(void);
Suite *suite_problem_rc(void);
Suite *suite_fuzz_regressions(void);
Suite *suite_copy_text(void);

#endif
