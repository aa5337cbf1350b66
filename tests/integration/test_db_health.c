/* The one definition of progress, elapsed time, health (DESIGN section 4) and risk rating
 * lives in SQL functions (db/migrations), used by documents and reports alike. These
 * tests call them directly on the edge cases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "integration/suites.h"
#include "support/check_helpers.h"

/* Runs a one-value query; returns its text, or "NULL" (static buffer). */
static const char *scalar(const char *sql)
{
    static char out[256];
    PGconn *c = PQconnectdb(harness_database_url());
    ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
    PGresult *res = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
    snprintf(out, sizeof out, "%s", PQgetisnull(res, 0, 0) ? "NULL" : PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(c);
    return out;
}

/* health(status, direction, baseline, target, tolerance, value, start, due, reviewed,
 *        review_health, today) */
static const char *health(const char *args)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT objective_health(%s)", args);
    return scalar(sql);
}

START_TEST(test_health_status_overrides)
{
    ck_assert_str_eq(health("'cancelled','increase',0,10,NULL,10,'2026-01-01','2026-12-31',"
                            "false,NULL,'2026-06-01'"),
                     "NULL");
    ck_assert_str_eq(health("'achieved',NULL,NULL,NULL,NULL,NULL,NULL,NULL,false,NULL,'2026-06-01'"),
                     "achieved");
    ck_assert_str_eq(health("'not_achieved','increase',0,10,NULL,10,NULL,NULL,false,NULL,"
                            "'2026-06-01'"),
                     "not_achieved");
}
END_TEST

START_TEST(test_health_target_met)
{
    /* increase: v >= target; decrease: v <= target; even past due. */
    ck_assert_str_eq(health("'active','increase',0,10,NULL,10,'2026-01-01','2026-03-01',"
                            "false,NULL,'2026-06-01'"),
                     "achieved");
    ck_assert_str_eq(health("'active','decrease',20,5,NULL,4.9,NULL,NULL,false,NULL,'2026-06-01'"),
                     "achieved");
    /* maintain: within tolerance is on_track until the due date, achieved after it. */
    ck_assert_str_eq(health("'active','maintain',99,99.9,0.05,99.86,'2026-01-01','2026-12-31',"
                            "false,NULL,'2026-06-01'"),
                     "on_track");
    ck_assert_str_eq(health("'active','maintain',99,99.9,0.05,99.86,'2026-01-01','2026-12-31',"
                            "false,NULL,'2026-12-31'"),
                     "on_track");
    ck_assert_str_eq(health("'active','maintain',99,99.9,0.05,99.86,'2026-01-01','2026-12-31',"
                            "false,NULL,'2027-01-01'"),
                     "achieved");
    ck_assert_str_eq(health("'active','maintain',99,99.9,0.05,99.86,NULL,NULL,false,NULL,"
                            "'2027-01-01'"),
                     "on_track");
}
END_TEST

START_TEST(test_health_overdue_and_no_data)
{
    ck_assert_str_eq(health("'active','increase',0,10,NULL,5,'2026-01-01','2026-05-31',"
                            "false,NULL,'2026-06-01'"),
                     "overdue");
    /* On the due date itself it is not overdue yet. */
    ck_assert_str_eq(health("'active','increase',0,10,NULL,NULL,'2026-01-01','2026-06-01',"
                            "false,NULL,'2026-06-01'"),
                     "no_data");
    /* Overdue comes before no_data. */
    ck_assert_str_eq(health("'draft','increase',0,10,NULL,NULL,NULL,'2026-05-01',false,NULL,"
                            "'2026-06-01'"),
                     "overdue");
    /* Qualitative: no held review item → no_data; else the item's assessment. */
    ck_assert_str_eq(health("'active',NULL,NULL,NULL,NULL,NULL,NULL,NULL,false,NULL,'2026-06-01'"),
                     "no_data");
    ck_assert_str_eq(health("'active',NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-31',true,"
                            "'at_risk','2026-06-01'"),
                     "at_risk");
    ck_assert_str_eq(health("'active',NULL,NULL,NULL,NULL,NULL,NULL,NULL,true,NULL,'2026-06-01'"),
                     "no_data");
}
END_TEST

/* Health of an increase objective started 2026-01-01, due 2026-12-31 (364 days), on
 * 2026-07-02: exactly 50% of the time has passed. */
static const char *half_way_health(const char *value)
{
    char args[512];
    snprintf(args, sizeof args,
             "'active','increase',0,100,NULL,%s,'2026-01-01','2026-12-31',false,NULL,'2026-07-02'",
             value);
    return health(args);
}

