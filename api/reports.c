/* Reports: parameters are checked here, the work is one SQL function per report
 * (set-based, in PostgreSQL). The register can also be read as CSV, streamed row by row
 * as the database produces it. */
#include "api/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/parse.h"
#include "api/validate.h"
#include "db/objectives.h"
#include "db/reports.h"
#include "service/problem.h"
#include "service/rc.h"

/* Parses the report parameters into @p p; @p as_of_buf holds the default date. */
static int report_params_or_problem(req_ctx *rc, int windowed, report_params *p,
                                    char as_of_buf[11])
{
    static const char *const plain[] = {"function", "level", "owner", "status", "as_of", NULL};
    static const char *const with_window[] = {"function", "level", "owner", "status",
                                              "as_of", "review_window_days", NULL};
    long days;

    memset(p, 0, sizeof *p);
    if (api_query_known_or_problem(rc, windowed ? with_window : plain) != 0) {
        return -1;
    }
    p->function = api_query(rc, "function");
    p->owner = api_query(rc, "owner");
    p->levels = api_query(rc, "level");
    p->statuses = api_query(rc, "status");
    p->as_of = api_query(rc, "as_of");
    p->window_days = windowed ? api_query(rc, "review_window_days") : NULL;
    if (p->levels != NULL && !enum_csv_valid(objective_levels, p->levels)) {
        api_bad_parameter(rc, "level", "enum",
                          "must be a comma-separated list of: strategic, tactical, operational");
        return -1;
    }
    if (p->statuses != NULL && !enum_csv_valid(objective_statuses, p->statuses)) {
        api_bad_parameter(rc, "status", "enum",
                          "must be a comma-separated list of: draft, active, achieved, "
                          "not_achieved, cancelled");
        return -1;
    }
    if (p->as_of != NULL && !parse_date(p->as_of)) {
        api_bad_parameter(rc, "as_of", "format", "must be a date YYYY-MM-DD");
        return -1;
    }
    if (p->window_days != NULL && !parse_long(p->window_days, 1, 36500, &days)) {
        api_bad_parameter(rc, "review_window_days", "range",
                          "must be an integer from 1 to 36500");
        return -1;
    }
    if (p->as_of == NULL) {
        api_utc_date(as_of_buf, 0);
        p->as_of = as_of_buf;
    }
    return 0;
}

typedef struct report_ctx {
    report_kind kind;
    const report_params *p;
    char *json;
} report_ctx;

static int report_fn(db_conn *conn, void *arg)
{
    report_ctx *r = arg;
    free(r->json);
    r->json = NULL;
    return db_report(conn, r->kind, r->p, &r->json);
}

static void run_report(req_ctx *rc, report_kind kind, int windowed)
{
    report_params p;
    char as_of[11];
    report_ctx r = {.kind = kind, .p = &p};
    int code;

    if (report_params_or_problem(rc, windowed, &p, as_of) != 0) {
        return;
    }
    code = db_run(rc->app->pool, report_fn, &r);
    if (code == SVC_OK) {
        api_reply_json(rc, 200, r.json, strlen(r.json));
    } else {
        problem_from_rc(rc, code, "report");
    }
    free(r.json);
}

void api_reports_objectives_summary(req_ctx *rc) { run_report(rc, REPORT_OBJECTIVES_SUMMARY, 0); }
void api_reports_plans_summary(req_ctx *rc) { run_report(rc, REPORT_PLANS_SUMMARY, 0); }
void api_reports_risk_matrix(req_ctx *rc) { run_report(rc, REPORT_RISK_MATRIX, 0); }
void api_reports_reviews_summary(req_ctx *rc) { run_report(rc, REPORT_REVIEWS_SUMMARY, 1); }
void api_reports_compliance(req_ctx *rc) { run_report(rc, REPORT_COMPLIANCE, 1); }
void api_reports_traceability(req_ctx *rc) { run_report(rc, REPORT_TRACEABILITY, 0); }
void api_reports_overdue(req_ctx *rc) { run_report(rc, REPORT_OVERDUE, 0); }

/* ---- the register as CSV (RFC 4180: CRLF, quotes doubled, UTF-8) ---- */

static const char *const register_columns[] = {
    "id",     "ref",    "title",  "level",         "function",   "owner",
    "status", "metric", "unit",   "baseline",      "target",     "current_value",
    "due_date", "progress_pct", "health", "last_reviewed_on"};
#define REGISTER_NCOLS (int)(sizeof register_columns / sizeof register_columns[0])
/* Free-text columns, which a spreadsheet could take for formulas. */
static const int register_text_column[REGISTER_NCOLS] = {0, 1, 1, 0, 1, 1, 0, 1, 1,
                                                         0, 0, 0, 0, 0, 0, 0};

typedef struct csv_stream {
    db_row_stream *rows;
    char *buf;
    size_t len, pos, cap;
    int header_sent;
    int finished;
} csv_stream;

