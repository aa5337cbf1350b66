#ifndef TEST_SUITES_H
#define TEST_SUITES_H

#include <check.h>

Suite *suite_http_basics(void);
Suite *suite_http_auth(void);
Suite *suite_http_objectives(void);
Suite *suite_http_objectives_list(void);
Suite *suite_http_audit(void);
Suite *suite_process(void);
Suite *suite_docs(void);

#endif
