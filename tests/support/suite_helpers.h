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
