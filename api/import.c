/* Bulk import. A body (JSON document, or CSV / NDJSON of one type) becomes rows; inside
 * one transaction every row is matched by ref against stored rows, its references are
 * resolved (to rows of the same import or stored ones), it is validated with the same
 * field rules as the single-row API, and the rows that pass are written set-based, one
 * statement per type and step. Atomic mode commits only when every row passed; a dry
 * run always rolls back; either way the reply says what each row did or would do. */
#include "api/import.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "api/common.h"
#include "api/copy_text.h"
#include "api/import_parse.h"
#include "api/parse.h"
#include "api/resources.h"
#include "api/validate.h"
#include "db/import.h"
#include "service/log.h"
#include "service/problem.h"
#include "service/rc.h"

typedef enum {
    T_OBJECTIVE,
    T_RISK,
    T_PLAN,
    T_MEASUREMENT,
    T_ACTION,
    T_REVIEW,
    T_REVIEW_ITEM,
    T_LINK,
    NTYPES
} row_type;

typedef struct ref_spec {
    const char *key;    /* e.g. "objective_ref" */
    row_type target;
    const char *column; /* e.g. "objective_id" */
    int required;
} ref_spec;

typedef struct type_info {
    const char *name;   /* result "type" */
    const char *plural; /* document key and ?type= value */
    const api_resource *res;
    ref_spec refs[2];
} type_info;

/* In write order: a row's references are written before it. */
static const type_info types[NTYPES] = {
    [T_OBJECTIVE] = {"objective", "objectives", &api_objective_resource,
                     {{"parent_ref", T_OBJECTIVE, "parent_id", 0}}},
    [T_RISK] = {"risk", "risks", &api_risk_resource, {{0}}},
    [T_PLAN] = {"plan", "plans", &api_plan_resource,
                {{"objective_ref", T_OBJECTIVE, "objective_id", 1}}},
    [T_MEASUREMENT] = {"measurement", "measurements", &api_measurement_resource,
                       {{"objective_ref", T_OBJECTIVE, "objective_id", 1}}},
    [T_ACTION] = {"action", "actions", &api_action_resource, {{"plan_ref", T_PLAN, "plan_id", 1}}},
    [T_REVIEW] = {"review", "reviews", &api_review_resource, {{0}}},
    [T_REVIEW_ITEM] = {"review_item", "items", &api_review_item_resource,
                       {{"objective_ref", T_OBJECTIVE, "objective_id", 1}}},
    [T_LINK] = {"link", "links", NULL,
                {{"objective_ref", T_OBJECTIVE, "objective_id", 1},
                 {"risk_ref", T_RISK, "risk_id", 1}}},
};

/* Result order: the order DESIGN lists the document's keys. */
static const row_type result_order[] = {T_OBJECTIVE, T_MEASUREMENT, T_PLAN, T_ACTION,
                                        T_RISK,      T_LINK,        T_REVIEW};

enum { ST_PENDING, ST_CREATED, ST_UPDATED, ST_SKIPPED, ST_FAILED };
static const char *const status_names[] = {"pending", "created", "updated", "skipped", "failed"};
enum { ON_CONFLICT_ERROR, ON_CONFLICT_UPDATE, ON_CONFLICT_SKIP };

typedef struct row {
    row_type type;
    size_t index;       /* within its type (items: within their review) */
    size_t line;        /* CSV/NDJSON physical line; 0 for JSON */
    json_t *j_in;       /* borrowed from the parsed body */
    json_t *j_flat;     /* validated flat document */
    json_t *j_errors;
    json_t *j_parse_errors; /* found while reading the body: they survive every attempt */
    char id[37];
    char pointer[160];  /* "/objectives/3" or "/reviews/2/items/0" */
    const char *ref;    /* borrowed from j_in */
    char *assigned_ref; /* server ref after insert */
    int status;
    int stored;         /* matched a stored row (update or skip) */
    long review;        /* items: their review's row */
    long target_row[2]; /* in-import row a reference resolved to, or -1 */
    char target_id[2][37];
    int cyclic;         /* found on a parent cycle: fails on the next attempt */
} row;

/* Where an import spends its time, reported in its log line (milliseconds, all attempts). */
typedef enum {
    PH_READ,     /* parsing the body into rows */
    PH_LOOKUP,   /* stored rows by ref */
    PH_VALIDATE, /* matching, resolving and validating in C */
    PH_STAGE,    /* rendering and COPYing rows into the staging tables */
    PH_INSERT,
    PH_UPDATE,
    PH_AUDIT,
    PH_OTHER,    /* links, cycle check, commit or rollback */
    PH_REPLY,
    PH_RELEASE,  /* freeing the rows and documents */
    NPHASES
} phase;
static const char *const phase_names[NPHASES] = {"read",   "lookup", "validate", "stage",  "insert",
                                                 "update", "audit",  "other",    "reply", "release"};

typedef struct import_ctx {
    req_ctx *rc;
    double phase_ms[NPHASES];
    double mark; /* when the current phase began */
    int partial, dry_run, on_conflict;
    row *rows;
    size_t nrows, cap;
    size_t count[NTYPES];
    json_t *in_import[NTYPES]; /* ref → row index */
    json_t *stored[NTYPES];    /* ref → {id, archived} */
    int any_failed;
    int redo;                  /* cycles found: run again without those rows */
} import_ctx;

static double ms_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Adds the time since the mark to phase @p ph; the next phase begins now. */
static void phase_end(import_ctx *c, phase ph)
{
    double now = ms_now();
    c->phase_ms[ph] += now - c->mark;
    c->mark = now;
}

