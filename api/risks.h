/* Risks (/v1/risks) and their links to objectives. */
#ifndef API_RISKS_H
#define API_RISKS_H

#include "service/request.h"

void api_risks_list(req_ctx *rc);
void api_risks_create(req_ctx *rc);
void api_risks_get(req_ctx *rc);
void api_risks_update(req_ctx *rc);
void api_risks_archive(req_ctx *rc);
void api_risks_restore(req_ctx *rc);

/** GET /v1/objectives/{id}/risks and GET /v1/risks/{id}/objectives. */
void api_links_risks_of_objective(req_ctx *rc);
void api_links_objectives_of_risk(req_ctx *rc);
/** PUT / DELETE /v1/objectives/{id}/risks/{risk_id}: idempotent link and unlink. */
void api_links_put(req_ctx *rc);
void api_links_delete(req_ctx *rc);

#endif
