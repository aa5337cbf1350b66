/* Objectives (DESIGN 3.1): the writable fields, the rules that span fields, and the
 * parent checks. The flows themselves are the generic ones in api/resource.c. */
#include "api/objectives.h"

#include <stdio.h>
#include <string.h>

#include "api/resource.h"
#include "db/model.h"
#include "db/objectives.h"
#include "service/problem.h"
#include "service/rc.h"

static const field_spec measure_fields[] = {
    {.name = "metric", .kind = FIELD_TEXT, .flags = FIELD_REQUIRED | FIELD_NONEMPTY,
     .max_len = 200},
    {.name = "unit", .kind = FIELD_TEXT, .max_len = 200},
    {.name = "baseline", .kind = FIELD_NUMBER, .flags = FIELD_REQUIRED},
    {.name = "target", .kind = FIELD_NUMBER, .flags = FIELD_REQUIRED},
    {.name = "direction", .kind = FIELD_ENUM, .flags = FIELD_REQUIRED,
     .values = measure_directions},
    {.name = "tolerance", .kind = FIELD_NUMBER, .flags = FIELD_MIN, .min = 0},
    {.name = "frequency", .kind = FIELD_ENUM, .values = measure_frequencies,
     .default_value = "monthly"},
    {.name = "data_source", .kind = FIELD_TEXT},
    {0},
};

static const field_spec objective_fields[] = {
    {.name = "ref", .kind = FIELD_REF},
    {.name = "title", .kind = FIELD_TEXT, .flags = FIELD_REQUIRED | FIELD_NONEMPTY,
     .max_len = 200},
    {.name = "level", .kind = FIELD_ENUM, .flags = FIELD_REQUIRED, .values = objective_levels},
    {.name = "description", .kind = FIELD_TEXT},
    {.name = "function", .kind = FIELD_TEXT},
    {.name = "parent_id", .kind = FIELD_UUID},
    {.name = "policy_ref", .kind = FIELD_TEXT},
    {.name = "requirement_refs", .kind = FIELD_STRINGS},
    {.name = "cia", .kind = FIELD_ENUMS, .values = cia_values},
    {.name = "owner", .kind = FIELD_TEXT},
    {.name = "status", .kind = FIELD_ENUM, .values = objective_statuses,
     .default_value = "draft"},
    {.name = "measure", .kind = FIELD_OBJECT, .members = measure_fields},
    {.name = "success_criteria", .kind = FIELD_TEXT},
    {.name = "start_date", .kind = FIELD_DATE},
    {.name = "due_date", .kind = FIELD_DATE},
    {.name = "communicated_to", .kind = FIELD_STRINGS},
    {.name = "communicated_on", .kind = FIELD_DATE},
    {0},
};

static const char *const objective_read_only[] = {
    "id", "created_at", "updated_at", "created_by", "updated_by", "version", "archived_at",
    "current_value", "last_measured_on", "progress_pct", "health", "last_reviewed_on",
    "risk_ids", "plan_count", NULL};

static int is_set(const json_t *j_flat, const char *key)
{
    const json_t *j = json_object_get(j_flat, key);
    return j != NULL && !json_is_null(j);
}

static void objective_check(const json_t *j_flat, json_t *j_errors)
{
    const char *start = json_string_value(json_object_get(j_flat, "start_date"));
    const char *due = json_string_value(json_object_get(j_flat, "due_date"));
    const char *status = json_string_value(json_object_get(j_flat, "status"));
    const char *direction = json_string_value(json_object_get(j_flat, "measure_direction"));

    /* Dates in YYYY-MM-DD compare as strings. */
    if (start != NULL && due != NULL && strcmp(due, start) < 0) {
        errors_add(j_errors, "/due_date", "range", "must not be before start_date");
    }
    if (status != NULL && strcmp(status, "draft") != 0 && !is_set(j_flat, "measure_metric") &&
        !is_set(j_flat, "success_criteria")) {
        errors_add(j_errors, "/measure", "required",
                   "an objective that is not a draft needs a measure or success_criteria");
    }
    if (direction != NULL && strcmp(direction, "maintain") == 0 &&
        !is_set(j_flat, "measure_tolerance")) {
        errors_add(j_errors, "/measure/tolerance", "required",
                   "is required when direction is maintain");
    }
}

/* Existence and archive state of parent_id are the generic reference rule; a parent
 * must also not be the objective itself or one of its descendants. */
static int objective_check_cycle(db_conn *conn, const char *self_id, const json_t *j_sent,
                                 const json_t *j_flat, json_t *j_errors)
{
    const char *parent = json_string_value(json_object_get(j_flat, "parent_id"));
    int state = 0;
    int rc;

    if (parent == NULL || self_id == NULL || json_object_get(j_sent, "parent_id") == NULL) {
        return SVC_OK;
    }
    if (strcmp(parent, self_id) == 0) {
        errors_add(j_errors, "/parent_id", "cycle", "an objective cannot be its own parent");
        return SVC_OK;
    }
    rc = db_objective_parent_state(conn, self_id, parent, &state);
    if (rc == SVC_OK && state == 3) {
        errors_add(j_errors, "/parent_id", "cycle",
                   "the parent is a descendant of this objective");
    }
    return rc;
}

static const api_reference objective_references[] = {{"parent_id", &db_objectives}, {0}};

/* Plans must be archived first: an archived objective with live plans would leave
 * them pointing at nothing active. */
static int objective_can_archive(db_conn *conn, const char *id, char *why, size_t cap)
{
    long plans = 0;
    int rc = db_objective_live_plans(conn, id, &plans);
    if (rc != SVC_OK) {
        return rc;
    }
    if (plans > 0) {
        snprintf(why, cap, "the objective still has %ld plan%s not archived; archive %s first",
                 plans, plans == 1 ? "" : "s", plans == 1 ? "it" : "them");
        return SVC_ESTATE;
    }
    return SVC_OK;
}

const api_resource api_objective_resource = {
    .name = "objective",
    .collection_path = "/v1/objectives",
    .db = &db_objectives,
    .fields = objective_fields,
    .read_only = objective_read_only,
    .check = objective_check,
    .references = objective_references,
    .check_refs = objective_check_cycle,
    .can_archive = objective_can_archive,
};

void api_objectives_list(req_ctx *rc) { api_resource_list(rc, &api_objective_resource); }
void api_objectives_create(req_ctx *rc) { api_resource_create(rc, &api_objective_resource); }
void api_objectives_get(req_ctx *rc) { api_resource_get(rc, &api_objective_resource); }
void api_objectives_update(req_ctx *rc) { api_resource_update(rc, &api_objective_resource); }
void api_objectives_archive(req_ctx *rc) { api_resource_archive(rc, &api_objective_resource); }
void api_objectives_restore(req_ctx *rc) { api_resource_restore(rc, &api_objective_resource); }
