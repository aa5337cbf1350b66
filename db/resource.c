/* Generic row storage for every resource (see db/resource.h). Owns the SQL shapes of
 * get, insert, update, archive, audit and keyset lists; the per-resource modules own
 * only their descriptors and their domain queries. */
#include "db/resource.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/sql.h"
#include "db/sqlbuf.h"
#include "service/rc.h"

void db_doc_clear(db_doc *doc)
{
    free(doc->json);
    free(doc->parent_id);
    memset(doc, 0, sizeof *doc);
}

void db_page_clear(db_page *page)
{
    free(page->items_json);
    for (int i = 0; i < page->nkeys; i++) {
        free(page->last_keys[i]);
    }
    free(page->last_keys);
    memset(page, 0, sizeof *page);
}

static const char *read_source(const db_resource *r) { return r->view ? r->view : r->table; }

int db_resource_lock(db_conn *conn, const db_resource *r, const char *id, int *archived)
{
    sqlbuf b;
    PGresult *res = NULL;
    int rc;

    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT archived_at IS NOT NULL AS archived FROM ");
    sqlbuf_add(&b, r->table);
    sqlbuf_add(&b, " WHERE id = ");
    sqlbuf_param(&b, id);
    sqlbuf_add(&b, "::uuid FOR UPDATE");
    rc = b.failed ? SVC_EINTERNAL : db_exec(conn, b.text, b.nparams, b.params, &res);
    if (rc == SVC_OK && PQntuples(res) == 0) {
        rc = SVC_ENOTFOUND;
    } else if (rc == SVC_OK && archived != NULL) {
        *archived = strcmp(db_get(res, 0, "archived"), "t") == 0;
    }
    PQclear(res);
    sqlbuf_clear(&b);
    return rc;
}

int db_resource_get(db_conn *conn, const db_resource *r, const char *id, int for_update,
                    db_doc *out)
{
    sqlbuf b;
    PGresult *res = NULL;
    const char *parent;
    int rc;

    db_doc_clear(out);
    if (for_update && (rc = db_resource_lock(conn, r, id, NULL)) != SVC_OK) {
        return rc;
    }
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT ");
    sqlbuf_add(&b, r->doc_sql);
    sqlbuf_add(&b, "::text AS doc, t.version, t.archived_at IS NOT NULL AS archived");
    if (r->parent_column != NULL) {
        sqlbuf_add(&b, ", t.");
        sqlbuf_add(&b, r->parent_column);
        sqlbuf_add(&b, "::text AS parent_id");
    }
    sqlbuf_add(&b, " FROM ");
    sqlbuf_add(&b, read_source(r));
    sqlbuf_add(&b, " t WHERE t.id = ");
    sqlbuf_param(&b, id);
    sqlbuf_add(&b, "::uuid");
    rc = b.failed ? SVC_EINTERNAL : db_exec(conn, b.text, b.nparams, b.params, &res);
    if (rc != SVC_OK) {
        goto out;
    }
    if (PQntuples(res) == 0) {
        rc = SVC_ENOTFOUND;
        goto out;
    }
    out->json = strdup(db_get(res, 0, "doc"));
    out->version = atoi(db_get(res, 0, "version"));
    out->archived = strcmp(db_get(res, 0, "archived"), "t") == 0;
    parent = r->parent_column ? db_get(res, 0, "parent_id") : NULL;
    out->parent_id = parent ? strdup(parent) : NULL;
    rc = out->json ? SVC_OK : SVC_EINTERNAL;
out:
    PQclear(res);
    sqlbuf_clear(&b);
    return rc;
}

void db_resource_record_columns(sqlbuf *b, const db_resource *r)
{
    char *cols = strdup(r->columns), *save = NULL;
    int first = 1;
    if (cols == NULL) {
        b->failed = 1;
        return;
    }
    for (char *c = strtok_r(cols, ", ", &save); c; c = strtok_r(NULL, ", ", &save)) {
        sqlbuf_add(b, first ? "" : ", ");
        first = 0;
        if (strcmp(c, "ref") == 0) {
            char frag[256];
            snprintf(frag, sizeof frag, "coalesce(r.ref, next_ref('%s', '%s', '%s'))",
                     r->ref_prefix, r->ref_seq, r->table);
            sqlbuf_add(b, frag);
        } else {
            sqlbuf_add(b, "r.");
            sqlbuf_add(b, c);
        }
    }
    free(cols);
}

