/* Management reviews and their items (DESIGN 3.7). A held review's items give their
 * objectives last_reviewed_on and, for qualitative objectives, their health. */
#include "api/reviews.h"

#include "api/resource.h"
#include "api/resources.h"
#include "db/model.h"
#include "db/objectives.h"

static const field_spec review_fields[] = {
    {.name = "ref", .kind = FIELD_REF},
    {.name = "title", .kind = FIELD_TEXT, .flags = FIELD_REQUIRED | FIELD_NONEMPTY,
     .max_len = 200},
    {.name = "held_on", .kind = FIELD_DATE, .flags = FIELD_REQUIRED},
    {.name = "chair", .kind = FIELD_TEXT},
    {.name = "attendees", .kind = FIELD_STRINGS},
    {.name = "summary", .kind = FIELD_TEXT},
    {.name = "decisions", .kind = FIELD_TEXT},
    {.name = "next_review_on", .kind = FIELD_DATE},
    {.name = "status", .kind = FIELD_ENUM, .values = review_statuses, .default_value = "planned"},
    {0},
};

static const char *const review_read_only[] = {"id",         "created_at", "updated_at",
                                               "created_by", "updated_by", "version",
                                               "archived_at", NULL};

const api_resource api_review_resource = {
    .name = "review",
    .collection_path = "/v1/reviews",
    .db = &db_reviews,
    .fields = review_fields,
    .read_only = review_read_only,
};

static const field_spec review_item_fields[] = {
    {.name = "ref", .kind = FIELD_REF},
    {.name = "objective_id", .kind = FIELD_UUID, .flags = FIELD_REQUIRED},
    {.name = "decision", .kind = FIELD_ENUM, .flags = FIELD_REQUIRED, .values = review_decisions},
    {.name = "assessed_health", .kind = FIELD_ENUM, .values = assessed_healths},
    {.name = "observed_value", .kind = FIELD_NUMBER},
    {.name = "notes", .kind = FIELD_TEXT},
    {.name = "follow_up", .kind = FIELD_TEXT},
    {0},
};

static const char *const review_item_read_only[] = {"id",         "review_id",  "created_at",
                                                    "updated_at", "created_by", "updated_by",
                                                    "version",    "archived_at", NULL};

static const api_reference review_item_references[] = {{"objective_id", &db_objectives}, {0}};

const api_resource api_review_item_resource = {
    .name = "review item",
    .collection_path = "/v1/review-items",
    .db = &db_review_items,
    .fields = review_item_fields,
    .read_only = review_item_read_only,
    .parent = &api_review_resource,
    .parent_field = "review_id",
    .references = review_item_references,
};

void api_reviews_list(req_ctx *rc) { api_resource_list(rc, &api_review_resource); }
void api_reviews_create(req_ctx *rc) { api_resource_create(rc, &api_review_resource); }
void api_reviews_get(req_ctx *rc) { api_resource_get(rc, &api_review_resource); }
void api_reviews_update(req_ctx *rc) { api_resource_update(rc, &api_review_resource); }
void api_reviews_archive(req_ctx *rc) { api_resource_archive(rc, &api_review_resource); }
void api_reviews_restore(req_ctx *rc) { api_resource_restore(rc, &api_review_resource); }

void api_review_items_list(req_ctx *rc) { api_resource_list(rc, &api_review_item_resource); }
void api_review_items_create(req_ctx *rc) { api_resource_create(rc, &api_review_item_resource); }
void api_review_items_get(req_ctx *rc) { api_resource_get(rc, &api_review_item_resource); }
void api_review_items_update(req_ctx *rc) { api_resource_update(rc, &api_review_item_resource); }
void api_review_items_archive(req_ctx *rc) { api_resource_archive(rc, &api_review_item_resource); }
void api_review_items_restore(req_ctx *rc) { api_resource_restore(rc, &api_review_item_resource); }
