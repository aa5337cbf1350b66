#ifndef TEST_LISTS_H
#define TEST_LISTS_H

#include <jansson.h>

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