int db_resource_insert(db_conn *conn, const db_resource *r, const char *flat_json,
                       const char *actor, char id_out[37])
{
    sqlbuf b;
    PGresult *res = NULL;
    int rc;

    sqlbuf_init(&b);
    sqlbuf_add(&b, "INSERT INTO ");
    sqlbuf_add(&b, r->table);
    sqlbuf_add(&b, " (");
    sqlbuf_add(&b, r->columns);
    sqlbuf_add(&b, ", created_by, updated_by) SELECT ");
    db_resource_record_columns(&b, r);
    sqlbuf_add(&b, ", ");
    sqlbuf_param(&b, actor);
    sqlbuf_add(&b, ", $1 FROM jsonb_populate_record(NULL::");
    sqlbuf_add(&b, r->table);
    sqlbuf_add(&b, ", ");
    sqlbuf_param(&b, flat_json);
    sqlbuf_add(&b, "::jsonb) r RETURNING id::text AS id");
    rc = b.failed ? SVC_EINTERNAL : db_exec(conn, b.text, b.nparams, b.params, &res);
    if (rc == SVC_OK) {
        snprintf(id_out, 37, "%s", db_get(res, 0, "id"));
    }
    PQclear(res);
    sqlbuf_clear(&b);
    return rc;
}

int db_resource_update(db_conn *conn, const db_resource *r, const char *id,
                       const char *flat_json, const char *actor)
{
    sqlbuf b;
    int rc;

    sqlbuf_init(&b);
    sqlbuf_add(&b, "UPDATE ");
    sqlbuf_add(&b, r->table);
    sqlbuf_add(&b, " t SET (");
    sqlbuf_add(&b, r->columns);
    sqlbuf_add(&b, ") = (SELECT ");
    db_resource_record_columns(&b, r);
    sqlbuf_add(&b, " FROM jsonb_populate_record(NULL::");
    sqlbuf_add(&b, r->table);
    sqlbuf_add(&b, ", ");
    sqlbuf_param(&b, flat_json);
    sqlbuf_add(&b, "::jsonb) r), version = t.version + 1, updated_at = now(), updated_by = ");
    sqlbuf_param(&b, actor);
    sqlbuf_add(&b, " WHERE t.id = ");
    sqlbuf_param(&b, id);
    sqlbuf_add(&b, "::uuid");
    rc = b.failed ? SVC_EINTERNAL : db_command(conn, b.text, b.nparams, b.params);
    sqlbuf_clear(&b);
    return rc;
}

int db_resource_set_archived(db_conn *conn, const db_resource *r, const char *id, int archived,
                             const char *actor)
{
    sqlbuf b;
    int rc;

    sqlbuf_init(&b);
    sqlbuf_add(&b, "UPDATE ");
    sqlbuf_add(&b, r->table);
    sqlbuf_add(&b, archived ? " SET archived_at = now()" : " SET archived_at = NULL");
    sqlbuf_add(&b, ", version = version + 1, updated_at = now(), updated_by = ");
    sqlbuf_param(&b, actor);
    sqlbuf_add(&b, " WHERE id = ");
    sqlbuf_param(&b, id);
    sqlbuf_add(&b, "::uuid");
    rc = b.failed ? SVC_EINTERNAL : db_command(conn, b.text, b.nparams, b.params);
    sqlbuf_clear(&b);
    return rc;
}

int db_resource_state(db_conn *conn, const db_resource *r, const char *id, int *exists,
                      int *archived)
{
    sqlbuf b;
    PGresult *res = NULL;
    int rc;

    *exists = *archived = 0;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT archived_at IS NOT NULL AS archived FROM ");
    sqlbuf_add(&b, r->table);
    sqlbuf_add(&b, " WHERE id = ");
    sqlbuf_param(&b, id);
    sqlbuf_add(&b, "::uuid");
    rc = b.failed ? SVC_EINTERNAL : db_exec(conn, b.text, b.nparams, b.params, &res);
    if (rc == SVC_OK && PQntuples(res) == 1) {
        *exists = 1;
        *archived = strcmp(db_get(res, 0, "archived"), "t") == 0;
    }
    PQclear(res);
    sqlbuf_clear(&b);
    return rc;
}

