/* The generic resource flows (create, get, list, update, archive, restore), written once
 * and parameterised by a resource description. Resource modules supply fields and
 * domain rules; the flows supply validation order, transactions, ETags, audit events
 * and replies. */
#ifndef API_RESOURCE_H
#define API_RESOURCE_H

#include <stddef.h>

#include <jansson.h>

#include "api/validate.h"
#include "db/resource.h"
#include "service/request.h"

/* A field naming another row, which must exist and not be archived when it is set or
 * changed (422 reference), and when its row is restored (409 state). */
typedef struct api_reference {
    const char *field;
    const db_resource *target;
} api_reference;

typedef struct api_resource {
    const char *name;             /* for messages: "objective" */
    const char *collection_path;  /* for Location: "/v1/objectives" */
    const db_resource *db;
    const field_spec *fields;     /* writable fields */
    const char *const *read_only; /* keys accepted and ignored in bodies */
    /* Sub-resources created and listed under a parent in the path
     * (/v1/objectives/{id}/measurements): the parent, and the flat key set from it. */
    const struct api_resource *parent;
    const char *parent_field;
    const api_reference *references; /* terminated by {0}; may be NULL */
    /** Cross-field rules on the flat document; appends to j_errors. May be NULL. */
    void (*check)(const json_t *j_flat, json_t *j_errors);
    /** Fields derived before writing (e.g. completed_on when done). May be NULL. */
    void (*normalize)(json_t *j_flat);
    /**
     * Rules that need the database (references, cycles), run inside the write
     * transaction. @p self_id is NULL on create; @p j_sent holds what the client set
     * (the body, or the keys a patch changed). Returns an rc; appends field errors.
     */
    int (*check_refs)(db_conn *conn, const char *self_id, const json_t *j_sent,
                      const json_t *j_flat, json_t *j_errors);
    /** May refuse an archive with SVC_ESTATE and a message in @p why. May be NULL. */
    int (*can_archive)(db_conn *conn, const char *id, char *why, size_t cap);
} api_resource;

void api_resource_create(req_ctx *rc, const api_resource *r);
void api_resource_get(req_ctx *rc, const api_resource *r);
void api_resource_list(req_ctx *rc, const api_resource *r);
void api_resource_update(req_ctx *rc, const api_resource *r);
void api_resource_archive(req_ctx *rc, const api_resource *r);
void api_resource_restore(req_ctx *rc, const api_resource *r);

/**
 * Parses the list parameters of @p r (limit, cursor, sort, include_archived, filters)
 * into @p q. Strings in @p q point into @p scratch (freed by list_scratch_clear) or into
 * the request. Sends 400 and returns -1 on a bad parameter.
 */
typedef struct list_scratch {
    char *owned[48];
    int nowned;
    char sort_text[256];
} list_scratch;

int api_list_params_or_problem(req_ctx *rc, const db_resource *r, db_list_query *q,
                               list_scratch *scratch);
void list_scratch_clear(list_scratch *scratch);

/** Sends {items, next_cursor} with a Link header for @p page. */
void api_reply_page(req_ctx *rc, const list_scratch *scratch, const db_page *page);

#endif
