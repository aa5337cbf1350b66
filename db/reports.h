/* Reports: one SQL function each (db/migrations/003_reports.sql), rendered as JSON by
 * PostgreSQL. */
#ifndef DB_REPORTS_H
#define DB_REPORTS_H

#include "db/pool.h"
#include "db/stream.h"

typedef enum {
    REPORT_OBJECTIVES_SUMMARY,
    REPORT_PLANS_SUMMARY,
    REPORT_RISK_MATRIX,
    REPORT_REVIEWS_SUMMARY,
    REPORT_COMPLIANCE,
    REPORT_TRACEABILITY,
    REPORT_OVERDUE,
    REPORT_REGISTER,
} report_kind;

/* Report parameters as validated text; NULL: not given. */
typedef struct report_params {
    const char *as_of;            /* YYYY-MM-DD, required */
    const char *function;
    const char *levels;           /* comma-separated */
    const char *owner;
    const char *statuses;         /* comma-separated */
    const char *window_days;      /* review_window_days */
} report_params;

/** Runs report @p kind; @p json_out is malloc'd JSON text. */
int db_report(db_conn *conn, report_kind kind, const report_params *p, char **json_out);

/** Opens the register's rows for streaming (columns in register order, all as text). */
int db_register_stream(db_pool *pool, const report_params *p, db_row_stream **out);

/** GET /v1/objectives/{id}/progress as JSON text (malloc'd); SVC_ENOTFOUND if none. */
int db_objective_progress(db_conn *conn, const char *id, char **json_out);

#endif