int db_audit_append(db_conn *conn, const char *actor, const char *action, const char *type,
                    const char *resource_id, const char *request_id, const char *before,
                    const char *after)
{
    const char *params[] = {actor, action, type, resource_id, request_id, before, after};
    return db_command(conn,
                      "INSERT INTO audit_events (actor, action, resource_type, resource_id,"
                      " request_id, before, after)"
                      " VALUES ($1, $2, $3, $4::uuid, $5, $6::json, $7::json)",
                      7, params);
}

static void add_filter(sqlbuf *b, const db_filter *f, const char *value)
{
    static const struct {
        filter_kind kind;
        const char *op;
        const char *cast;
    } ops[] = {{FILTER_TEXT_EQ, " = ", ""},         {FILTER_UUID_EQ, " = ", "::uuid"},
               {FILTER_DATE_LE, " <= ", "::date"},   {FILTER_DATE_GE, " >= ", "::date"},
               {FILTER_TS_LE, " <= ", "::timestamptz"}, {FILTER_TS_GE, " >= ", "::timestamptz"},
               {FILTER_INT_GE, " >= ", "::integer"}};

    sqlbuf_add(b, " AND ");
    if (f->kind == FILTER_SEARCH) {
        sqlbuf_add(b, "(");
        sqlbuf_add_with_param(b, f->sql, value);
        sqlbuf_add(b, ")");
        return;
    }
    sqlbuf_add(b, f->sql);
    if (f->kind == FILTER_ENUM_IN) {
        sqlbuf_add(b, " = ANY (string_to_array(");
        sqlbuf_param(b, value);
        sqlbuf_add(b, ", ','))");
        return;
    }
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (ops[i].kind == f->kind) {
            sqlbuf_add(b, ops[i].op);
            sqlbuf_param(b, value);
            sqlbuf_add(b, ops[i].cast);
        }
    }
}

/* Appends the cursor value of key @p i cast to the key's type. */
static void add_cursor_value(sqlbuf *b, const db_sort_key *k, const char *value)
{
    sqlbuf_param(b, value);
    sqlbuf_add(b, "::");
    sqlbuf_add(b, k->cast);
}

/* Rows strictly after the cursor in the list order. The id breaks ties in the direction
 * of the last key, so a list sorted one way compares as one row value (index-friendly). */
static void add_keyset(sqlbuf *b, const db_resource *r, const db_list_query *q)
{
    int n = q->nsort;
    int uniform = 1;
    for (int i = 1; i < n; i++) {
        uniform &= q->sort_desc[i] == q->sort_desc[0];
    }
    sqlbuf_add(b, " AND ");
    if (uniform) {
        sqlbuf_add(b, "(");
        for (int i = 0; i < n; i++) {
            sqlbuf_add(b, r->sort_keys[q->sort_index[i]].sql);
            sqlbuf_add(b, ", ");
        }
        sqlbuf_add(b, q->sort_desc[0] ? "t.id) < (" : "t.id) > (");
        for (int i = 0; i < n; i++) {
            add_cursor_value(b, &r->sort_keys[q->sort_index[i]], q->cursor_values[i]);
            sqlbuf_add(b, ", ");
        }
        sqlbuf_param(b, q->cursor_values[n]);
        sqlbuf_add(b, "::uuid)");
        return;
    }
    sqlbuf_add(b, "(");
    for (int i = 0; i <= n; i++) {
        sqlbuf_add(b, i ? " OR (" : "(");
        for (int j = 0; j < i; j++) {
            const db_sort_key *k = &r->sort_keys[q->sort_index[j]];
            sqlbuf_add(b, k->sql);
            sqlbuf_add(b, " = ");
            add_cursor_value(b, k, q->cursor_values[j]);
            sqlbuf_add(b, " AND ");
        }
        if (i < n) {
            const db_sort_key *k = &r->sort_keys[q->sort_index[i]];
            sqlbuf_add(b, k->sql);
            sqlbuf_add(b, q->sort_desc[i] ? " < " : " > ");
            add_cursor_value(b, k, q->cursor_values[i]);
        } else {
            sqlbuf_add(b, q->sort_desc[n - 1] ? "t.id < " : "t.id > ");
            sqlbuf_param(b, q->cursor_values[n]);
            sqlbuf_add(b, "::uuid");
        }
        sqlbuf_add(b, ")");
    }
    sqlbuf_add(b, ")");
}

