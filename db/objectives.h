/* Objectives storage: the descriptor for the generic row functions, the domain value
 * lists, and the queries only objectives need (parent checks). */
#ifndef DB_OBJECTIVES_H
#define DB_OBJECTIVES_H

#include "db/resource.h"

extern const char *const objective_levels[];
extern const char *const objective_statuses[];
extern const char *const objective_healths[];
extern const char *const measure_directions[];
extern const char *const measure_frequencies[];
extern const char *const cia_values[];

extern const db_resource db_objectives;

/**
 * Whether @p parent_id can be the parent of @p self_id (NULL on create).
 * @param state_out 0 ok, 1 missing, 2 archived, 3 would make a cycle
 */
int db_objective_parent_state(db_conn *conn, const char *self_id, const char *parent_id,
                              int *state_out);

#endif
