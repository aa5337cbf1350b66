/* Bulk import statements. The rows of a type are COPYed into a staging table that lives
 * until the transaction ends (import_<table>), and every step is one set-based statement
 * over it: 100,000 rows cost a handful of round trips. */
#include "db/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/sql.h"
#include "db/sqlbuf.h"
#include "service/rc.h"

/* Runs @p b and copies the single text value it returns into @p out. */
static int single_text(db_conn *conn, sqlbuf *b, char **out)
{
    PGresult *res = NULL;
    int rc = b->failed ? SVC_EINTERNAL : db_exec(conn, b->text, b->nparams, b->params, &res);
    if (rc == SVC_OK) {
        *out = strdup(PQgetisnull(res, 0, 0) ? "null" : PQgetvalue(res, 0, 0));
        rc = *out ? SVC_OK : SVC_EINTERNAL;
    }
    PQclear(res);
    sqlbuf_clear(b);
    return rc;
}

static const char *read_source(const db_resource *r) { return r->view ? r->view : r->table; }

int db_import_lookup(db_conn *conn, const db_resource *r, const char *refs_json, char **map_out)
{
    sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT coalesce(json_object_agg(t.ref, json_build_object('id', t.id,"
                   " 'archived', t.archived_at IS NOT NULL)), '{}')::text FROM ");
    sqlbuf_add(&b, r->table);
    sqlbuf_add(&b, " t WHERE t.ref IN (SELECT jsonb_array_elements_text(");
    sqlbuf_param(&b, refs_json);
    sqlbuf_add(&b, "::jsonb))");
    return single_text(conn, &b, map_out);
}

/* "WHERE t.id IN (ids of a JSON array)" */
static void add_id_filter(sqlbuf *b, const char *ids_json)
{
    sqlbuf_add(b, " WHERE t.id IN (SELECT x::uuid FROM jsonb_array_elements_text(");
    sqlbuf_param(b, ids_json);
    sqlbuf_add(b, "::jsonb) x)");
}

/* Statements name the per-transaction tables after the resource's table. */
static void add_table(sqlbuf *b, const char *prefix, const db_resource *r)
{
    sqlbuf_add(b, prefix);
    sqlbuf_add(b, r->table);
}

int db_import_stage(db_conn *conn, const db_resource *r, const char *data, size_t len)
{
    sqlbuf b;
    int rc;

    sqlbuf_init(&b);
    /* A plain copy of the column types: no constraints, so a row without a ref stages. */
    add_table(&b, "CREATE TEMP TABLE import_", r);
    sqlbuf_add(&b, " ON COMMIT DROP AS SELECT false AS stored, id, ");
    sqlbuf_add(&b, r->columns);
    add_table(&b, " FROM ", r);
    sqlbuf_add(&b, " WITH NO DATA");
    rc = b.failed ? SVC_EINTERNAL : db_command(conn, b.text, 0, NULL);
    sqlbuf_clear(&b);
    if (rc != SVC_OK) {
        return rc;
    }
    sqlbuf_init(&b);
    add_table(&b, "COPY import_", r);
    sqlbuf_add(&b, " (stored, id, ");
    sqlbuf_add(&b, r->columns);
    sqlbuf_add(&b, ") FROM STDIN");
    rc = b.failed ? SVC_EINTERNAL : db_copy_in(conn, b.text, data, len);
    sqlbuf_clear(&b);
    return rc;
}

int db_import_insert(db_conn *conn, const db_resource *r, const char *actor, char **refs_out)
{
    sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "WITH ins AS (INSERT INTO ");
    sqlbuf_add(&b, r->table);
    sqlbuf_add(&b, " (id, ");
    sqlbuf_add(&b, r->columns);
    sqlbuf_add(&b, ", created_by, updated_by) SELECT r.id, ");
    db_resource_record_columns(&b, r);
    sqlbuf_add(&b, ", ");
    sqlbuf_param(&b, actor);
    add_table(&b, ", $1 FROM import_", r);
    sqlbuf_add(&b, " r WHERE NOT r.stored RETURNING id, ref)"
                   " SELECT coalesce(json_object_agg(ins.id, ins.ref), '{}')::text FROM ins");
    add_table(&b, " JOIN import_", r);
    sqlbuf_add(&b, " r ON r.id = ins.id AND r.ref IS NULL");
    return single_text(conn, &b, refs_out);
}

/* "r.a, r.b, ...", keeping the stored ref where the row gives none. */
static void add_update_values(sqlbuf *b, const db_resource *r)
{
    char *cols = strdup(r->columns), *save = NULL;
    int first = 1;
    for (char *c = cols ? strtok_r(cols, ", ", &save) : NULL; c; c = strtok_r(NULL, ", ", &save)) {
        sqlbuf_add(b, first ? "" : ", ");
        first = 0;
        sqlbuf_add(b, strcmp(c, "ref") == 0 ? "coalesce(r.ref, t.ref)" : "r.");
        if (strcmp(c, "ref") != 0) {
            sqlbuf_add(b, c);
        }
    }
    free(cols);
}

/* Keeps the documents of the staged stored rows as they are now: the audit's "before". */
static int snapshot_before(db_conn *conn, const db_resource *r)
{
    sqlbuf b;
    int rc;
    sqlbuf_init(&b);
    add_table(&b, "CREATE TEMP TABLE import_before_", r);
    sqlbuf_add(&b, " ON COMMIT DROP AS SELECT t.id, (");
    sqlbuf_add(&b, r->doc_sql);
    sqlbuf_add(&b, ") AS doc FROM ");
    sqlbuf_add(&b, read_source(r));
    add_table(&b, " t JOIN import_", r);
    sqlbuf_add(&b, " r ON r.id = t.id AND r.stored");
    rc = b.failed ? SVC_EINTERNAL : db_command(conn, b.text, 0, NULL);
    sqlbuf_clear(&b);
    return rc;
}

int db_import_update(db_conn *conn, const db_resource *r, const char *actor, char **changed_out)
{
    sqlbuf b;
    char *cols = strdup(r->columns), *save = NULL;
    int first = 1;
    int rc = snapshot_before(conn, r);

    if (rc != SVC_OK) {
        free(cols);
        return rc;
    }
    sqlbuf_init(&b);
    sqlbuf_add(&b, "WITH upd AS (UPDATE ");
    sqlbuf_add(&b, r->table);
    sqlbuf_add(&b, " t SET (");
    sqlbuf_add(&b, r->columns);
    sqlbuf_add(&b, ") = (");
    add_update_values(&b, r);
    sqlbuf_add(&b, "), version = t.version + 1, updated_at = now(), updated_by = ");
    sqlbuf_param(&b, actor);
    add_table(&b, " FROM import_", r);
    sqlbuf_add(&b, " r WHERE r.stored AND t.id = r.id AND (");
    /* Only rows whose values change: an identical re-import leaves versions alone. */
    for (char *c = cols ? strtok_r(cols, ", ", &save) : NULL; c; c = strtok_r(NULL, ", ", &save)) {
        sqlbuf_add(&b, first ? "t." : ", t.");
        sqlbuf_add(&b, c);
        first = 0;
    }
    free(cols);
    sqlbuf_add(&b, ") IS DISTINCT FROM (");
    add_update_values(&b, r);
    sqlbuf_add(&b, ") RETURNING t.id) SELECT coalesce(json_agg(id), '[]')::text FROM upd");
    return single_text(conn, &b, changed_out);
}

int db_import_audit(db_conn *conn, const db_resource *r, const char *changed_ids,
                    const char *actor, const char *request_id)
{
    sqlbuf b;
    int rc;

    sqlbuf_init(&b);
    sqlbuf_add(&b, "INSERT INTO audit_events (actor, action, resource_type, resource_id,"
                   " request_id, before, after) SELECT ");
    sqlbuf_param(&b, actor);
    sqlbuf_add(&b, ", 'import', ");
    sqlbuf_param(&b, r->type);
    sqlbuf_add(&b, ", t.id, ");
    sqlbuf_param(&b, request_id);
    sqlbuf_add(&b, changed_ids ? ", b.doc, (" : ", NULL, (");
    sqlbuf_add(&b, r->doc_sql);
    sqlbuf_add(&b, ") FROM ");
    sqlbuf_add(&b, read_source(r));
    if (changed_ids != NULL) {
        add_table(&b, " t JOIN import_before_", r);
        sqlbuf_add(&b, " b ON b.id = t.id");
        add_id_filter(&b, changed_ids);
    } else {
        add_table(&b, " t JOIN import_", r);
        sqlbuf_add(&b, " r ON r.id = t.id AND NOT r.stored");
    }
    rc = b.failed ? SVC_EINTERNAL : db_command(conn, b.text, b.nparams, b.params);
    sqlbuf_clear(&b);
    return rc;
}

int db_import_links(db_conn *conn, const char *links_json, const char *actor,
                    const char *request_id, char **created_out)
{
    const char *params[] = {links_json, actor, request_id};
    PGresult *res = NULL;
    int rc = db_exec(conn,
                     "WITH ins AS (INSERT INTO objective_risks (objective_id, risk_id, created_by)"
                     " SELECT x.objective_id, x.risk_id, $2 FROM jsonb_to_recordset($1::jsonb)"
                     " AS x(objective_id uuid, risk_id uuid)"
                     " ON CONFLICT DO NOTHING RETURNING objective_id, risk_id),"
                     " ev AS (INSERT INTO audit_events (actor, action, resource_type,"
                     " resource_id, request_id, after)"
                     " SELECT $2, 'link', 'objective', objective_id, $3,"
                     " json_build_object('risk_id', risk_id) FROM ins)"
                     " SELECT coalesce(json_agg(json_build_object('objective_id', objective_id,"
                     " 'risk_id', risk_id)), '[]')::text FROM ins",
                     3, params, &res);
    if (rc == SVC_OK) {
        *created_out = strdup(PQgetvalue(res, 0, 0));
        rc = *created_out ? SVC_OK : SVC_EINTERNAL;
    }
    PQclear(res);
    return rc;
}

int db_import_cycles(db_conn *conn, const char *ids_json, char **cyclic_out)
{
    const char *params[] = {ids_json};
    PGresult *res = NULL;
    int rc = db_exec(conn,
                     "WITH RECURSIVE walk (start, cur, depth) AS ("
                     " SELECT o.id, o.parent_id, 1 FROM objectives o"
                     "  WHERE o.id IN (SELECT x::uuid FROM jsonb_array_elements_text($1::jsonb) x)"
                     "    AND o.parent_id IS NOT NULL"
                     " UNION ALL"
                     /* One parent lookup per step (the LIMIT keeps the planner from
                      * joining the other way round: right after an import, statistics
                      * still say no objective has a parent). */
                     " SELECT w.start, p.parent_id, w.depth + 1 FROM walk w"
                     "  CROSS JOIN LATERAL (SELECT o.parent_id FROM objectives o"
                     "   WHERE o.id = w.cur LIMIT 1) p"
                     "  WHERE w.cur <> w.start AND p.parent_id IS NOT NULL AND w.depth < 10000)"
                     " SELECT coalesce(json_agg(DISTINCT start), '[]')::text FROM walk"
                     "  WHERE cur = start",
                     1, params, &res);
    if (rc == SVC_OK) {
        *cyclic_out = strdup(PQgetvalue(res, 0, 0));
        rc = *cyclic_out ? SVC_OK : SVC_EINTERNAL;
    }
    PQclear(res);
    return rc;
}

int db_import_review_items(db_conn *conn, const char *review_ids_json, char **items_out)
{
    const char *params[] = {review_ids_json};
    PGresult *res = NULL;
    int rc = db_exec(conn,
                     "SELECT coalesce(json_agg(json_build_object('id', i.id, 'ref', i.ref,"
                     " 'review_id', i.review_id, 'objective_id', i.objective_id,"
                     " 'archived', i.archived_at IS NOT NULL)"
                     " ORDER BY i.created_at DESC, i.id DESC), '[]')::text"
                     " FROM review_items i WHERE i.review_id IN"
                     " (SELECT x::uuid FROM jsonb_array_elements_text($1::jsonb) x)",
                     1, params, &res);
    if (rc == SVC_OK) {
        *items_out = strdup(PQgetvalue(res, 0, 0));
        rc = *items_out ? SVC_OK : SVC_EINTERNAL;
    }
    PQclear(res);
    return rc;
}