static row *row_add(import_ctx *c, row_type type, json_t *j_in, size_t line)
{
    if (c->nrows == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        row *grown = realloc(c->rows, cap * sizeof *grown);
        if (grown == NULL) {
            return NULL;
        }
        c->rows = grown;
        c->cap = cap;
    }
    row *r = &c->rows[c->nrows++];
    memset(r, 0, sizeof *r);
    r->type = type;
    r->index = c->count[type]++;
    r->line = line;
    r->j_in = j_in;
    r->review = -1;
    r->target_row[0] = r->target_row[1] = -1;
    snprintf(r->pointer, sizeof r->pointer, "/%s/%zu", types[type].plural, r->index);
    return r;
}

/* Errors listed per row: a reply stays proportionate to the rows, however many faults
 * a hostile row packs. */
#define ROW_ERRORS_MAX 10

static void row_error(row *r, const char *field, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void row_error(row *r, const char *field, const char *code, const char *fmt, ...)
{
    char message[300], ptr[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    snprintf(ptr, sizeof ptr, "%s%s%s", r->pointer, field[0] ? "/" : "", field);
    if (r->j_errors == NULL) {
        r->j_errors = json_array();
    }
    errors_add_max(r->j_errors, ROW_ERRORS_MAX, ptr, code, "%s", message);
    r->status = ST_FAILED;
}

/* ---- parsing the body into rows ---- */

static int add_rows_of(import_ctx *c, row_type type, json_t *j_array, const size_t *lines)
{
    size_t i;
    json_t *j_row;
    json_array_foreach(j_array, i, j_row)
    {
        row *r = row_add(c, type, j_row, lines ? lines[i] : 0);
        if (r == NULL) {
            return -1;
        }
        if (!json_is_object(j_row)) {
            row_error(r, "", "type", "a row must be a JSON object");
            continue;
        }
        if (type != T_REVIEW) {
            continue;
        }
        /* A review's items are rows of their own, reported within the review. */
        json_t *j_items = json_object_get(j_row, "items");
        long review = (long)(r - c->rows);
        if (j_items != NULL && !json_is_array(j_items)) {
            row_error(r, "items", "type", "must be an array of review items");
            continue;
        }
        size_t k;
        json_t *j_item;
        json_array_foreach(j_items, k, j_item)
        {
            row *item = row_add(c, T_REVIEW_ITEM, j_item, r->line);
            if (item == NULL) {
                return -1;
            }
            item->review = review;
            item->index = k;
            snprintf(item->pointer, sizeof item->pointer, "%.100s/items/%zu",
                     c->rows[review].pointer, k);
            if (!json_is_object(j_item)) {
                row_error(item, "", "type", "a review item must be a JSON object");
            }
        }
    }
    return 0;
}

static row_type type_named(const char *plural)
{
    for (int t = 0; t < NTYPES; t++) {
        if (t != T_REVIEW_ITEM && strcmp(types[t].plural, plural) == 0) {
            return (row_type)t;
        }
    }
    return NTYPES;
}

/* ---- matching, resolving, validating (inside the transaction) ---- */

static void ctx_reset(import_ctx *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        row *r = &c->rows[i];
        json_decref(r->j_flat);
        r->j_flat = NULL;
        free(r->assigned_ref);
        r->assigned_ref = NULL;
        r->stored = 0;
        r->target_row[0] = r->target_row[1] = -1;
        json_decref(r->j_errors);
        r->j_errors = r->j_parse_errors ? json_deep_copy(r->j_parse_errors) : NULL;
        r->status = r->j_parse_errors ? ST_FAILED : ST_PENDING;
        r->ref = json_string_value(json_object_get(r->j_in, "ref"));
    }
    for (int t = 0; t < NTYPES; t++) {
        json_decref(c->in_import[t]);
        json_decref(c->stored[t]);
        c->in_import[t] = json_object();
        c->stored[t] = NULL;
    }
    c->any_failed = 0;
    c->redo = 0;
}

/* A time-ordered id (RFC 9562 version 7), like the database's uuid_v7(): rows written
 * together share index pages. */
static void new_uuid(char out[37])
{
    unsigned char b[16];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t ms = (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        memset(b, 0, sizeof b);
    }
    for (int i = 0; i < 6; i++) {
        b[i] = (unsigned char)(ms >> (8 * (5 - i)));
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x70);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

/* Loads the stored rows named by any ref of the import, one query per table. */
static int load_stored(db_conn *conn, import_ctx *c)
{
    json_t *j_refs[NTYPES] = {0};
    int rc = SVC_OK;

    for (int t = 0; t < NTYPES; t++) {
        j_refs[t] = json_array();
    }
    for (size_t i = 0; i < c->nrows; i++) {
        row *r = &c->rows[i];
        if (r->ref != NULL) {
            json_array_append_new(j_refs[r->type], json_string(r->ref));
        }
        for (int k = 0; k < 2 && types[r->type].refs[k].key; k++) {
            const char *target = json_string_value(json_object_get(r->j_in, types[r->type].refs[k].key));
            if (target != NULL) {
                json_array_append_new(j_refs[types[r->type].refs[k].target], json_string(target));
            }
        }
    }
    for (int t = 0; t < NTYPES && rc == SVC_OK; t++) {
        char *refs = NULL, *map = NULL;
        if (types[t].res == NULL || json_array_size(j_refs[t]) == 0) {
            c->stored[t] = json_object();
            continue;
        }
        refs = json_dumps(j_refs[t], JSON_COMPACT);
        rc = refs ? db_import_lookup(conn, types[t].res->db, refs, &map) : SVC_EINTERNAL;
        if (rc == SVC_OK) {
            c->stored[t] = json_loads(map, 0, NULL);
            rc = c->stored[t] ? SVC_OK : SVC_EINTERNAL;
        }
        free(refs);
        free(map);
    }
    for (int t = 0; t < NTYPES; t++) {
        json_decref(j_refs[t]);
    }
    return rc;
}

/* Decides create / update / skip by ref, and gives every row its id. */
static void match_rows(import_ctx *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        row *r = &c->rows[i];
        json_t *j_stored = r->ref ? json_object_get(c->stored[r->type], r->ref) : NULL;
        if (r->status == ST_FAILED || r->type == T_LINK) {
            continue;
        }
        if (r->ref != NULL && json_object_get(c->in_import[r->type], r->ref) != NULL) {
            row_error(r, "ref", "conflict", "repeats the ref of an earlier row");
            continue;
        }
        if (r->ref != NULL) {
            json_object_set_new(c->in_import[r->type], r->ref, json_integer((json_int_t)i));
        }
        if (j_stored == NULL) {
            new_uuid(r->id);
            continue;
        }
        r->stored = 1;
        snprintf(r->id, sizeof r->id, "%s", json_string_value(json_object_get(j_stored, "id")));
        if (c->on_conflict == ON_CONFLICT_ERROR) {
            row_error(r, "ref", "conflict", "a stored %s already has this ref", types[r->type].name);
        } else if (c->on_conflict == ON_CONFLICT_SKIP) {
            r->status = ST_SKIPPED;
        } else if (json_is_true(json_object_get(j_stored, "archived"))) {
            row_error(r, "ref", "state", "the stored %s is archived; restore it first",
                      types[r->type].name);
        }
    }
}

/* A review left alone leaves its items alone. */
static void skip_items_of_skipped_reviews(import_ctx *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        row *r = &c->rows[i];
        if (r->type == T_REVIEW_ITEM && r->status == ST_PENDING &&
            c->rows[r->review].status == ST_SKIPPED) {
            r->status = ST_SKIPPED;
        }
    }
}

