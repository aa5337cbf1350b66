/* Generic resource flows. Each write runs in one transaction that validates, checks
 * references, writes the row and appends its audit event; nothing reaches the client
 * before COMMIT succeeded. */
#include "api/resource.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/parse.h"
#include "service/problem.h"
#include "service/rc.h"

/* State shared by a write flow and its transaction function. The function may run more
 * than once (db_tx_run retries), so it resets what it produces on entry. */
typedef struct write_ctx {
    req_ctx *rc;
    const api_resource *r;
    const char *id;        /* target row (update, archive, restore) */
    const char *parent_id; /* sub-resources: the parent (from the path, or the row) */
    const char *missing;   /* what SVC_ENOTFOUND refers to */
    const json_t *j_input; /* body or patch, borrowed */
    json_t *j_sent;        /* what the client set: the body, or the keys a patch changed */
    json_t *j_errors;      /* field errors found */
    db_doc doc;            /* the document to reply with */
    char why[256];         /* message for SVC_ESTATE */
    char new_id[37];
} write_ctx;

static void write_reset(write_ctx *w)
{
    json_array_clear(w->j_errors);
    db_doc_clear(&w->doc);
    json_decref(w->j_sent);
    w->j_sent = NULL;
    w->why[0] = '\0';
}

/* The keys of @p j_patch whose value differs from @p j_before: a GET body sent back
 * unchanged sets nothing (new reference). */
static json_t *patch_changes(const json_t *j_patch, const json_t *j_before)
{
    json_t *j_changed = json_object();
    const char *key;
    json_t *j_value;
    json_object_foreach((json_t *)j_patch, key, j_value)
    {
        if (!json_equal(j_value, json_object_get(j_before, key))) {
            json_object_set(j_changed, key, j_value);
        }
    }
    return j_changed;
}

/* A reference that is set or changed must name a live row. */
static int check_reference(db_conn *conn, const db_resource *target, const char *field,
                           const json_t *j_sent, const json_t *j_flat, json_t *j_errors)
{
    const char *id = json_string_value(json_object_get(j_flat, field));
    char ptr[128] = "";
    int exists = 0, archived = 0;
    int rc;

    if (id == NULL || json_object_get(j_sent, field) == NULL) {
        return SVC_OK;
    }
    rc = db_resource_state(conn, target, id, &exists, &archived);
    if (rc != SVC_OK) {
        return rc;
    }
    pointer_append(ptr, sizeof ptr, field);
    if (!exists) {
        errors_add(j_errors, ptr, "reference", "no %s has this id", target->type);
    } else if (archived) {
        errors_add(j_errors, ptr, "reference", "the %s is archived", target->type);
    }
    return SVC_OK;
}

/* Validates @p j_doc and runs the resource's rules; returns the flat document (new
 * reference) and SVC_EINVALID when any error was found. */
static int validated_flat(db_conn *conn, write_ctx *w, const json_t *j_doc, validate_mode mode,
                          json_t **flat_out)
{
    const api_resource *r = w->r;
    json_t *j_flat = validate_doc(j_doc, r->fields, r->read_only, mode, w->j_errors);
    int rc = SVC_OK;

    if (w->parent_id != NULL) {
        json_object_set_new(j_flat, r->parent_field, json_string(w->parent_id));
    }
    if (r->normalize != NULL) {
        r->normalize(j_flat);
    }
    if (r->check != NULL) {
        r->check(j_flat, w->j_errors);
    }
    for (const api_reference *ref = r->references; ref && ref->field && rc == SVC_OK; ref++) {
        rc = check_reference(conn, ref->target, ref->field, w->j_sent, j_flat, w->j_errors);
    }
    if (r->check_refs != NULL && rc == SVC_OK) {
        rc = r->check_refs(conn, mode == VALIDATE_UPDATE ? w->id : NULL, w->j_sent, j_flat,
                           w->j_errors);
    }
    if (rc == SVC_OK && json_array_size(w->j_errors) > 0) {
        rc = SVC_EINVALID;
    }
    *flat_out = j_flat;
    return rc;
}

/* Re-reads the row and records the change in the audit trail. */
static int finish_write(db_conn *conn, write_ctx *w, const char *id, const char *action,
                        const char *before)
{
    int rc = db_resource_get(conn, w->r->db, id, 0, &w->doc);
    if (rc == SVC_OK) {
        rc = db_audit_append(conn, w->rc->who.sub, action, w->r->db->type, id,
                             w->rc->request_id, before, w->doc.json);
    }
    return rc;
}