START_TEST(test_health_progress_against_elapsed)
{
    ck_assert_str_eq(scalar("SELECT objective_elapsed('2026-01-01','2026-12-31','2026-07-02')"),
                     "50");
    ck_assert_str_eq(half_way_health("40"), "on_track");  /* 40 >= 50 - 10: inclusive */
    ck_assert_str_eq(half_way_health("39.9"), "at_risk");
    ck_assert_str_eq(half_way_health("25"), "at_risk");   /* 25 >= 50 - 25: inclusive */
    ck_assert_str_eq(half_way_health("24.9"), "off_track");
    /* No due date: on_track whatever the progress. */
    ck_assert_str_eq(health("'active','increase',0,100,NULL,1,'2026-01-01',NULL,false,NULL,"
                            "'2026-07-02'"),
                     "on_track");
    /* A decrease objective measures progress the same way. */
    ck_assert_str_eq(health("'active','decrease',100,0,NULL,55,'2026-01-01','2026-12-31',false,"
                            "NULL,'2026-07-02'"),
                     "on_track");
    ck_assert_str_eq(health("'active','decrease',100,0,NULL,80,'2026-01-01','2026-12-31',false,"
                            "NULL,'2026-07-02'"),
                     "off_track");
}
END_TEST

START_TEST(test_progress_edge_cases)
{
    ck_assert_str_eq(scalar("SELECT objective_progress('increase',0,10,NULL,5)"), "50");
    ck_assert_str_eq(scalar("SELECT objective_progress('increase',0,10,NULL,15)"), "100");
    ck_assert_str_eq(scalar("SELECT objective_progress('increase',0,10,NULL,-3)"), "0");
    ck_assert_str_eq(scalar("SELECT objective_progress('decrease',20,10,NULL,12.5)"), "75");
    ck_assert_str_eq(scalar("SELECT objective_progress('increase',5,5,NULL,5)"), "100");
    ck_assert_str_eq(scalar("SELECT objective_progress('increase',5,5,NULL,4)"), "0");
    ck_assert_str_eq(scalar("SELECT objective_progress('decrease',5,5,NULL,4)"), "100");
    ck_assert_str_eq(scalar("SELECT objective_progress('maintain',0,10,1,11)"), "100");
    ck_assert_str_eq(scalar("SELECT objective_progress('maintain',0,10,1,11.5)"), "0");
    ck_assert_str_eq(scalar("SELECT objective_progress('increase',0,10,NULL,NULL)"), "NULL");
    ck_assert_str_eq(scalar("SELECT objective_progress(NULL,NULL,NULL,NULL,3)"), "NULL");
}
END_TEST

START_TEST(test_elapsed_edge_cases)
{
    ck_assert_str_eq(scalar("SELECT objective_elapsed('2026-01-01',NULL,'2026-06-01')"), "NULL");
    ck_assert_str_eq(scalar("SELECT objective_elapsed('2026-01-01','2026-01-11','2025-12-01')"),
                     "0");
    ck_assert_str_eq(scalar("SELECT objective_elapsed('2026-01-01','2026-01-11','2026-01-06')"),
                     "50");
    ck_assert_str_eq(scalar("SELECT objective_elapsed('2026-01-01','2026-01-11','2027-01-01')"),
                     "100");
    /* Start equal to (or after) due: all elapsed from the due date on. */
    ck_assert_str_eq(scalar("SELECT objective_elapsed('2026-01-01','2026-01-01','2025-12-31')"),
                     "0");
    ck_assert_str_eq(scalar("SELECT objective_elapsed('2026-01-01','2026-01-01','2026-01-01')"),
                     "100");
}
END_TEST

START_TEST(test_risk_rating_boundaries)
{
    const struct {
        int score;
        const char *rating;
    } cases[] = {{1, "low"},     {4, "low"},       {5, "medium"},     {9, "medium"},
                 {10, "high"},   {16, "high"},     {20, "critical"},  {25, "critical"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT risk_rating(%d)", cases[i].score);
        ck_assert_str_eq(scalar(sql), cases[i].rating);
    }
    ck_assert_str_eq(scalar("SELECT risk_rating(NULL)"), "NULL");
}
END_TEST

Suite *suite_db_health(void)
{
    Suite *s = suite_create("db_health");
    TCase *tc = tcase_create("health");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_health_status_overrides);
    tcase_add_test(tc, test_health_target_met);
    tcase_add_test(tc, test_health_overdue_and_no_data);
    tcase_add_test(tc, test_health_progress_against_elapsed);
    tcase_add_test(tc, test_progress_edge_cases);
    tcase_add_test(tc, test_elapsed_edge_cases);
    tcase_add_test(tc, test_risk_rating_boundaries);
    suite_add_tcase(s, tc);
    return s;
}