/* Resolves each *_ref to a row of this import or a stored row. */
static void resolve_refs(import_ctx *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        row *r = &c->rows[i];
        if (r->status == ST_FAILED || r->status == ST_SKIPPED) {
            continue;
        }
        if (r->type == T_REVIEW_ITEM && r->review >= 0) {
            r->target_row[1] = r->review; /* the review: the item's parent */
        }
        for (int k = 0; k < 2 && types[r->type].refs[k].key; k++) {
            const ref_spec *spec = &types[r->type].refs[k];
            const json_t *j_ref = json_object_get(r->j_in, spec->key);
            const char *target = json_string_value(j_ref);
            json_t *j_row, *j_stored;
            if (j_ref == NULL || json_is_null(j_ref)) {
                if (spec->required) {
                    row_error(r, spec->key, "required", "is required");
                }
                continue;
            }
            if (target == NULL) {
                row_error(r, spec->key, "type", "must be a string");
                continue;
            }
            if ((j_row = json_object_get(c->in_import[spec->target], target)) != NULL) {
                r->target_row[k] = (long)json_integer_value(j_row);
                memcpy(r->target_id[k], c->rows[r->target_row[k]].id, 37);
            } else if ((j_stored = json_object_get(c->stored[spec->target], target)) != NULL) {
                if (json_is_true(json_object_get(j_stored, "archived"))) {
                    row_error(r, spec->key, "reference", "the %s %.64s is archived",
                              types[spec->target].name, target);
                } else {
                    snprintf(r->target_id[k], 37, "%s",
                             json_string_value(json_object_get(j_stored, "id")));
                }
            } else {
                row_error(r, spec->key, "reference", "no %s has the ref %.64s",
                          types[spec->target].name, target);
            }
        }
    }
}

static const field_spec *field_named(const field_spec *fields, const char *name)
{
    for (const field_spec *f = fields; f->name; f++) {
        if (strcmp(f->name, name) == 0) {
            return f;
        }
    }
    return NULL;
}

/* Validates one row with its resource's field rules; the reference columns take the
 * resolved ids. */
static void validate_row(import_ctx *c, row *r)
{
    const type_info *ti = &types[r->type];
    const api_resource *res = ti->res;
    json_t *j_work = json_copy(r->j_in); /* shallow: only top-level keys change */
    json_t *j_errors = json_array();
    static const char placeholder[] = "00000000-0000-4000-8000-000000000000";

    for (int k = 0; k < 2 && ti->refs[k].key; k++) {
        const char *column = ti->refs[k].column;
        if (json_object_get(r->j_in, column) != NULL) {
            row_error(r, column, "unknown_field", "refer by %s, not by id", ti->refs[k].key);
        }
        json_object_del(j_work, ti->refs[k].key);
        if (res != NULL && field_named(res->fields, column) != NULL) {
            const char *id = r->target_id[k][0] ? r->target_id[k] : NULL;
            json_object_set_new(j_work, column,
                                id ? json_string(id)
                                   : (ti->refs[k].required ? json_string(placeholder)
                                                           : json_null()));
        }
    }
    if (r->type == T_REVIEW) {
        json_object_del(j_work, "items");
    }
    if (res == NULL) {
        /* Links have no fields besides their two refs. */
        const char *key;
        json_t *j_v;
        json_object_foreach(j_work, key, j_v)
        {
            row_error(r, key, "unknown_field", "a link has only objective_ref and risk_ref");
        }
        json_decref(j_work);
        json_decref(j_errors);
        return;
    }
    r->j_flat = validate_doc(j_work, res->fields, res->read_only, VALIDATE_CREATE, j_errors);
    for (int k = 0; k < 2 && ti->refs[k].key; k++) {
        if (r->target_id[k][0]) {
            json_object_set_new(r->j_flat, ti->refs[k].column, json_string(r->target_id[k]));
        }
    }
    if (res->parent_field != NULL && r->type == T_REVIEW_ITEM) {
        json_object_set_new(r->j_flat, res->parent_field, json_string(c->rows[r->review].id));
    }
    if (res->normalize) {
        res->normalize(r->j_flat);
    }
    if (res->check) {
        res->check(r->j_flat, j_errors);
    }
    json_object_set_new(r->j_flat, "id", json_string(r->id));
    /* Field pointers are relative to the row: prefix them. */
    size_t i;
    json_t *j_err;
    json_array_foreach(j_errors, i, j_err)
    {
        const char *field = json_string_value(json_object_get(j_err, "field"));
        row_error(r, field[0] == '/' ? field + 1 : field,
                  json_string_value(json_object_get(j_err, "code")), "%s",
                  json_string_value(json_object_get(j_err, "message")));
    }
    json_decref(j_errors);
    json_decref(j_work);
}