/* A sub-resource is created only under a parent that exists and is not archived. */
static int parent_writable(db_conn *conn, write_ctx *w)
{
    const api_resource *parent = w->r->parent;
    int exists = 0, archived = 0;
    int rc = db_resource_state(conn, parent->db, w->parent_id, &exists, &archived);
    if (rc != SVC_OK) {
        return rc;
    }
    if (!exists) {
        w->missing = parent->name;
        return SVC_ENOTFOUND;
    }
    if (archived) {
        snprintf(w->why, sizeof w->why, "the %s is archived; restore it first", parent->name);
        return SVC_ESTATE;
    }
    return SVC_OK;
}

static int create_tx(db_conn *conn, void *arg)
{
    write_ctx *w = arg;
    json_t *j_flat = NULL;
    char *flat_text = NULL;
    int rc;

    write_reset(w);
    if (w->parent_id != NULL && (rc = parent_writable(conn, w)) != SVC_OK) {
        return rc;
    }
    w->j_sent = json_incref((json_t *)w->j_input);
    rc = validated_flat(conn, w, w->j_input, VALIDATE_CREATE, &j_flat);
    if (rc != SVC_OK) {
        goto out;
    }
    flat_text = json_dumps(j_flat, JSON_COMPACT | JSON_REAL_PRECISION(17));
    rc = flat_text ? db_resource_insert(conn, w->r->db, flat_text, w->rc->who.sub, w->new_id)
                   : SVC_EINTERNAL;
    if (rc == SVC_OK) {
        rc = finish_write(conn, w, w->new_id, "create", NULL);
    }
out:
    free(flat_text);
    json_decref(j_flat);
    return rc;
}

static int update_tx(db_conn *conn, void *arg)
{
    write_ctx *w = arg;
    db_doc before = {0};
    json_t *j_before = NULL, *j_merged = NULL, *j_flat = NULL, *j_flat_before = NULL;
    json_t *j_scratch = json_array();
    char *flat_text = NULL;
    int rc;

    write_reset(w);
    rc = db_resource_get(conn, w->r->db, w->id, 1, &before);
    if (rc != SVC_OK) {
        goto out;
    }
    if (before.archived) {
        snprintf(w->why, sizeof w->why, "the %s is archived; restore it first", w->r->name);
        rc = SVC_ESTATE;
        goto out;
    }
    if (!api_if_match(w->rc, before.version)) {
        rc = SVC_EPRECONDITION;
        goto out;
    }
    /* The parent of a sub-resource comes from its row, never from the patch. */
    w->parent_id = w->r->parent_field != NULL ? before.parent_id : NULL;
    j_before = json_loads(before.json, 0, NULL);
    j_merged = j_before ? merge_patch(j_before, w->j_input) : NULL;
    w->j_sent = j_before ? patch_changes(w->j_input, j_before) : NULL;
    if (j_merged == NULL) {
        rc = SVC_EINTERNAL;
        goto out;
    }
    rc = validated_flat(conn, w, j_merged, VALIDATE_UPDATE, &j_flat);
    if (rc != SVC_OK) {
        goto out;
    }
    /* A patch that changes nothing is not a change: no new version, no audit event. */
    j_flat_before = validate_doc(j_before, w->r->fields, w->r->read_only, VALIDATE_UPDATE,
                                 j_scratch);
    if (w->parent_id != NULL) {
        json_object_set_new(j_flat_before, w->r->parent_field, json_string(w->parent_id));
    }
    if (json_equal(j_flat, j_flat_before)) {
        w->doc = before;
        memset(&before, 0, sizeof before);
        goto out;
    }
    flat_text = json_dumps(j_flat, JSON_COMPACT | JSON_REAL_PRECISION(17));
    rc = flat_text ? db_resource_update(conn, w->r->db, w->id, flat_text, w->rc->who.sub)
                   : SVC_EINTERNAL;
    if (rc == SVC_OK) {
        rc = finish_write(conn, w, w->id, "update", before.json);
    }
out:
    w->parent_id = NULL;
    free(flat_text);
    json_decref(j_scratch);
    json_decref(j_flat_before);
    json_decref(j_flat);
    json_decref(j_merged);
    json_decref(j_before);
    db_doc_clear(&before);
    return rc;
}

