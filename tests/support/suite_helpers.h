#ifndef TEST_SUITE_HELPERS_H
#define TEST_SUITE_HELPERS_H

#include <stddef.h>

#include <jansson.h>

/** Today's UTC date plus @p days as YYYY-MM-DD, written into @p buf; returns it. */
const char *utc_day(char *buf, size_t cap, int days);

/** POSTs @p body to @p path as editor, expects 201, copies the new id into @p id. */
void post_ok(const char *path, const char *body, char *id);

/** Sends a request as @p role and asserts the status is @p want. */
void send_expect(const char *method, const char *path, const char *role, const char *body,
                 int want);

/** The keys of @p j, in order, are exactly @p keys (NULL-terminated). */
void assert_keys(const json_t *j, const char *const *keys);

/** The audit events of @p id, newest first (new reference). */
json_t *audit_of(const char *id);

/** A live resource taken through archive and restore. */
typedef struct archive_case {
    const char *path;           /* the resource */
    const char *restore;        /* its restore path */
    const char *list;           /* a list that shows it while it is live */
    const char *list_archived;  /* the same list with include_archived=true */
    const char *stale_if_match; /* an If-Match header that no longer matches */
    const char *if_match;       /* sent with the archiving DELETE; NULL: none */
    const char *patch_body;     /* a PATCH refused while it is archived */
    int archived_version;       /* its version once archived */
} archive_case;

/**
 * A stale If-Match is refused (412); DELETE archives (204, archived_at set, the list
 * hides it, include_archived shows it); a PATCH is refused (409 state); DELETE again is
 * 204; restore brings it back (one version more, twice the same) and the list shows it.
 */
void assert_archive_and_restore(const archive_case *ac);

/** Number of items on the page at @p path (as a viewer). */
int count_at(const char *path);

/**
 * Walks every page of @p base (a list path, with or without a query) at @p limit,
 * checking the Link header against next_cursor. Returns the ids in order (new reference).
 */
json_t *walk(const char *base, int limit, int *pages_out);

/** Asserts that @p j_ids holds each of the @p n ids exactly once. */
void assert_each_once(json_t *j_ids, char ids[][40], int n);

#endif