/* The rows that refer to each row, grouped by the row they refer to: the referrers of
 * row t are of[first[t]] .. of[first[t + 1] - 1]. */
typedef struct referrers {
    size_t *first;
    size_t *of;
} referrers;

static int referrers_build(const import_ctx *c, referrers *rf)
{
    size_t n = c->nrows;
    rf->first = calloc(n + 1, sizeof *rf->first);
    rf->of = malloc((2 * n + 1) * sizeof *rf->of);
    if (rf->first == NULL || rf->of == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++) {
            if (c->rows[i].target_row[k] >= 0) {
                rf->first[c->rows[i].target_row[k] + 1]++;
            }
        }
    }
    for (size_t t = 1; t <= n; t++) {
        rf->first[t] += rf->first[t - 1];
    }
    /* Filling advances each start to the next one's; shifting back restores them. */
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++) {
            if (c->rows[i].target_row[k] >= 0) {
                rf->of[rf->first[c->rows[i].target_row[k]]++] = i;
            }
        }
    }
    memmove(rf->first + 1, rf->first, n * sizeof *rf->first);
    rf->first[0] = 0;
    return 0;
}

/* The field of @p r whose reference names row @p target. */
static const char *reference_key(const row *r, long target)
{
    int k = r->target_row[0] == target ? 0 : 1;
    const char *key = r->type == T_REVIEW_ITEM && k == 1 ? "" : types[r->type].refs[k].key;
    return key ? key : "";
}

/* A row fails with what it refers to, and a review with any of its items. A worklist of
 * the rows that failed, so a long chain of references costs one step per row. */
static int propagate_failures(import_ctx *c)
{
    referrers rf = {0};
    size_t *failed = malloc((c->nrows + 1) * sizeof *failed), head = 0, tail = 0;

    if (failed == NULL || referrers_build(c, &rf) != 0) {
        free(failed);
        free(rf.first);
        free(rf.of);
        return SVC_EINTERNAL;
    }
    for (size_t i = 0; i < c->nrows; i++) {
        if (c->rows[i].status == ST_FAILED) {
            failed[tail++] = i;
        }
    }
    while (head < tail) {
        size_t f = failed[head++];
        row *r = &c->rows[f];
        if (r->type == T_REVIEW_ITEM && c->rows[r->review].status != ST_FAILED) {
            row_error(&c->rows[r->review], "", "reference", "one of its items failed");
            failed[tail++] = (size_t)r->review;
        }
        for (size_t j = rf.first[f]; j < rf.first[f + 1]; j++) {
            row *referrer = &c->rows[rf.of[j]];
            if (referrer->status != ST_FAILED) {
                row_error(referrer, reference_key(referrer, (long)f), "reference",
                          "names a row of this import that failed");
                failed[tail++] = rf.of[j];
            }
        }
    }
    free(failed);
    free(rf.first);
    free(rf.of);
    return SVC_OK;
}

/* The live stored items of @p j_items (newest first) by "review_id/objective_id": arrays
 * of ids, the oldest last. New reference. */
static json_t *unmatched_items(json_t *j_items)
{
    json_t *j_by_key = json_object(), *j_it;
    size_t k;
    json_array_foreach(j_items, k, j_it)
    {
        char key[80];
        if (json_is_true(json_object_get(j_it, "archived"))) {
            continue;
        }
        snprintf(key, sizeof key, "%s/%s", json_string_value(json_object_get(j_it, "review_id")),
                 json_string_value(json_object_get(j_it, "objective_id")));
        json_t *j_ids = json_object_get(j_by_key, key);
        if (j_ids == NULL) {
            j_ids = json_array();
            json_object_set_new(j_by_key, key, j_ids);
        }
        json_array_append(j_ids, json_object_get(j_it, "id"));
    }
    return j_by_key;
}

/* Review items without a ref match a stored item of their review for the same
 * objective, so an import can be run again without duplicating them. */
static int match_review_items(db_conn *conn, import_ctx *c)
{
    json_t *j_reviews = json_array();
    char *ids = NULL, *items = NULL;
    json_t *j_items = NULL, *j_unmatched = NULL;
    int rc = SVC_OK;

    for (size_t i = 0; i < c->nrows; i++) {
        if (c->rows[i].type == T_REVIEW && c->rows[i].stored) {
            json_array_append_new(j_reviews, json_string(c->rows[i].id));
        }
    }
    if (json_array_size(j_reviews) == 0) {
        goto out;
    }
    ids = json_dumps(j_reviews, JSON_COMPACT);
    rc = db_import_review_items(conn, ids, &items);
    j_items = rc == SVC_OK ? json_loads(items, 0, NULL) : NULL;
    j_unmatched = unmatched_items(j_items);
    for (size_t i = 0; j_unmatched && i < c->nrows; i++) {
        row *r = &c->rows[i];
        char key[80];
        if (r->type != T_REVIEW_ITEM || r->status == ST_FAILED || r->ref != NULL) {
            continue;
        }
        snprintf(key, sizeof key, "%s/%s", c->rows[r->review].id, r->target_id[0]);
        json_t *j_ids = json_object_get(j_unmatched, key);
        size_t left = json_array_size(j_ids);
        if (left == 0) {
            continue;
        }
        /* Each stored item matches one row at most, the oldest first. */
        snprintf(r->id, sizeof r->id, "%s", json_string_value(json_array_get(j_ids, left - 1)));
        json_array_remove(j_ids, left - 1);
        r->stored = 1;
        if (c->on_conflict == ON_CONFLICT_SKIP) {
            r->status = ST_SKIPPED;
        }
    }
out:
    json_decref(j_unmatched);
    free(ids);
    free(items);
    json_decref(j_items);
    json_decref(j_reviews);
    return rc;
}

