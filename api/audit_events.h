#ifndef API_AUDIT_EVENTS_H
#define API_AUDIT_EVENTS_H

#include "service/request.h"

/** GET /v1/audit-events: the audit trail, newest first. */
void api_audit_events_list(req_ctx *rc);

#endif
