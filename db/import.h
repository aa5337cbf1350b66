/* Set-based statements of the bulk import: each takes and returns JSON text, one
 * statement per resource type and step, never a round trip per row. */
#ifndef DB_IMPORT_H
#define DB_IMPORT_H

#include "db/resource.h"

/**
 * Stored rows of @p r whose ref is in @p refs_json (a JSON array of strings).
 * @param map_out malloc'd JSON object {ref: {"id": ..., "archived": bool}}
 */
int db_import_lookup(db_conn *conn, const db_resource *r, const char *refs_json, char **map_out);

/**
 * Documents of rows @p ids_json (JSON array of ids), for audit "before" values.
 * @param docs_out malloc'd JSON array [{"id": ..., "doc": {...}}]
 */
int db_import_docs(db_conn *conn, const db_resource *r, const char *ids_json, char **docs_out);

/**
 * Inserts @p rows_json (JSON array of flat documents, each with its "id").
 * @param refs_out malloc'd JSON object {id: ref} of the rows inserted (server refs included)
 */
int db_import_insert(db_conn *conn, const db_resource *r, const char *rows_json,
                     const char *actor, char **refs_out);

/**
 * Updates the rows of @p rows_json whose stored values differ (version + 1).
 * @param changed_out malloc'd JSON array of the ids that changed
 */
int db_import_update(db_conn *conn, const db_resource *r, const char *rows_json,
                     const char *actor, char **changed_out);

/**
 * One audit event per id of @p ids_json, with the current document as "after" and the
 * matching entry of @p before_json ([{"id","doc"}], may be "[]") as "before".
 */
int db_import_audit(db_conn *conn, const db_resource *r, const char *ids_json,
                    const char *before_json, const char *action, const char *actor,
                    const char *request_id);

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
 * JSON array [{"id","ref","review_id","objective_id","archived"}].
 */
int db_import_review_items(db_conn *conn, const char *review_ids_json, char **items_out);

#endif