/* ---- writing ---- */

/* The names in a resource's column list ("ref, title, ..."), in a strdup'd buffer;
 * *buf_out is NULL when they do not fit in @p cap (or on allocation failure). */
static size_t column_names(const db_resource *dbr, char **buf_out, const char *names[], size_t cap)
{
    char *save = NULL;
    size_t n = 0;
    *buf_out = strdup(dbr->columns);
    for (char *c = *buf_out ? strtok_r(*buf_out, ", ", &save) : NULL; c;
         c = strtok_r(NULL, ", ", &save)) {
        if (n == cap) {
            free(*buf_out);
            *buf_out = NULL;
            return 0;
        }
        names[n++] = c;
    }
    return n;
}

/* COPYs the pending rows of type @p t into its staging table, counting creates and updates. */
static int stage_rows(db_conn *conn, import_ctx *c, row_type t, int *creates, int *updates)
{
    const db_resource *dbr = types[t].res->db;
    const char *names[64];
    char *names_buf = NULL;
    size_t ncols = column_names(dbr, &names_buf, names, 64);
    copy_text text;
    int rc;

    copy_text_init(&text);
    *creates = *updates = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        row *r = &c->rows[i];
        if (r->type != t || r->status != ST_PENDING) {
            continue;
        }
        const char *lead[] = {r->stored ? "t" : "f", r->id};
        copy_text_row(&text, lead, 2, r->j_flat, names, ncols);
        *(r->stored ? updates : creates) += 1;
    }
    rc = names_buf == NULL || text.failed ? SVC_EINTERNAL
         : *creates + *updates == 0       ? SVC_OK
                                          : db_import_stage(conn, dbr, text.data, text.len);
    copy_text_clear(&text);
    free(names_buf);
    return rc;
}

static int write_type(db_conn *conn, import_ctx *c, row_type t)
{
    const db_resource *dbr = types[t].res->db;
    char *refs = NULL, *changed = NULL;
    json_t *j_refs = NULL, *j_changed = NULL, *j_changed_set = json_object();
    const char *actor = c->rc->who.sub, *rid = c->rc->request_id;
    int creates, updates;
    int rc = stage_rows(conn, c, t, &creates, &updates);

    phase_end(c, PH_STAGE);
    if (rc == SVC_OK && creates > 0) {
        rc = db_import_insert(conn, dbr, actor, &refs);
        j_refs = rc == SVC_OK ? json_loads(refs, 0, NULL) : NULL;
        phase_end(c, PH_INSERT);
    }
    if (rc == SVC_OK && updates > 0) {
        rc = db_import_update(conn, dbr, actor, &changed);
        phase_end(c, PH_UPDATE);
        j_changed = rc == SVC_OK ? json_loads(changed, 0, NULL) : NULL;
        size_t k;
        json_t *j_id;
        json_array_foreach(j_changed, k, j_id)
        {
            json_object_set(j_changed_set, json_string_value(j_id), json_true());
        }
    }
    for (size_t i = 0; rc == SVC_OK && i < c->nrows; i++) {
        row *r = &c->rows[i];
        if (r->type != t || r->status != ST_PENDING) {
            continue;
        }
        if (!r->stored) {
            const char *ref = json_string_value(json_object_get(j_refs, r->id));
            r->status = ST_CREATED;
            r->assigned_ref = ref ? strdup(ref) : NULL;
        } else {
            r->status = json_object_get(j_changed_set, r->id) ? ST_UPDATED : ST_SKIPPED;
        }
    }
    phase_end(c, PH_OTHER);
    if (rc == SVC_OK && creates > 0) {
        rc = db_import_audit(conn, dbr, NULL, actor, rid);
    }
    if (rc == SVC_OK && json_array_size(j_changed) > 0) {
        rc = db_import_audit(conn, dbr, changed, actor, rid);
    }
    phase_end(c, PH_AUDIT);
    free(refs);
    free(changed);
    json_decref(j_refs);
    json_decref(j_changed);
    json_decref(j_changed_set);
    return rc;
}

static int write_links(db_conn *conn, import_ctx *c)
{
    json_t *j_links = json_array(), *j_created = NULL, *j_new = json_object();
    char *links = NULL, *created = NULL;
    int rc = SVC_OK;

    for (size_t i = 0; i < c->nrows; i++) {
        row *r = &c->rows[i];
        if (r->type == T_LINK && r->status == ST_PENDING) {
            json_array_append_new(j_links, json_pack("{ssss}", "objective_id", r->target_id[0],
                                                     "risk_id", r->target_id[1]));
        }
    }
    if (json_array_size(j_links) > 0) {
        links = json_dumps(j_links, JSON_COMPACT);
        rc = db_import_links(conn, links, c->rc->who.sub, c->rc->request_id, &created);
        j_created = rc == SVC_OK ? json_loads(created, 0, NULL) : NULL;
    }
    size_t k;
    json_t *j_pair;
    json_array_foreach(j_created, k, j_pair)
    {
        char key[80];
        snprintf(key, sizeof key, "%s/%s", json_string_value(json_object_get(j_pair, "objective_id")),
                 json_string_value(json_object_get(j_pair, "risk_id")));
        json_object_set_new(j_new, key, json_true());
    }
    for (size_t i = 0; rc == SVC_OK && i < c->nrows; i++) {
        row *r = &c->rows[i];
        if (r->type == T_LINK && r->status == ST_PENDING) {
            char key[80];
            snprintf(key, sizeof key, "%s/%s", r->target_id[0], r->target_id[1]);
            r->status = json_object_get(j_new, key) ? ST_CREATED : ST_SKIPPED;
        }
    }
    free(links);
    free(created);
    json_decref(j_links);
    json_decref(j_created);
    json_decref(j_new);
    return rc;
}

