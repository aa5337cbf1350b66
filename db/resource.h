/* Storage shared by every resource: one row per resource in its table, rendered as JSON
 * by a SQL function, written from a flat JSON document whose keys are column names.
 * Each resource module describes itself with a db_resource; the functions here do the
 * rest. All functions run on a connection lent by db_run/db_tx_run. */
#ifndef DB_RESOURCE_H
#define DB_RESOURCE_H

#include <stddef.h>

#include "db/pool.h"

/* How a list filter's value is parsed (api) and compared (db). */
typedef enum {
    FILTER_ENUM_IN,  /* comma-separated values, each from enum_values: col = ANY */
    FILTER_TEXT_EQ,  /* exact match */
    FILTER_UUID_EQ,  /* a UUID */
    FILTER_DATE_LE,  /* YYYY-MM-DD, inclusive upper bound */
    FILTER_DATE_GE,  /* YYYY-MM-DD, inclusive lower bound */
    FILTER_TS_LE,    /* RFC 3339 timestamp or date, inclusive upper bound */
    FILTER_TS_GE,    /* RFC 3339 timestamp or date, inclusive lower bound */
    FILTER_SEARCH,   /* case-insensitive substring */
    FILTER_INT_GE    /* integer lower bound */
} filter_kind;

typedef struct db_filter {
    const char *name;                /* query parameter */
    filter_kind kind;
    const char *const *enum_values;  /* FILTER_ENUM_IN only */
    const char *sql;                 /* expression over row alias t, or for FILTER_SEARCH a
                                        condition using $1 for the ILIKE pattern */
} db_filter;

/* How a sort key's cursor value is checked before it reaches SQL. */
typedef enum { KEY_TIMESTAMP, KEY_DATE, KEY_INT, KEY_TEXT } key_kind;

typedef struct db_sort_key {
    const char *name;  /* as in ?sort= */
    const char *sql;   /* non-NULL sortable expression over row alias t */
    const char *cast;  /* type the cursor value is cast to, e.g. "timestamptz" */
    key_kind kind;
} db_sort_key;

typedef struct db_resource {
    const char *type;         /* audit resource_type, e.g. "objective" */
    const char *table;        /* written and locked, e.g. "objectives" */
    const char *view;         /* read: the table's columns plus computed ones, e.g.
                                 "objective_docs"; NULL: read the table itself */
    const char *doc_sql;      /* JSON document of row alias t, e.g. "t.doc" */
    const char *ref_prefix;   /* e.g. "OBJ" */
    const char *ref_seq;      /* e.g. "objective_ref_seq" */
    const char *columns;      /* writable columns, comma-separated, "ref" first */
    const char *parent_column; /* e.g. "objective_id" for sub-resources, else NULL */
    const char *parent_sql;   /* list condition for rows under a parent, with $1 the parent
                                 id; NULL: "t.<parent_column> = $1" */
    const db_filter *filters; /* terminated by {0} */
    const db_sort_key *sort_keys; /* terminated by {0}; the first is the default */
    int newest_first;         /* default order descending (audit-like lists) */
} db_resource;

/* A document as the API shows it, with what the HTTP layer needs beside it. */
typedef struct db_doc {
    char *json;       /* malloc'd JSON text */
    int version;
    int archived;
    char *parent_id;  /* malloc'd, for sub-resources */
} db_doc;

void db_doc_clear(db_doc *doc);

/**
 * Reads one row's document. @p for_update locks the row (inside a transaction).
 * @return SVC_OK, SVC_ENOTFOUND
 */
int db_resource_get(db_conn *conn, const db_resource *r, const char *id, int for_update,
                    db_doc *out);

/**
 * Locks row @p id for the rest of the transaction and reports whether it is archived
 * (@p archived may be NULL). @return SVC_OK, SVC_ENOTFOUND
 */
int db_resource_lock(db_conn *conn, const db_resource *r, const char *id, int *archived);

/**
 * Inserts a row from @p flat_json (keys are column names; "ref" null → server ref).
 * @param id_out receives the new id (36 chars + NUL)
 * @return SVC_OK, SVC_ECONFLICT (duplicate ref)
 */
int db_resource_insert(db_conn *conn, const db_resource *r, const char *flat_json,
                       const char *actor, char id_out[37]);

/** Overwrites the writable columns of row @p id from @p flat_json; bumps version. */
int db_resource_update(db_conn *conn, const db_resource *r, const char *id,
                       const char *flat_json, const char *actor);

/** Sets or clears archived_at; bumps version. */
int db_resource_set_archived(db_conn *conn, const db_resource *r, const char *id, int archived,
                             const char *actor);

/**
 * Appends an audit event; before/after are JSON texts or NULL.
 */
int db_audit_append(db_conn *conn, const char *actor, const char *action, const char *type,
                    const char *resource_id, const char *request_id, const char *before,
                    const char *after);

/** Existence and archive state of row @p id of table @p r. */
int db_resource_state(db_conn *conn, const db_resource *r, const char *id, int *exists,
                      int *archived);

/* A parsed list request. Values are validated by the caller for their kind. */
typedef struct db_list_query {
    const char *filter_values[32];  /* by index into r->filters; NULL: not filtered */
    int sort_index[8];              /* into r->sort_keys */
    int sort_desc[8];
    int nsort;
    const char *cursor_values[9];   /* sort key values then id; NULL: first page */
    const char *parent_id;          /* sub-resources: the parent from the path */
    int include_archived;
    int limit;
} db_list_query;

typedef struct db_page {
    char *items_json;    /* malloc'd "[doc,doc,...]" */
    int more;            /* another page follows */
    char **last_keys;    /* malloc'd sort key values then id of the last item (nsort + 1) */
    int nkeys;
} db_page;

void db_page_clear(db_page *page);

struct sqlbuf;
/**
 * Appends "r.a, r.b, ..." for the writable columns of @p r, with a server-assigned ref
 * where r.ref is NULL (for statements reading a record r of the table's type).
 */
void db_resource_record_columns(struct sqlbuf *b, const db_resource *r);

/** Runs a keyset-paged list. */
int db_resource_list(db_conn *conn, const db_resource *r, const db_list_query *q,
                     db_page *out);

#endif
