/* Integration tests: the real service binary, over HTTP, against a real PostgreSQL. */
#include <stdio.h>
#include <stdlib.h>

#include "integration/suites.h"
#include "support/harness.h"

int main(void)
{
    SRunner *sr;
    int failed;

    if (harness_database_url() == NULL) {
        fprintf(stderr, "DATABASE_URL is not set: integration tests skipped\n");
        return 77;
    }
    if (harness_start() != 0) {
        return 1;
    }
    sr = srunner_create(suite_http_basics());
    srunner_add_suite(sr, suite_http_auth());
    srunner_add_suite(sr, suite_http_objectives());
    srunner_add_suite(sr, suite_http_objectives_list());
    srunner_add_suite(sr, suite_http_audit());
    srunner_add_suite(sr, suite_http_measurements());
    srunner_add_suite(sr, suite_http_plans());
    srunner_add_suite(sr, suite_http_risks());
    srunner_add_suite(sr, suite_http_reviews());
    srunner_add_suite(sr, suite_http_computed());
    srunner_add_suite(sr, suite_process());
    srunner_add_suite(sr, suite_http_reports());
    srunner_add_suite(sr, suite_db_health());
    srunner_add_suite(sr, suite_http_import());
    srunner_add_suite(sr, suite_docs());
    srunner_add_suite(sr, suite_http_hostile());
    srunner_add_suite(sr, suite_two_instances());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    /* A sanitizer report at exit makes the service exit non-zero: that fails the suite. */
    int service_rc = harness_finish();
    return failed == 0 && service_rc == 0 ? 0 : 1;
}
