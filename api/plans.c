/* Plans (DESIGN 3.3): what will be done, with what resources, by whom, by when, and how
 * results are evaluated; and their actions (3.4). */
#include "api/plans.h"

#include <string.h>

#include "api/common.h"
#include "api/resource.h"
#include "api/resources.h"
#include "db/model.h"
#include "db/objectives.h"
#include "service/problem.h"

static const field_spec budget_fields[] = {
    {.name = "amount", .kind = FIELD_NUMBER, .flags = FIELD_REQUIRED | FIELD_MIN, .min = 0},
    {.name = "currency", .kind = FIELD_CURRENCY, .flags = FIELD_REQUIRED},
    {0},
};

static const field_spec plan_fields[] = {
    {.name = "ref", .kind = FIELD_REF},
    {.name = "objective_id", .kind = FIELD_UUID, .flags = FIELD_REQUIRED},
    {.name = "title", .kind = FIELD_TEXT, .flags = FIELD_REQUIRED | FIELD_NONEMPTY,
     .max_len = 200},
    {.name = "activities", .kind = FIELD_TEXT},
    {.name = "resources", .kind = FIELD_TEXT},
    {.name = "budget", .kind = FIELD_OBJECT, .members = budget_fields},
    {.name = "effort_days", .kind = FIELD_NUMBER, .flags = FIELD_MIN, .min = 0},
    {.name = "responsible", .kind = FIELD_TEXT},
    {.name = "start_date", .kind = FIELD_DATE},
    {.name = "due_date", .kind = FIELD_DATE},
    {.name = "evaluation_method", .kind = FIELD_TEXT},
    {.name = "evaluation_frequency", .kind = FIELD_TEXT},
    {.name = "status", .kind = FIELD_ENUM, .values = plan_statuses, .default_value = "planned"},
    {0},
};

static const char *const common_read_only[] = {"id",         "created_at", "updated_at",
                                               "created_by", "updated_by", "version",
                                               "archived_at", NULL};

static void plan_check(const json_t *j_flat, json_t *j_errors)
{
    const char *start = json_string_value(json_object_get(j_flat, "start_date"));
    const char *due = json_string_value(json_object_get(j_flat, "due_date"));
    if (start != NULL && due != NULL && strcmp(due, start) < 0) {
        errors_add(j_errors, "/due_date", "range", "must not be before start_date");
    }
}

static const api_reference plan_references[] = {{"objective_id", &db_objectives}, {0}};

const api_resource api_plan_resource = {
    .name = "plan",
    .collection_path = "/v1/plans",
    .db = &db_plans,
    .fields = plan_fields,
    .read_only = common_read_only,
    .check = plan_check,
    .references = plan_references,
};

static const field_spec action_fields[] = {
    {.name = "ref", .kind = FIELD_REF},
    {.name = "title", .kind = FIELD_TEXT, .flags = FIELD_REQUIRED | FIELD_NONEMPTY,
     .max_len = 200},
    {.name = "responsible", .kind = FIELD_TEXT},
    {.name = "due_date", .kind = FIELD_DATE},
    {.name = "status", .kind = FIELD_ENUM, .values = action_statuses, .default_value = "open"},
    {.name = "completed_on", .kind = FIELD_DATE},
    {.name = "evidence", .kind = FIELD_TEXT},
    {0},
};

static const char *const action_read_only[] = {"id",         "plan_id",    "created_at",
                                               "updated_at", "created_by", "updated_by",
                                               "version",    "archived_at", NULL};

/* An action that is done was completed on some day: today, unless the client says. */
static void action_normalize(json_t *j_flat)
{
    const char *status = json_string_value(json_object_get(j_flat, "status"));
    const json_t *j_on = json_object_get(j_flat, "completed_on");
    if (status != NULL && strcmp(status, "done") == 0 && (j_on == NULL || json_is_null(j_on))) {
        char today[11];
        api_utc_date(today, 0);
        json_object_set_new(j_flat, "completed_on", json_string(today));
    }
}

const api_resource api_action_resource = {
    .name = "action",
    .collection_path = "/v1/actions",
    .db = &db_actions,
    .fields = action_fields,
    .read_only = action_read_only,
    .parent = &api_plan_resource,
    .parent_field = "plan_id",
    .normalize = action_normalize,
};

void api_plans_list(req_ctx *rc) { api_resource_list(rc, &api_plan_resource); }
void api_plans_create(req_ctx *rc) { api_resource_create(rc, &api_plan_resource); }
void api_plans_get(req_ctx *rc) { api_resource_get(rc, &api_plan_resource); }
void api_plans_update(req_ctx *rc) { api_resource_update(rc, &api_plan_resource); }
void api_plans_archive(req_ctx *rc) { api_resource_archive(rc, &api_plan_resource); }
void api_plans_restore(req_ctx *rc) { api_resource_restore(rc, &api_plan_resource); }

void api_actions_list(req_ctx *rc) { api_resource_list(rc, &api_action_resource); }
void api_actions_create(req_ctx *rc) { api_resource_create(rc, &api_action_resource); }
void api_actions_get(req_ctx *rc) { api_resource_get(rc, &api_action_resource); }
void api_actions_update(req_ctx *rc) { api_resource_update(rc, &api_action_resource); }
void api_actions_archive(req_ctx *rc) { api_resource_archive(rc, &api_action_resource); }
void api_actions_restore(req_ctx *rc) { api_resource_restore(rc, &api_action_resource); }
