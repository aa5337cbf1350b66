/* Storage descriptors for measurements, plans, actions, risks, links, reviews and review
 * items: filters and sort keys over their *_docs views (db/migrations/002). Enum sort
 * keys follow the order the values are listed in the design. */
#include "db/model.h"

#include <stdlib.h>
#include <string.h>

#include "db/sql.h"
#include "service/rc.h"

const char *const plan_statuses[] = {"planned", "in_progress", "completed", "blocked",
                                     "cancelled", NULL};
const char *const action_statuses[] = {"open", "done", "cancelled", NULL};
const char *const risk_treatments[] = {"mitigate", "accept", "transfer", "avoid", NULL};
const char *const risk_statuses[] = {"open", "in_treatment", "accepted", "closed", NULL};
const char *const risk_ratings[] = {"low", "medium", "high", "critical", NULL};
const char *const review_statuses[] = {"planned", "held", NULL};
const char *const review_decisions[] = {"continue", "revise", "close_achieved",
                                        "close_not_achieved", "escalate", NULL};
const char *const assessed_healths[] = {"on_track", "at_risk", "off_track", "achieved",
                                        "not_achieved", NULL};

#define TS_KEY(name) {#name, "t." #name, "timestamptz", KEY_TIMESTAMP}
#define DATE_KEY(name) {#name, "coalesce(t." #name ", 'infinity'::date)", "date", KEY_DATE}
#define TEXT_KEY(name) {#name, "t." #name, "text", KEY_TEXT}

/* ---- measurements ---- */
static const db_filter measurement_filters[] = {
    {"measured_after", FILTER_DATE_GE, NULL, "t.measured_on"},
    {"measured_before", FILTER_DATE_LE, NULL, "t.measured_on"},
    {0},
};
static const db_sort_key measurement_sort_keys[] = {
    {"measured_on", "t.measured_on", "date", KEY_DATE},
    TS_KEY(created_at),
    {0},
};
const db_resource db_measurements = {
    .type = "measurement",
    .table = "measurements",
    .view = "measurement_docs",
    .doc_sql = "t.doc",
    .ref_prefix = "MSR",
    .ref_seq = "measurement_ref_seq",
    .columns = "ref, objective_id, value, measured_on, note",
    .parent_column = "objective_id",
    .filters = measurement_filters,
    .sort_keys = measurement_sort_keys,
};

/* ---- plans ---- */
static const db_filter plan_filters[] = {
    {"objective_id", FILTER_UUID_EQ, NULL, "t.objective_id"},
    {"status", FILTER_ENUM_IN, plan_statuses, "t.status"},
    {"responsible", FILTER_TEXT_EQ, NULL, "t.responsible"},
    {"due_before", FILTER_DATE_LE, NULL, "t.due_date"},
    {"due_after", FILTER_DATE_GE, NULL, "t.due_date"},
    {"q", FILTER_SEARCH, NULL, "t.ref ILIKE $1 OR t.title ILIKE $1"},
    {0},
};
static const db_sort_key plan_sort_keys[] = {
    TS_KEY(created_at),
    TS_KEY(updated_at),
    TEXT_KEY(ref),
    TEXT_KEY(title),
    DATE_KEY(due_date),
    {"status",
     "array_position(ARRAY['planned','in_progress','completed','blocked','cancelled'], t.status)",
     "integer", KEY_INT},
    {0},
};
const db_resource db_plans = {
    .type = "plan",
    .table = "plans",
    .view = "plan_docs",
    .doc_sql = "t.doc",
    .ref_prefix = "PLN",
    .ref_seq = "plan_ref_seq",
    .columns = "ref, objective_id, title, activities, resources, budget_amount, budget_currency, "
               "effort_days, responsible, start_date, due_date, evaluation_method, "
               "evaluation_frequency, status",
    .filters = plan_filters,
    .sort_keys = plan_sort_keys,
};

/* ---- actions ---- */
static const db_filter action_filters[] = {
    {"status", FILTER_ENUM_IN, action_statuses, "t.status"},
    {"responsible", FILTER_TEXT_EQ, NULL, "t.responsible"},
    {"due_before", FILTER_DATE_LE, NULL, "t.due_date"},
    {"due_after", FILTER_DATE_GE, NULL, "t.due_date"},
    {0},
};
static const db_sort_key action_sort_keys[] = {
    TS_KEY(created_at),
    TEXT_KEY(ref),
    TEXT_KEY(title),
    DATE_KEY(due_date),
    {"status", "array_position(ARRAY['open','done','cancelled'], t.status)", "integer", KEY_INT},
    {0},
};
const db_resource db_actions = {
    .type = "action",
    .table = "actions",
    .view = "action_docs",
    .doc_sql = "t.doc",
    .ref_prefix = "ACT",
    .ref_seq = "action_ref_seq",
    .columns = "ref, plan_id, title, responsible, due_date, status, completed_on, evidence",
    .parent_column = "plan_id",
    .filters = action_filters,
    .sort_keys = action_sort_keys,
};

