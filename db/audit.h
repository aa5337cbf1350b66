/* The audit trail as a list resource (read-only; rows are appended by
 * db_audit_append in the transaction of each change). */
#ifndef DB_AUDIT_H
#define DB_AUDIT_H

#include "db/resource.h"

extern const char *const audit_actions[];
extern const char *const audit_resource_types[];
extern const db_resource db_audit_events;

#endif
