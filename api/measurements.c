/* Measurements (DESIGN 3.2): values of an objective's measure over time. They drive the
 * objective's current_value and last_measured_on (db view objective_docs). */
#include "api/measurements.h"

#include <string.h>

#include "api/common.h"
#include "api/objectives.h"
#include "api/resource.h"
#include "api/resources.h"
#include "db/model.h"
#include "service/problem.h"

static const field_spec measurement_fields[] = {
    {.name = "ref", .kind = FIELD_REF},
    {.name = "value", .kind = FIELD_NUMBER, .flags = FIELD_REQUIRED},
    {.name = "measured_on", .kind = FIELD_DATE, .flags = FIELD_REQUIRED},
    {.name = "note", .kind = FIELD_TEXT},
    {0},
};

static const char *const measurement_read_only[] = {
    "id",         "objective_id", "recorded_by", "created_at",  "updated_at",
    "created_by", "updated_by",   "version",     "archived_at", NULL};

static void measurement_check(const json_t *j_flat, json_t *j_errors)
{
    const char *on = json_string_value(json_object_get(j_flat, "measured_on"));
    char latest[11];
    api_utc_date(latest, 1);
    if (on != NULL && strcmp(on, latest) > 0) {
        errors_add(j_errors, "/measured_on", "range", "must not be after %s (today + 1 day)",
                   latest);
    }
}

const api_resource api_measurement_resource = {
    .name = "measurement",
    .collection_path = "/v1/measurements",
    .db = &db_measurements,
    .fields = measurement_fields,
    .read_only = measurement_read_only,
    .parent = &api_objective_resource,
    .parent_field = "objective_id",
    .check = measurement_check,
};

void api_measurements_list(req_ctx *rc) { api_resource_list(rc, &api_measurement_resource); }
void api_measurements_create(req_ctx *rc) { api_resource_create(rc, &api_measurement_resource); }
void api_measurements_get(req_ctx *rc) { api_resource_get(rc, &api_measurement_resource); }
void api_measurements_update(req_ctx *rc) { api_resource_update(rc, &api_measurement_resource); }
void api_measurements_archive(req_ctx *rc) { api_resource_archive(rc, &api_measurement_resource); }
void api_measurements_restore(req_ctx *rc) { api_resource_restore(rc, &api_measurement_resource); }