/* Objectives written now sitting on a parent cycle are remembered, and the import runs
 * again without them. */
static int find_cycles(db_conn *conn, import_ctx *c)
{
    json_t *j_ids = json_array(), *j_cyclic = NULL;
    char *ids = NULL, *cyclic = NULL;
    int rc = SVC_OK;

    for (size_t i = 0; i < c->nrows; i++) {
        row *r = &c->rows[i];
        if (r->type == T_OBJECTIVE && (r->status == ST_CREATED || r->status == ST_UPDATED) &&
            json_is_string(json_object_get(r->j_flat, "parent_id"))) {
            json_array_append_new(j_ids, json_string(r->id));
        }
    }
    if (json_array_size(j_ids) > 0) {
        ids = json_dumps(j_ids, JSON_COMPACT);
        rc = db_import_cycles(conn, ids, &cyclic);
        j_cyclic = rc == SVC_OK ? json_loads(cyclic, 0, NULL) : NULL;
    }
    if (json_array_size(j_cyclic) > 0) {
        json_t *j_row_of = json_object(); /* objective id → row */
        size_t k;
        json_t *j_id;
        for (size_t i = 0; i < c->nrows; i++) {
            if (c->rows[i].type == T_OBJECTIVE) {
                json_object_set_new(j_row_of, c->rows[i].id, json_integer((json_int_t)i));
            }
        }
        json_array_foreach(j_cyclic, k, j_id)
        {
            json_t *j_row = json_object_get(j_row_of, json_string_value(j_id));
            if (j_row != NULL) {
                c->rows[json_integer_value(j_row)].cyclic = 1;
                c->redo = 1;
            }
        }
        json_decref(j_row_of);
    }
    free(ids);
    free(cyclic);
    json_decref(j_ids);
    json_decref(j_cyclic);
    return rc;
}

/* The whole import in one transaction; see the file comment. May run more than once
 * (db_tx_run retries, cycle redo): every derived state is rebuilt on entry. */
static int import_tx(db_conn *conn, void *arg)
{
    import_ctx *c = arg;
    int rc;

    ctx_reset(c);
    phase_end(c, PH_OTHER);
    rc = load_stored(conn, c);
    phase_end(c, PH_LOOKUP);
    if (rc != SVC_OK) {
        return rc;
    }
    match_rows(c);
    skip_items_of_skipped_reviews(c);
    resolve_refs(c);
    rc = match_review_items(conn, c);
    if (rc != SVC_OK) {
        return rc;
    }
    /* Every row gets all its field errors, also one that already failed to match. */
    for (size_t i = 0; i < c->nrows; i++) {
        row *r = &c->rows[i];
        if (r->cyclic) {
            row_error(r, "parent_ref", "cycle", "would make objectives their own ancestors");
        }
        if (r->status != ST_SKIPPED && r->j_parse_errors == NULL) {
            validate_row(c, r);
        }
    }
    rc = propagate_failures(c);
    if (rc != SVC_OK) {
        return rc;
    }
    for (size_t i = 0; i < c->nrows; i++) {
        c->any_failed |= c->rows[i].status == ST_FAILED;
    }
    phase_end(c, PH_VALIDATE);
    static const row_type write_order[] = {T_OBJECTIVE, T_RISK,   T_PLAN,        T_MEASUREMENT,
                                           T_ACTION,    T_REVIEW, T_REVIEW_ITEM};
    for (size_t k = 0; rc == SVC_OK && k < sizeof write_order / sizeof write_order[0]; k++) {
        rc = write_type(conn, c, write_order[k]);
    }
    if (rc == SVC_OK) {
        rc = write_links(conn, c);
    }
    if (rc == SVC_OK) {
        rc = find_cycles(conn, c);
    }
    phase_end(c, PH_OTHER);
    if (rc != SVC_OK) {
        return rc;
    }
    if (c->redo || c->dry_run || (c->any_failed && !c->partial)) {
        return SVC_EINVALID; /* roll back; the rows say what happened */
    }
    return SVC_OK;
}

/* ---- the reply ---- */

static json_t *results_render(import_ctx *c, json_t *j_errors_out)
{
    json_t *j_results = json_array();
    long totals[5] = {0};
    /* Items report within their review: their errors, gathered by review row. */
    json_t **j_item_errors = calloc(c->nrows + 1, sizeof *j_item_errors);

    if (j_item_errors == NULL) {
        json_decref(j_results);
        return NULL;
    }
    for (size_t i = 0; i < c->nrows; i++) {
        const row *r = &c->rows[i];
        if (r->type == T_REVIEW_ITEM && r->j_errors != NULL) {
            json_t **j_gathered = &j_item_errors[r->review];
            *j_gathered = *j_gathered ? *j_gathered : json_array();
            json_array_extend(*j_gathered, r->j_errors);
        }
    }
    for (size_t o = 0; o < sizeof result_order / sizeof result_order[0]; o++) {
        for (size_t i = 0; i < c->nrows; i++) {
            row *r = &c->rows[i];
            if (r->type != result_order[o]) {
                continue;
            }
            json_t *j_errors = json_array();
            if (r->j_errors) {
                json_array_extend(j_errors, r->j_errors);
            }
            if (j_item_errors[i] != NULL) {
                json_array_extend(j_errors, j_item_errors[i]);
            }
            const char *ref = r->assigned_ref ? r->assigned_ref : r->ref;
            int status = r->status == ST_PENDING ? ST_FAILED : r->status;
            totals[status]++;
            if (status == ST_FAILED) {
                json_array_extend(j_errors_out, j_errors);
            }
            json_t *j_line = r->line ? json_integer((json_int_t)r->line) : json_null();
            json_array_append_new(j_results,
                                  json_pack("{ss sI so ss? ss ss? so}", "type", types[r->type].name,
                                            "index", (json_int_t)r->index, "line", j_line, "ref",
                                            ref, "status", status_names[status], "id",
                                            r->id[0] && r->type != T_LINK ? r->id : NULL,
                                            "errors", j_errors));
        }
    }
    for (size_t i = 0; i < c->nrows; i++) {
        json_decref(j_item_errors[i]);
    }
    free(j_item_errors);
    return json_pack("{s:{sIsIsIsI}, so}", "totals", "created", (json_int_t)totals[ST_CREATED],
                     "updated", (json_int_t)totals[ST_UPDATED], "skipped",
                     (json_int_t)totals[ST_SKIPPED], "failed", (json_int_t)totals[ST_FAILED],
                     "results", j_results);
}

