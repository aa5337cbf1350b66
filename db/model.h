/* Descriptors and value lists of every resource besides objectives and the audit trail
 * (see db/resource.h for what the fields mean). */
#ifndef DB_MODEL_H
#define DB_MODEL_H

#include "db/resource.h"

extern const char *const plan_statuses[];
extern const char *const action_statuses[];
extern const char *const risk_treatments[];
extern const char *const risk_statuses[];
extern const char *const risk_ratings[];
extern const char *const review_statuses[];
extern const char *const review_decisions[];
extern const char *const assessed_healths[];

extern const db_resource db_measurements;
extern const db_resource db_plans;
extern const db_resource db_actions;
extern const db_resource db_risks;
extern const db_resource db_reviews;
extern const db_resource db_review_items;
/* Risks linked to an objective, and objectives linked to a risk (lists only). */
extern const db_resource db_objective_risks;
extern const db_resource db_risk_objectives;

/** Number of non-archived plans of objective @p id. */
int db_objective_live_plans(db_conn *conn, const char *id, long *count_out);

/**
 * Links (or unlinks) an objective and a risk.
 * @param changed_out 1 when a link was added (removed), 0 when it was already so
 */
int db_link_set(db_conn *conn, const char *objective_id, const char *risk_id, int linked,
                const char *actor, int *changed_out);

#endif