static int csv_reserve(csv_stream *c, size_t more)
{
    if (c->len + more <= c->cap) {
        return 0;
    }
    size_t cap = c->cap ? c->cap : 16384;
    while (cap < c->len + more) {
        cap *= 2;
    }
    char *grown = realloc(c->buf, cap);
    if (grown == NULL) {
        return -1;
    }
    c->buf = grown;
    c->cap = cap;
    return 0;
}

static int csv_cell(csv_stream *c, const char *v, int text, int first)
{
    size_t n = v ? strlen(v) : 0;
    int formula = text && v && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' ||
                                v[0] == '\t');
    int quote = v && strpbrk(v, ",\"\r\n") != NULL;

    if (csv_reserve(c, n * 2 + 4) != 0) {
        return -1;
    }
    if (!first) {
        c->buf[c->len++] = ',';
    }
    if (quote) {
        c->buf[c->len++] = '"';
    }
    if (formula) {
        c->buf[c->len++] = '\'';
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '"') {
            c->buf[c->len++] = '"';
        }
        c->buf[c->len++] = v[i];
    }
    if (quote) {
        c->buf[c->len++] = '"';
    }
    return 0;
}

static int csv_line(csv_stream *c, const char *const *values, const int *text)
{
    for (int i = 0; i < REGISTER_NCOLS; i++) {
        if (csv_cell(c, values[i], text ? text[i] : 0, i == 0) != 0) {
            return -1;
        }
    }
    if (csv_reserve(c, 2) != 0) {
        return -1;
    }
    c->buf[c->len++] = '\r';
    c->buf[c->len++] = '\n';
    return 0;
}

/* Refills the buffer with the header or the next rows; 0 at the end, -1 on failure. */
static int csv_fill(csv_stream *c)
{
    c->len = c->pos = 0;
    if (!c->header_sent) {
        c->header_sent = 1;
        return csv_line(c, register_columns, NULL) == 0 ? 1 : -1;
    }
    while (c->len < 16384) {
        int ncols = 0;
        const char *const *values = NULL;
        int rc = db_stream_next(c->rows, &ncols, &values);
        if (rc < 0 || (rc == 1 && ncols != REGISTER_NCOLS)) {
            return -1;
        }
        if (rc == 0) {
            break;
        }
        if (csv_line(c, values, register_text_column) != 0) {
            return -1;
        }
    }
    return c->len > 0;
}

static ssize_t csv_read(void *arg, uint64_t offset, char *out, size_t max)
{
    csv_stream *c = arg;
    (void)offset;
    if (c->pos == c->len) {
        int rc = c->finished ? 0 : csv_fill(c);
        if (rc <= 0) {
            c->finished = 1;
            return rc == 0 ? U_STREAM_END : U_STREAM_ERROR;
        }
    }
    size_t n = c->len - c->pos < max ? c->len - c->pos : max;
    memcpy(out, c->buf + c->pos, n);
    c->pos += n;
    return (ssize_t)n;
}

/* Runs when the reply is complete or the client went away: the connection goes back. */
static void csv_free(void *arg)
{
    csv_stream *c = arg;
    db_stream_close(c->rows);
    free(c->buf);
    free(c);
}

static int wants_csv(const req_ctx *rc)
{
    const char *accept = u_map_get_case(rc->req->map_header, "Accept");
    return accept != NULL && strstr(accept, "text/csv") != NULL;
}

void api_reports_register(req_ctx *rc)
{
    report_params p;
    char as_of[11];
    csv_stream *c;
    int code;

    if (!wants_csv(rc)) {
        run_report(rc, REPORT_REGISTER, 0);
        return;
    }
    if (report_params_or_problem(rc, 0, &p, as_of) != 0) {
        return;
    }
    c = calloc(1, sizeof *c);
    if (c == NULL) {
        problem_from_rc(rc, SVC_EINTERNAL, "report");
        return;
    }
    code = db_register_stream(rc->app->pool, &p, &c->rows);
    if (code != SVC_OK) {
        free(c);
        problem_from_rc(rc, code, "report");
        return;
    }
    ulfius_set_stream_response(rc->resp, 200, csv_read, csv_free, U_STREAM_SIZE_UNKNOWN, 32768, c);
    u_map_put(rc->resp->map_header, "Content-Type", "text/csv; charset=utf-8; header=present");
    u_map_put(rc->resp->map_header, "Content-Disposition",
              "attachment; filename=\"objectives-register.csv\"");
}

typedef struct progress_ctx {
    const char *id;
    char *json;
} progress_ctx;

static int progress_fn(db_conn *conn, void *arg)
{
    progress_ctx *pc = arg;
    free(pc->json);
    pc->json = NULL;
    return db_objective_progress(conn, pc->id, &pc->json);
}

void api_objectives_progress(req_ctx *rc)
{
    char id[37];
    progress_ctx pc = {.id = id};
    int code;

    if (api_path_uuid_or_problem(rc, 0, id) != 0) {
        return;
    }
    code = db_run(rc->app->pool, progress_fn, &pc);
    if (code == SVC_OK) {
        api_reply_json(rc, 200, pc.json, strlen(pc.json));
    } else {
        problem_from_rc(rc, code, "objective");
    }
    free(pc.json);
}
