/* Set-based statements of the bulk import: rows are COPYed into a staging table, then
 * one statement per resource type and step, never a round trip per row. */
#ifndef DB_IMPORT_H
#define DB_IMPORT_H

#include "db/resource.h"

/**
 * Stored rows of @p r whose ref is in @p refs_json (a JSON array of strings).
 * @param map_out malloc'd JSON object {ref: {"id": ..., "archived": bool}}
 */
int db_import_lookup(db_conn *conn, const db_resource *r, const char *refs_json, char **map_out);

/**
 * Creates the transaction's staging table of @p r, import_<table> (a "stored" flag, id
 * and r's columns, no constraints), and COPYs @p data (COPY text format, those columns
 * in that order) into it.
 */
int db_import_stage(db_conn *conn, const db_resource *r, const char *data, size_t len);

/**
 * Inserts the staged rows that are not stored yet.
 * @param refs_out malloc'd JSON object {id: ref} of the rows staged without a ref (the
 *        refs the server assigned)
 */
int db_import_insert(db_conn *conn, const db_resource *r, const char *actor, char **refs_out);

/**
 * Updates the stored rows of the staging table whose values differ (version + 1), after
 * keeping their documents for the audit (import_before_<table>).
 * @param changed_out malloc'd JSON array of the ids that changed
 */
int db_import_update(db_conn *conn, const db_resource *r, const char *actor, char **changed_out);

/**
 * One import audit event per row inserted from the staging table (@p changed_ids NULL),
 * or per id of @p changed_ids (a JSON array) with its kept document as "before"; the
 * current document is "after".
 */
int db_import_audit(db_conn *conn, const db_resource *r, const char *changed_ids,
                    const char *actor, const char *request_id);

/**
 * Links [{"objective_id","risk_id"}]; returns the pairs that were new as a JSON array
 * and writes one link event on each objective.
 */
int db_import_links(db_conn *conn, const char *links_json, const char *actor,
                    const char *request_id, char **created_out);

/** Ids among @p ids_json (objectives) that now sit on a parent cycle: JSON array. */
int db_import_cycles(db_conn *conn, const char *ids_json, char **cyclic_out);

/**
 * Stored items of the reviews in @p review_ids_json:
 * JSON array [{"id","ref","review_id","objective_id","archived"}], newest first.
 */
int db_import_review_items(db_conn *conn, const char *review_ids_json, char **items_out);

#endif
