/* Runs every unit suite. No network, no database. Exit status 0 only when every test
 * passed, so CTest and CI can rely on it. CK_FORK=no runs the tests in-process (valgrind). */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    SRunner *sr = srunner_create(suite_parse());
    int failed;

    srunner_add_suite(sr, suite_validate());
    srunner_add_suite(sr, suite_config());
    srunner_add_suite(sr, suite_auth());
    srunner_add_suite(sr, suite_problem_rc());
    srunner_add_suite(sr, suite_fuzz_regressions());
    srunner_add_suite(sr, suite_copy_text());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
