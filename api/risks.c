/* Risks (DESIGN 3.5) and objective-risk links (3.6). Score and rating are computed by the
 * database (generated column, risk_rating()). A link is a relation, not a record: it has
 * no version; linking and unlinking write one audit event on the objective. */
#include "api/risks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/objectives.h"
#include "api/resource.h"
#include "api/resources.h"
#include "db/model.h"
#include "db/objectives.h"
#include "service/problem.h"
#include "service/rc.h"

static const field_spec risk_fields[] = {
    {.name = "ref", .kind = FIELD_REF},
    {.name = "title", .kind = FIELD_TEXT, .flags = FIELD_REQUIRED | FIELD_NONEMPTY,
     .max_len = 200},
    {.name = "likelihood", .kind = FIELD_INTEGER,
     .flags = FIELD_REQUIRED | FIELD_MIN | FIELD_MAX, .min = 1, .max = 5},
    {.name = "impact", .kind = FIELD_INTEGER, .flags = FIELD_REQUIRED | FIELD_MIN | FIELD_MAX,
     .min = 1, .max = 5},
    {.name = "description", .kind = FIELD_TEXT},
    {.name = "asset", .kind = FIELD_TEXT},
    {.name = "threat", .kind = FIELD_TEXT},
    {.name = "vulnerability", .kind = FIELD_TEXT},
    {.name = "category", .kind = FIELD_TEXT},
    {.name = "owner", .kind = FIELD_TEXT},
    {.name = "treatment", .kind = FIELD_ENUM, .values = risk_treatments},
    {.name = "treatment_plan", .kind = FIELD_TEXT},
    {.name = "controls", .kind = FIELD_STRINGS},
    {.name = "residual_likelihood", .kind = FIELD_INTEGER, .flags = FIELD_MIN | FIELD_MAX,
     .min = 1, .max = 5},
    {.name = "residual_impact", .kind = FIELD_INTEGER, .flags = FIELD_MIN | FIELD_MAX,
     .min = 1, .max = 5},
    {.name = "status", .kind = FIELD_ENUM, .values = risk_statuses, .default_value = "open"},
    {.name = "review_due", .kind = FIELD_DATE},
    {0},
};

static const char *const risk_read_only[] = {
    "id",         "score",      "rating",     "residual_score", "residual_rating",
    "created_at", "updated_at", "created_by", "updated_by",     "version",
    "archived_at", NULL};

const api_resource api_risk_resource = {
    .name = "risk",
    .collection_path = "/v1/risks",
    .db = &db_risks,
    .fields = risk_fields,
    .read_only = risk_read_only,
};

static const api_resource risks_of_objective = {
    .name = "risk",
    .collection_path = "/v1/risks",
    .db = &db_objective_risks,
    .parent = &api_objective_resource,
};

static const api_resource objectives_of_risk = {
    .name = "objective",
    .collection_path = "/v1/objectives",
    .db = &db_risk_objectives,
    .parent = &api_risk_resource,
};

void api_risks_list(req_ctx *rc) { api_resource_list(rc, &api_risk_resource); }
void api_risks_create(req_ctx *rc) { api_resource_create(rc, &api_risk_resource); }
void api_risks_get(req_ctx *rc) { api_resource_get(rc, &api_risk_resource); }
void api_risks_update(req_ctx *rc) { api_resource_update(rc, &api_risk_resource); }
void api_risks_archive(req_ctx *rc) { api_resource_archive(rc, &api_risk_resource); }
void api_risks_restore(req_ctx *rc) { api_resource_restore(rc, &api_risk_resource); }
void api_links_risks_of_objective(req_ctx *rc) { api_resource_list(rc, &risks_of_objective); }
void api_links_objectives_of_risk(req_ctx *rc) { api_resource_list(rc, &objectives_of_risk); }

typedef struct link_ctx {
    req_ctx *rc;
    const char *objective_id, *risk_id;
    int link;
    const char *missing;  /* which end was not found */
    const char *archived; /* which end is archived */
} link_ctx;

/* Both ends exist and are live; the objective row is locked so concurrent link changes
 * on one objective are serialised with its archive. */
static int link_ends(db_conn *conn, link_ctx *l)
{
    int exists = 0, archived = 0;
    int rc = db_resource_lock(conn, &db_objectives, l->objective_id, &archived);

    if (rc == SVC_ENOTFOUND) {
        l->missing = "objective";
        return rc;
    }
    if (rc == SVC_OK && archived) {
        l->archived = "objective";
        return SVC_ESTATE;
    }
    if (rc == SVC_OK) {
        rc = db_resource_state(conn, &db_risks, l->risk_id, &exists, &archived);
    }
    if (rc == SVC_OK && !exists) {
        l->missing = "risk";
        rc = SVC_ENOTFOUND;
    } else if (rc == SVC_OK && archived) {
        l->archived = "risk";
        rc = SVC_ESTATE;
    }
    return rc;
}

static int link_tx(db_conn *conn, void *arg)
{
    link_ctx *l = arg;
    char event[80];
    int changed = 0;
    int rc;

    l->missing = l->archived = NULL;
    rc = link_ends(conn, l);
    if (rc == SVC_OK) {
        rc = db_link_set(conn, l->objective_id, l->risk_id, l->link, l->rc->who.sub, &changed);
    }
    if (rc != SVC_OK || !changed) {
        return rc;
    }
    snprintf(event, sizeof event, "{\"risk_id\":\"%s\"}", l->risk_id);
    return db_audit_append(conn, l->rc->who.sub, l->link ? "link" : "unlink", "objective",
                           l->objective_id, l->rc->request_id, l->link ? NULL : event,
                           l->link ? event : NULL);
}

static void link_change(req_ctx *rc, int link)
{
    char objective_id[37], risk_id[37];
    link_ctx l = {.rc = rc, .objective_id = objective_id, .risk_id = risk_id, .link = link};
    int code;

    if (api_path_uuid_or_problem(rc, 0, objective_id) != 0 ||
        api_path_uuid_or_problem(rc, 1, risk_id) != 0) {
        return;
    }
    code = db_tx_run(rc->app->pool, link_tx, &l);
    if (code == SVC_OK) {
        ulfius_set_empty_body_response(rc->resp, 204);
    } else if (code == SVC_ESTATE) {
        char why[96];
        json_t *j_errors = json_array();
        snprintf(why, sizeof why, "the %s is archived; restore it first", l.archived);
        errors_add(j_errors, strcmp(l.archived, "risk") == 0 ? "risk_id" : "id", "state", "%s",
                   why);
        problem_send(rc, PROBLEM_CONFLICT, why, j_errors);
    } else {
        problem_from_rc(rc, code, l.missing ? l.missing : "objective");
    }
}

void api_links_put(req_ctx *rc) { link_change(rc, 1); }
void api_links_delete(req_ctx *rc) { link_change(rc, 0); }
