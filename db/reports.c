#include "db/reports.h"

#include <stdlib.h>
#include <string.h>

#include "db/sql.h"
#include "service/rc.h"

/* Every report takes the same parameters; those that ignore some still receive them, so
 * one statement shape serves all. */
static const char *const report_sql[] = {
    [REPORT_OBJECTIVES_SUMMARY] = "SELECT report_objectives_summary($1::date, $2, "
                                  "string_to_array($3, ','), $4, string_to_array($5, ','))::text",
    [REPORT_PLANS_SUMMARY] = "SELECT report_plans_summary($1::date, $2, "
                             "string_to_array($3, ','), $4, string_to_array($5, ','))::text",
    [REPORT_RISK_MATRIX] = "SELECT report_risk_matrix($1::date)::text",
    [REPORT_REVIEWS_SUMMARY] = "SELECT report_reviews_summary($1::date, $6::integer, $2, "
                               "string_to_array($3, ','), $4, string_to_array($5, ','))::text",
    [REPORT_COMPLIANCE] = "SELECT report_compliance($1::date, $6::integer, $2, "
                          "string_to_array($3, ','), $4, string_to_array($5, ','))::text",
    [REPORT_TRACEABILITY] = "SELECT report_traceability($1::date, $2, "
                            "string_to_array($3, ','), $4, string_to_array($5, ','))::text",
    [REPORT_OVERDUE] = "SELECT report_overdue($1::date, $2, string_to_array($3, ','), $4, "
                       "string_to_array($5, ','))::text",
    [REPORT_REGISTER] = "SELECT report_register($1::date, $2, string_to_array($3, ','), $4, "
                        "string_to_array($5, ','))::text",
};

/* Parameter count per report: $6 only where the SQL names it. */
static int report_nparams(report_kind kind)
{
    switch (kind) {
    case REPORT_RISK_MATRIX:
        return 1;
    case REPORT_REVIEWS_SUMMARY:
    case REPORT_COMPLIANCE:
        return 6;
    default:
        return 5;
    }
}

int db_report(db_conn *conn, report_kind kind, const report_params *p, char **json_out)
{
    const char *params[] = {p->as_of, p->function, p->levels, p->owner, p->statuses,
                            p->window_days ? p->window_days : "365"};
    PGresult *res = NULL;
    int rc = db_exec(conn, report_sql[kind], report_nparams(kind), params, &res);
    if (rc == SVC_OK) {
        *json_out = strdup(PQgetvalue(res, 0, 0));
        rc = *json_out ? SVC_OK : SVC_EINTERNAL;
    }
    PQclear(res);
    return rc;
}

int db_register_stream(db_pool *pool, const report_params *p, db_row_stream **out)
{
    const char *params[] = {p->as_of, p->function, p->levels, p->owner, p->statuses};
    return db_stream_open(pool,
                          "SELECT id, ref, title, level, function, owner, status, metric, unit,"
                          " baseline, target, current_value, due_date, progress_pct, health,"
                          " last_reviewed_on"
                          " FROM register_rows($1::date, $2, string_to_array($3, ','), $4,"
                          " string_to_array($5, ','))",
                          5, params, out);
}

int db_objective_progress(db_conn *conn, const char *id, char **json_out)
{
    const char *params[] = {id};
    PGresult *res = NULL;
    int rc = db_exec(conn, "SELECT objective_progress_doc($1::uuid)::text", 1, params, &res);
    if (rc == SVC_OK) {
        if (PQgetisnull(res, 0, 0)) {
            rc = SVC_ENOTFOUND;
        } else {
            *json_out = strdup(PQgetvalue(res, 0, 0));
            rc = *json_out ? SVC_OK : SVC_EINTERNAL;
        }
    }
    PQclear(res);
    return rc;
}