/* ---- the handler ---- */

static int parse_options(req_ctx *rc, import_ctx *c, row_type *single)
{
    static const char *const allowed[] = {"mode", "dry_run", "on_conflict", "type", NULL};
    const char *mode = api_query(rc, "mode"), *dry = api_query(rc, "dry_run");
    const char *conflict = api_query(rc, "on_conflict"), *type = api_query(rc, "type");

    if (api_query_known_or_problem(rc, allowed) != 0) {
        return -1;
    }
    if (mode != NULL && strcmp(mode, "atomic") != 0 && strcmp(mode, "partial") != 0) {
        api_bad_parameter(rc, "mode", "enum", "must be atomic or partial");
        return -1;
    }
    if (dry != NULL && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0) {
        api_bad_parameter(rc, "dry_run", "type", "must be true or false");
        return -1;
    }
    if (conflict != NULL && strcmp(conflict, "error") != 0 && strcmp(conflict, "update") != 0 &&
        strcmp(conflict, "skip") != 0) {
        api_bad_parameter(rc, "on_conflict", "enum", "must be error, update or skip");
        return -1;
    }
    *single = NTYPES;
    if (type != NULL) {
        *single = type_named(type);
        if (*single == NTYPES || *single == T_LINK || *single == T_REVIEW) {
            api_bad_parameter(rc, "type", "enum",
                              "must be objectives, plans, actions, risks or measurements");
            return -1;
        }
    }
    c->partial = mode != NULL && strcmp(mode, "partial") == 0;
    c->dry_run = dry != NULL && strcmp(dry, "true") == 0;
    c->on_conflict = conflict == NULL || strcmp(conflict, "error") == 0 ? ON_CONFLICT_ERROR
                     : strcmp(conflict, "update") == 0                  ? ON_CONFLICT_UPDATE
                                                                        : ON_CONFLICT_SKIP;
    return 0;
}

static int media_is(const char *header, const char *want)
{
    size_t n = strlen(want);
    return header != NULL && strncasecmp(header, want, n) == 0 &&
           (header[n] == '\0' || header[n] == ';' || header[n] == ' ');
}

/* Turns the body into rows, or sends 400 / 415 / 422 and returns -1. */
/* Rows of a well-formed import document, review items included. */
static size_t rows_in_document(json_t *j_doc)
{
    size_t n = 0, i;
    const char *key;
    json_t *j_section, *j_review;
    json_object_foreach(j_doc, key, j_section)
    {
        n += json_array_size(j_section);
        if (strcmp(key, "reviews") == 0) {
            json_array_foreach(j_section, i, j_review)
            {
                n += json_array_size(json_object_get(j_review, "items"));
            }
        }
    }
    return n;
}