static int page_from_result(const PGresult *res, const db_list_query *q, db_page *out)
{
    int rows = PQntuples(res);
    int shown = rows > q->limit ? q->limit : rows;
    size_t total = 3;
    char *p;

    for (int i = 0; i < shown; i++) {
        total += (size_t)PQgetlength(res, i, 0) + 1;
    }
    out->items_json = malloc(total);
    out->last_keys = calloc((size_t)q->nsort + 1, sizeof(char *));
    if (out->items_json == NULL || out->last_keys == NULL) {
        return SVC_EINTERNAL;
    }
    p = out->items_json;
    *p++ = '[';
    for (int i = 0; i < shown; i++) {
        size_t len = (size_t)PQgetlength(res, i, 0);
        if (i > 0) {
            *p++ = ',';
        }
        memcpy(p, PQgetvalue(res, i, 0), len);
        p += len;
    }
    *p++ = ']';
    *p = '\0';
    out->more = rows > q->limit;
    out->nkeys = q->nsort + 1;
    if (shown > 0) {
        for (int k = 0; k <= q->nsort; k++) {
            out->last_keys[k] = strdup(PQgetvalue(res, shown - 1, k + 1));
        }
    }
    return SVC_OK;
}

int db_resource_list(db_conn *conn, const db_resource *r, const db_list_query *q, db_page *out)
{
    sqlbuf b;
    PGresult *res = NULL;
    char limit[16];
    int rc;

    db_page_clear(out);
    snprintf(limit, sizeof limit, "%d", q->limit + 1);
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT ");
    sqlbuf_add(&b, r->doc_sql);
    sqlbuf_add(&b, "::text");
    for (int i = 0; i < q->nsort; i++) {
        const db_sort_key *k = &r->sort_keys[q->sort_index[i]];
        sqlbuf_add(&b, k->kind == KEY_TIMESTAMP ? ", iso_ts(" : ", (");
        sqlbuf_add(&b, k->sql);
        sqlbuf_add(&b, ")::text");
    }
    sqlbuf_add(&b, ", t.id::text FROM ");
    sqlbuf_add(&b, read_source(r));
    sqlbuf_add(&b, " t WHERE true");
    if (!q->include_archived) {
        sqlbuf_add(&b, " AND t.archived_at IS NULL");
    }
    if (q->parent_id != NULL && r->parent_sql != NULL) {
        sqlbuf_add(&b, " AND (");
        sqlbuf_add_with_param(&b, r->parent_sql, q->parent_id);
        sqlbuf_add(&b, ")");
    } else if (q->parent_id != NULL && r->parent_column != NULL) {
        sqlbuf_add(&b, " AND t.");
        sqlbuf_add(&b, r->parent_column);
        sqlbuf_add(&b, " = ");
        sqlbuf_param(&b, q->parent_id);
        sqlbuf_add(&b, "::uuid");
    }
    for (int i = 0; r->filters != NULL && r->filters[i].name != NULL; i++) {
        if (q->filter_values[i] != NULL) {
            add_filter(&b, &r->filters[i], q->filter_values[i]);
        }
    }
    if (q->cursor_values[0] != NULL) {
        add_keyset(&b, r, q);
    }
    sqlbuf_add(&b, " ORDER BY ");
    for (int i = 0; i < q->nsort; i++) {
        sqlbuf_add(&b, r->sort_keys[q->sort_index[i]].sql);
        sqlbuf_add(&b, q->sort_desc[i] ? " DESC, " : ", ");
    }
    sqlbuf_add(&b, q->sort_desc[q->nsort - 1] ? "t.id DESC LIMIT " : "t.id LIMIT ");
    sqlbuf_param(&b, limit);
    rc = b.failed ? SVC_EINTERNAL : db_exec(conn, b.text, b.nparams, b.params, &res);
    if (rc == SVC_OK) {
        rc = page_from_result(res, q, out);
    }
    PQclear(res);
    sqlbuf_clear(&b);
    return rc;
}
