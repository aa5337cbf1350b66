/* Objectives in SQL: list filters and sort keys over table alias t, and the parent
 * checks. The document itself is rendered by the objective_docs view (db/migrations). */
#include "db/objectives.h"

#include <string.h>

#include "db/sql.h"
#include "service/rc.h"

const char *const objective_levels[] = {"strategic", "tactical", "operational", NULL};
const char *const objective_statuses[] = {"draft", "active", "achieved", "not_achieved",
                                          "cancelled", NULL};
const char *const objective_healths[] = {"achieved", "not_achieved", "overdue", "no_data",
                                         "on_track", "at_risk", "off_track", NULL};
const char *const measure_directions[] = {"increase", "decrease", "maintain", NULL};
const char *const measure_frequencies[] = {"weekly", "monthly", "quarterly", "annually", NULL};
const char *const cia_values[] = {"confidentiality", "integrity", "availability", NULL};

static const db_filter objective_filters[] = {
    {"status", FILTER_ENUM_IN, objective_statuses, "t.status"},
    {"level", FILTER_ENUM_IN, objective_levels, "t.level"},
    {"health", FILTER_ENUM_IN, objective_healths, "t.health"},
    {"function", FILTER_TEXT_EQ, NULL, "t.function"},
    {"owner", FILTER_TEXT_EQ, NULL, "t.owner"},
    {"parent_id", FILTER_UUID_EQ, NULL, "t.parent_id"},
    {"due_before", FILTER_DATE_LE, NULL, "t.due_date"},
    {"due_after", FILTER_DATE_GE, NULL, "t.due_date"},
    {"q", FILTER_SEARCH, NULL, "t.ref ILIKE $1 OR t.title ILIKE $1"},
    {0},
};

/* Enum keys sort in the order their values are listed in the design. */
static const db_sort_key objective_sort_keys[] = {
    {"created_at", "t.created_at", "timestamptz", KEY_TIMESTAMP},
    {"updated_at", "t.updated_at", "timestamptz", KEY_TIMESTAMP},
    {"ref", "t.ref", "text", KEY_TEXT},
    {"title", "t.title", "text", KEY_TEXT},
    {"due_date", "coalesce(t.due_date, 'infinity'::date)", "date", KEY_DATE},
    {"status",
     "array_position(ARRAY['draft','active','achieved','not_achieved','cancelled'], t.status)",
     "integer", KEY_INT},
    {"level", "array_position(ARRAY['strategic','tactical','operational'], t.level)", "integer",
     KEY_INT},
    {0},
};

const db_resource db_objectives = {
    .type = "objective",
    .table = "objectives",
    .view = "objective_docs",
    .doc_sql = "t.doc",
    .ref_prefix = "OBJ",
    .ref_seq = "objective_ref_seq",
    .columns = "ref, title, level, description, function, parent_id, policy_ref, "
               "requirement_refs, cia, owner, status, measure_metric, measure_unit, "
               "measure_baseline, measure_target, measure_direction, measure_tolerance, "
               "measure_frequency, measure_data_source, success_criteria, start_date, "
               "due_date, communicated_to, communicated_on",
    .filters = objective_filters,
    .sort_keys = objective_sort_keys,
};

int db_objective_parent_state(db_conn *conn, const char *self_id, const char *parent_id,
                              int *state_out)
{
    /* Walk up from the proposed parent; meeting self means the link would close a loop. */
    static const char sql[] =
        "WITH RECURSIVE up (id, parent_id, depth) AS ("
        "  SELECT id, parent_id, 0 FROM objectives WHERE id = $1::uuid"
        "  UNION ALL"
        "  SELECT o.id, o.parent_id, up.depth + 1 FROM objectives o JOIN up ON o.id = up.parent_id"
        "  WHERE up.depth < 10000)"
        " SELECT (SELECT archived_at IS NOT NULL FROM objectives WHERE id = $1::uuid) AS archived,"
        "        coalesce($2::uuid IN (SELECT id FROM up), false) AS cycle";
    const char *params[] = {parent_id, self_id};
    PGresult *res = NULL;
    int rc = db_exec(conn, sql, 2, params, &res);

    if (rc != SVC_OK) {
        return rc;
    }
    const char *archived = db_get(res, 0, "archived");
    if (archived == NULL) {
        *state_out = 1;
    } else if (strcmp(archived, "t") == 0) {
        *state_out = 2;
    } else if (strcmp(db_get(res, 0, "cycle"), "t") == 0) {
        *state_out = 3;
    } else {
        *state_out = 0;
    }
    PQclear(res);
    return SVC_OK;
}