/* ---- risks ---- */
static const db_filter risk_filters[] = {
    {"status", FILTER_ENUM_IN, risk_statuses, "t.status"},
    {"rating", FILTER_ENUM_IN, risk_ratings, "t.rating"},
    {"owner", FILTER_TEXT_EQ, NULL, "t.owner"},
    {"treatment", FILTER_ENUM_IN, risk_treatments, "t.treatment"},
    {"min_score", FILTER_INT_GE, NULL, "t.score"},
    {"q", FILTER_SEARCH, NULL, "t.ref ILIKE $1 OR t.title ILIKE $1"},
    {0},
};
static const db_sort_key risk_sort_keys[] = {
    TS_KEY(created_at),
    TS_KEY(updated_at),
    TEXT_KEY(ref),
    TEXT_KEY(title),
    {"score", "t.score", "integer", KEY_INT},
    DATE_KEY(review_due),
    {0},
};
const db_resource db_risks = {
    .type = "risk",
    .table = "risks",
    .view = "risk_docs",
    .doc_sql = "t.doc",
    .ref_prefix = "RSK",
    .ref_seq = "risk_ref_seq",
    .columns = "ref, title, likelihood, impact, description, asset, threat, vulnerability, "
               "category, owner, treatment, treatment_plan, controls, residual_likelihood, "
               "residual_impact, status, review_due",
    .filters = risk_filters,
    .sort_keys = risk_sort_keys,
};

/* ---- links, listed from either end ---- */
static const db_filter no_filters[] = {{0}};
const db_resource db_objective_risks = {
    .type = "risk",
    .table = "risks",
    .view = "risk_docs",
    .doc_sql = "t.doc",
    .parent_sql = "t.id IN (SELECT l.risk_id FROM objective_risks l WHERE l.objective_id = $1::uuid)",
    .filters = no_filters,
    .sort_keys = risk_sort_keys,
};

static const db_sort_key objective_link_sort_keys[] = {
    TS_KEY(created_at),
    TEXT_KEY(ref),
    TEXT_KEY(title),
    {0},
};
const db_resource db_risk_objectives = {
    .type = "objective",
    .table = "objectives",
    .view = "objective_docs",
    .doc_sql = "t.doc",
    .parent_sql = "t.id IN (SELECT l.objective_id FROM objective_risks l WHERE l.risk_id = $1::uuid)",
    .filters = no_filters,
    .sort_keys = objective_link_sort_keys,
};

/* ---- reviews and their items ---- */
static const db_filter review_filters[] = {
    {"status", FILTER_ENUM_IN, review_statuses, "t.status"},
    {"held_after", FILTER_DATE_GE, NULL, "t.held_on"},
    {"held_before", FILTER_DATE_LE, NULL, "t.held_on"},
    {0},
};
static const db_sort_key review_sort_keys[] = {
    TS_KEY(created_at),
    TEXT_KEY(ref),
    {"held_on", "t.held_on", "date", KEY_DATE},
    {0},
};
const db_resource db_reviews = {
    .type = "review",
    .table = "reviews",
    .view = "review_docs",
    .doc_sql = "t.doc",
    .ref_prefix = "REV",
    .ref_seq = "review_ref_seq",
    .columns = "ref, title, held_on, chair, attendees, summary, decisions, next_review_on, status",
    .filters = review_filters,
    .sort_keys = review_sort_keys,
};

static const db_filter review_item_filters[] = {
    {"objective_id", FILTER_UUID_EQ, NULL, "t.objective_id"},
    {"decision", FILTER_ENUM_IN, review_decisions, "t.decision"},
    {0},
};
static const db_sort_key review_item_sort_keys[] = {
    TS_KEY(created_at),
    TEXT_KEY(ref),
    {0},
};
const db_resource db_review_items = {
    .type = "review_item",
    .table = "review_items",
    .view = "review_item_docs",
    .doc_sql = "t.doc",
    .ref_prefix = "RVI",
    .ref_seq = "review_item_ref_seq",
    .columns = "ref, review_id, objective_id, decision, assessed_health, observed_value, notes, "
               "follow_up",
    .parent_column = "review_id",
    .filters = review_item_filters,
    .sort_keys = review_item_sort_keys,
};

int db_objective_live_plans(db_conn *conn, const char *id, long *count_out)
{
    const char *params[] = {id};
    PGresult *res = NULL;
    int rc = db_exec(conn,
                     "SELECT count(*) AS n FROM plans WHERE objective_id = $1::uuid"
                     " AND archived_at IS NULL",
                     1, params, &res);
    if (rc == SVC_OK) {
        *count_out = strtol(db_get(res, 0, "n"), NULL, 10);
    }
    PQclear(res);
    return rc;
}

int db_link_set(db_conn *conn, const char *objective_id, const char *risk_id, int linked,
                const char *actor, int *changed_out)
{
    const char *params[] = {objective_id, risk_id, actor};
    PGresult *res = NULL;
    int rc = linked ? db_exec(conn,
                              "INSERT INTO objective_risks (objective_id, risk_id, created_by)"
                              " VALUES ($1::uuid, $2::uuid, $3) ON CONFLICT DO NOTHING",
                              3, params, &res)
                    : db_exec(conn,
                              "DELETE FROM objective_risks"
                              " WHERE objective_id = $1::uuid AND risk_id = $2::uuid",
                              2, params, &res);
    if (rc == SVC_OK) {
        *changed_out = strcmp(PQcmdTuples(res), "1") == 0;
    }
    PQclear(res);
    return rc;
}