static int read_body(req_ctx *rc, import_ctx *c, row_type single, json_t **j_doc_out,
                     size_t **lines_out)
{
    const char *type = u_map_get_case(rc->req->map_header, "Content-Type");
    const char *body = rc->req->binary_body;
    size_t len = rc->req->binary_body_length;
    parse_error perr = {0};
    json_t *j_rows = NULL;

    *j_doc_out = NULL;
    *lines_out = NULL;
    if (media_is(type, "text/csv") || media_is(type, "application/x-ndjson")) {
        int csv = media_is(type, "text/csv");
        if (single == NTYPES) {
            api_bad_parameter(rc, "type", "required",
                              "is required for CSV and NDJSON bodies (objectives, plans, "
                              "actions, risks or measurements)");
            return -1;
        }
        size_t max_rows = rc->app->cfg->import_max_rows;
        int failed = csv ? csv_to_rows(body ? body : "", len, types[single].res->fields,
                                       max_rows, &j_rows, lines_out, &perr)
                         : ndjson_to_rows(body ? body : "", len, max_rows, &j_rows, lines_out,
                                          &perr);
        if (failed && perr.too_many_rows) {
            char detail[256];
            snprintf(detail, sizeof detail, "line %zu %s", perr.line, perr.message);
            problem_send(rc, PROBLEM_PAYLOAD_TOO_LARGE, detail, NULL);
            return -1;
        }
        if (failed) {
            char detail[256];
            json_t *j_errors = json_array();
            snprintf(detail, sizeof detail, "line %zu %s", perr.line, perr.message);
            errors_add(j_errors, "", "format", "line %zu %s", perr.line, perr.message);
            problem_send(rc, PROBLEM_MALFORMED_BODY, detail, j_errors);
            return -1;
        }
        *j_doc_out = j_rows;
        return add_rows_of(c, single, j_rows, *lines_out);
    }
    if (!media_is(type, "application/json")) {
        problem_send(rc, PROBLEM_UNSUPPORTED_MEDIA_TYPE,
                     "send application/json, text/csv or application/x-ndjson", NULL);
        return -1;
    }
    if (single != NTYPES) {
        api_bad_parameter(rc, "type", "unknown_field", "applies to CSV and NDJSON bodies only");
        return -1;
    }
    json_t *j_doc = NULL;
    if (api_read_object_or_problem(rc, 0, &j_doc) != 0) {
        return -1;
    }
    json_t *j_errors = json_array();
    const char *key;
    json_t *j_value;
    json_object_foreach(j_doc, key, j_value)
    {
        char ptr[128] = "";
        row_type t = type_named(key);
        pointer_append(ptr, sizeof ptr, key);
        if (t == NTYPES) {
            errors_add(j_errors, ptr, "unknown_field",
                       "is not a section of an import (objectives, measurements, plans, "
                       "actions, risks, links, reviews)");
        } else if (!json_is_array(j_value)) {
            errors_add(j_errors, ptr, "type", "must be an array of rows");
        }
    }
    if (json_array_size(j_errors) > 0) {
        problem_send(rc, PROBLEM_VALIDATION_FAILED, "the import document is not well formed",
                     j_errors);
        json_decref(j_doc);
        return -1;
    }
    json_decref(j_errors);
    size_t nrows = rows_in_document(j_doc);
    if (nrows > rc->app->cfg->import_max_rows) {
        char detail[160];
        snprintf(detail, sizeof detail, "the import has %zu rows; at most %zu are accepted",
                 nrows, rc->app->cfg->import_max_rows);
        problem_send(rc, PROBLEM_PAYLOAD_TOO_LARGE, detail, NULL);
        json_decref(j_doc);
        return -1;
    }
    static const row_type doc_order[] = {T_OBJECTIVE, T_MEASUREMENT, T_PLAN, T_ACTION,
                                         T_RISK,      T_LINK,        T_REVIEW};
    for (size_t k = 0; k < sizeof doc_order / sizeof doc_order[0]; k++) {
        json_t *j_array = json_object_get(j_doc, types[doc_order[k]].plural);
        if (j_array != NULL && add_rows_of(c, doc_order[k], j_array, NULL) != 0) {
            json_decref(j_doc);
            return -1;
        }
    }
    *j_doc_out = j_doc;
    return 0;
}

/* One line: what the import did and where its time went. */
static void import_log(const import_ctx *c)
{
    char phases[400];
    size_t len = 0;
    for (int ph = 0; ph < NPHASES; ph++) {
        len += (size_t)snprintf(phases + len, sizeof phases - len, "%s%s %.0f", ph ? ", " : "",
                                phase_names[ph], c->phase_ms[ph]);
    }
    log_msg(LOG_INFO, "import of %zu rows: %s%s; ms: %s", c->nrows, c->dry_run ? "dry run, " : "",
            c->any_failed ? "with failures" : "clean", phases);
}

static void import_clear(import_ctx *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        json_decref(c->rows[i].j_flat);
        json_decref(c->rows[i].j_errors);
        json_decref(c->rows[i].j_parse_errors);
        free(c->rows[i].assigned_ref);
    }
    for (int t = 0; t < NTYPES; t++) {
        json_decref(c->in_import[t]);
        json_decref(c->stored[t]);
    }
    free(c->rows);
}

void api_import(req_ctx *rc)
{
    import_ctx c = {.rc = rc, .mark = ms_now()};
    row_type single;
    json_t *j_doc = NULL, *j_reply = NULL, *j_errors = NULL;
    size_t *lines = NULL;
    int code, replied = 0;

    if (parse_options(rc, &c, &single) != 0 || read_body(rc, &c, single, &j_doc, &lines) != 0) {
        goto out;
    }
    for (size_t i = 0; i < c.nrows; i++) {
        c.rows[i].j_parse_errors = c.rows[i].j_errors;
        c.rows[i].j_errors = NULL;
    }
    phase_end(&c, PH_READ);
    for (int attempt = 0; attempt < 3; attempt++) {
        code = db_tx_run(rc->app->pool, import_tx, &c);
        if (!(code == SVC_EINVALID && c.redo && c.partial)) {
            break;
        }
    }
    phase_end(&c, PH_OTHER);
    if (code != SVC_OK && code != SVC_EINVALID) {
        problem_from_rc(rc, code, "import");
        goto out;
    }
    if (c.redo) {
        /* Cycles found in atomic mode or a dry run: the rows are marked for the reply. */
        for (size_t i = 0; i < c.nrows; i++) {
            if (c.rows[i].cyclic && c.rows[i].status != ST_FAILED) {
                row_error(&c.rows[i], "parent_ref", "cycle",
                          "would make objectives their own ancestors");
                c.any_failed = 1;
            }
        }
    }
    j_errors = json_array();
    j_reply = results_render(&c, j_errors);
    if (j_reply == NULL) {
        problem_from_rc(rc, SVC_EINTERNAL, "import");
        goto out;
    }
    json_object_set_new(j_reply, "mode", json_string(c.partial ? "partial" : "atomic"));
    json_object_set_new(j_reply, "dry_run", json_boolean(c.dry_run));
    if (c.any_failed && !c.partial && !c.dry_run) {
        problem_send_ext(rc, PROBLEM_VALIDATION_FAILED,
                         "some rows are invalid; nothing was imported", json_incref(j_errors),
                         json_incref(j_reply));
    } else {
        char *text = json_dumps(j_reply, JSON_COMPACT);
        api_reply_json(rc, 200, text, strlen(text));
        free(text);
    }
    phase_end(&c, PH_REPLY);
    replied = 1;
out:
    json_decref(j_errors);
    json_decref(j_reply);
    json_decref(j_doc);
    free(lines);
    import_clear(&c);
    if (replied) {
        phase_end(&c, PH_RELEASE);
        import_log(&c);
    }
}
