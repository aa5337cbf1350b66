#include "db/audit.h"

const char *const audit_actions[] = {"create", "update", "archive", "restore",
                                     "link",   "unlink", "import",  NULL};
const char *const audit_resource_types[] = {"objective", "measurement", "plan", "action",
                                            "risk", "review", "review_item", NULL};

static const db_filter audit_filters[] = {
    {"resource_type", FILTER_ENUM_IN, audit_resource_types, "t.resource_type"},
    {"resource_id", FILTER_UUID_EQ, NULL, "t.resource_id"},
    {"actor", FILTER_TEXT_EQ, NULL, "t.actor"},
    {"action", FILTER_ENUM_IN, audit_actions, "t.action"},
    {"occurred_after", FILTER_TS_GE, NULL, "t.occurred_at"},
    {"occurred_before", FILTER_TS_LE, NULL, "t.occurred_at"},
    {0},
};

/* Insertion order; listed newest first. */
static const db_sort_key audit_sort_keys[] = {
    {"seq", "t.seq", "bigint", KEY_INT},
    {0},
};

const db_resource db_audit_events = {
    .type = "audit_event",
    .table = "audit_events",
    .doc_sql = "json_build_object('id', t.id, 'occurred_at', iso_ts(t.occurred_at),"
               " 'actor', t.actor, 'action', t.action, 'resource_type', t.resource_type,"
               " 'resource_id', t.resource_id, 'request_id', t.request_id,"
               " 'before', t.before, 'after', t.after)",
    .filters = audit_filters,
    .sort_keys = audit_sort_keys,
    .newest_first = 1,
};
