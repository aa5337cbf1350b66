/* The audit trail is listed with the same keyset machinery as every collection. */
#include "api/audit_events.h"

#include "api/resource.h"
#include "db/audit.h"

static const api_resource audit_events = {
    .name = "audit event",
    .collection_path = "/v1/audit-events",
    .db = &db_audit_events,
};

void api_audit_events_list(req_ctx *rc) { api_resource_list(rc, &audit_events); }