static int archive_tx(db_conn *conn, void *arg)
{
    write_ctx *w = arg;
    db_doc before = {0};
    int rc;

    write_reset(w);
    rc = db_resource_get(conn, w->r->db, w->id, 1, &before);
    if (rc != SVC_OK) {
        goto out;
    }
    if (!api_if_match(w->rc, before.version)) {
        rc = SVC_EPRECONDITION;
        goto out;
    }
    if (before.archived) {
        goto out;
    }
    if (w->r->can_archive != NULL) {
        rc = w->r->can_archive(conn, w->id, w->why, sizeof w->why);
        if (rc != SVC_OK) {
            goto out;
        }
    }
    rc = db_resource_set_archived(conn, w->r->db, w->id, 1, w->rc->who.sub);
    if (rc == SVC_OK) {
        rc = finish_write(conn, w, w->id, "archive", before.json);
    }
out:
    db_doc_clear(&before);
    return rc;
}

/* A row comes back only under live rows: its parent and what it references. */
static int restorable(db_conn *conn, write_ctx *w, const db_doc *before)
{
    const api_resource *r = w->r;
    json_t *j_before = json_loads(before->json, 0, NULL);
    int rc = j_before ? SVC_OK : SVC_EINTERNAL;

    for (int i = -1; rc == SVC_OK && (i < 0 || (r->references && r->references[i].field)); i++) {
        const char *field = i < 0 ? r->parent_field : r->references[i].field;
        const db_resource *target = i < 0 ? (r->parent ? r->parent->db : NULL)
                                          : r->references[i].target;
        const char *id = field ? json_string_value(json_object_get(j_before, field)) : NULL;
        int exists = 0, archived = 0;
        if (id == NULL || target == NULL) {
            continue;
        }
        rc = db_resource_state(conn, target, id, &exists, &archived);
        if (rc == SVC_OK && archived) {
            snprintf(w->why, sizeof w->why, "its %s (%s) is archived; restore that first",
                     target->type, field);
            rc = SVC_ESTATE;
        }
    }
    json_decref(j_before);
    return rc;
}

static int restore_tx(db_conn *conn, void *arg)
{
    write_ctx *w = arg;
    db_doc before = {0};
    int rc;

    write_reset(w);
    rc = db_resource_get(conn, w->r->db, w->id, 1, &before);
    if (rc != SVC_OK) {
        goto out;
    }
    if (!before.archived) {
        w->doc = before;
        memset(&before, 0, sizeof before);
        goto out;
    }
    rc = restorable(conn, w, &before);
    if (rc != SVC_OK) {
        goto out;
    }
    rc = db_resource_set_archived(conn, w->r->db, w->id, 0, w->rc->who.sub);
    if (rc == SVC_OK) {
        rc = finish_write(conn, w, w->id, "restore", before.json);
    }
out:
    db_doc_clear(&before);
    return rc;
}

/* Sends the problem for a failed write. */
static void write_problem(write_ctx *w, int code)
{
    json_t *j_errors;
    switch (code) {
    case SVC_EINVALID:
        problem_send(w->rc, PROBLEM_VALIDATION_FAILED, "the request body has invalid fields",
                     json_incref(w->j_errors));
        return;
    case SVC_ECONFLICT:
        j_errors = json_array();
        errors_add(j_errors, "/ref", "conflict", "another %s already has this ref", w->r->name);
        problem_send(w->rc, PROBLEM_CONFLICT, "the ref is already taken", j_errors);
        return;
    case SVC_ESTATE:
        j_errors = json_array();
        errors_add(j_errors, "", "state", "%s", w->why);
        problem_send(w->rc, PROBLEM_CONFLICT, w->why, j_errors);
        return;
    default:
        problem_from_rc(w->rc, code, w->missing ? w->missing : w->r->name);
        return;
    }
}

/* Runs @p fn in a transaction; on failure sends the problem. Returns 1 only when the
 * transaction committed: the document in @p w may have been read before a failed
 * COMMIT, so it is never a sign of success on its own. */
static int write_run(write_ctx *w, db_fn fn)
{
    w->j_errors = json_array();
    int code = db_tx_run(w->rc->app->pool, fn, w);
    if (code != SVC_OK) {
        write_problem(w, code);
        return 0;
    }
    return w->doc.json != NULL;
}

static void write_clear(write_ctx *w)
{
    json_decref(w->j_sent);
    json_decref(w->j_errors);
    db_doc_clear(&w->doc);
}

