#ifndef TEST_SUITES_H
#define TEST_SUITES_H

#include <check.h>

Suite *suite_http_basics(void);
Suite *suite_http_auth(void);
Suite *suite_http_objectives(void);
Suite *suite_http_objectives_list(void);
Suite *suite_http_audit(void);
Suite *suite_http_measurements(void);
Suite *suite_http_plans(void);
Suite *suite_http_risks(void);
Suite *suite_http_reviews(void);
Suite *suite_http_computed(void);
Suite *suite_process(void);
Suite *suite_docs(void);
Suite *suite_http_reports(void);
Suite *suite_db_health(void);
Suite *suite_http_import(void);
Suite *suite_http_hostile(void);
Suite *suite_two_instances(void);

#endif