void api_resource_create(req_ctx *rc, const api_resource *r)
{
    char parent_id[37];
    write_ctx w = {.rc = rc, .r = r};
    json_t *j_body = NULL;

    if (r->parent != NULL) {
        if (api_path_uuid_or_problem(rc, 0, parent_id) != 0) {
            return;
        }
        w.parent_id = parent_id;
    }
    if (api_read_object_or_problem(rc, 0, &j_body) != 0) {
        return;
    }
    w.j_input = j_body;
    if (write_run(&w, create_tx)) {
        char location[256];
        snprintf(location, sizeof location, "%s/%s", r->collection_path, w.new_id);
        u_map_put(rc->resp->map_header, "Location", location);
        api_reply_doc(rc, 201, &w.doc);
    }
    write_clear(&w);
    json_decref(j_body);
}

void api_resource_update(req_ctx *rc, const api_resource *r)
{
    char id[37];
    write_ctx w = {.rc = rc, .r = r, .id = id};
    json_t *j_patch = NULL;

    if (api_path_uuid_or_problem(rc, 0, id) != 0 ||
        api_read_object_or_problem(rc, 1, &j_patch) != 0) {
        return;
    }
    w.j_input = j_patch;
    if (write_run(&w, update_tx)) {
        api_reply_doc(rc, 200, &w.doc);
    }
    write_clear(&w);
    json_decref(j_patch);
}

void api_resource_archive(req_ctx *rc, const api_resource *r)
{
    char id[37];
    write_ctx w = {.rc = rc, .r = r, .id = id};

    if (api_path_uuid_or_problem(rc, 0, id) != 0) {
        return;
    }
    w.j_errors = json_array();
    int code = db_tx_run(rc->app->pool, archive_tx, &w);
    if (code == SVC_OK) {
        ulfius_set_empty_body_response(rc->resp, 204);
    } else {
        write_problem(&w, code);
    }
    write_clear(&w);
}

void api_resource_restore(req_ctx *rc, const api_resource *r)
{
    char id[37];
    write_ctx w = {.rc = rc, .r = r, .id = id};

    if (api_path_uuid_or_problem(rc, 0, id) != 0) {
        return;
    }
    if (write_run(&w, restore_tx)) {
        api_reply_doc(rc, 200, &w.doc);
    }
    write_clear(&w);
}

typedef struct get_ctx {
    const db_resource *r;
    const char *id;
    db_doc doc;
} get_ctx;

static int get_fn(db_conn *conn, void *arg)
{
    get_ctx *g = arg;
    return db_resource_get(conn, g->r, g->id, 0, &g->doc);
}

void api_resource_get(req_ctx *rc, const api_resource *r)
{
    char id[37];
    get_ctx g = {.r = r->db, .id = id};
    int code;

    if (api_path_uuid_or_problem(rc, 0, id) != 0) {
        return;
    }
    code = db_run(rc->app->pool, get_fn, &g);
    if (code != SVC_OK) {
        problem_from_rc(rc, code, r->name);
    } else if (api_if_none_match(rc, g.doc.version)) {
        api_set_etag(rc, g.doc.version);
        ulfius_set_empty_body_response(rc->resp, 304);
    } else {
        api_reply_doc(rc, 200, &g.doc);
    }
    db_doc_clear(&g.doc);
}

typedef struct list_ctx {
    const api_resource *r;
    const db_list_query *q;
    db_page page;
} list_ctx;

static int list_fn(db_conn *conn, void *arg)
{
    list_ctx *l = arg;
    if (l->q->parent_id != NULL) {
        int exists = 0, archived = 0;
        int rc = db_resource_state(conn, l->r->parent->db, l->q->parent_id, &exists, &archived);
        if (rc != SVC_OK || !exists) {
            return rc != SVC_OK ? rc : SVC_ENOTFOUND;
        }
    }
    return db_resource_list(conn, l->r->db, l->q, &l->page);
}

void api_resource_list(req_ctx *rc, const api_resource *r)
{
    char parent_id[37];
    db_list_query q;
    list_scratch scratch;
    list_ctx l = {.r = r, .q = &q};
    int code;

    if (r->parent != NULL && api_path_uuid_or_problem(rc, 0, parent_id) != 0) {
        return;
    }
    if (api_list_params_or_problem(rc, r->db, &q, &scratch) != 0) {
        return;
    }
    q.parent_id = r->parent != NULL ? parent_id : NULL;
    code = db_run(rc->app->pool, list_fn, &l);
    if (code != SVC_OK) {
        problem_from_rc(rc, code, r->parent != NULL ? r->parent->name : r->name);
    } else {
        api_reply_page(rc, &scratch, &l.page);
    }
    db_page_clear(&l.page);
    list_scratch_clear(&scratch);
}
