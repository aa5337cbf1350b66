/* Plans (/v1/plans) and their actions (/v1/plans/{id}/actions, /v1/actions/{id}). */
#ifndef API_PLANS_H
#define API_PLANS_H

#include "service/request.h"

void api_plans_list(req_ctx *rc);
void api_plans_create(req_ctx *rc);
void api_plans_get(req_ctx *rc);
void api_plans_update(req_ctx *rc);
void api_plans_archive(req_ctx *rc);
void api_plans_restore(req_ctx *rc);

void api_actions_list(req_ctx *rc);
void api_actions_create(req_ctx *rc);
void api_actions_get(req_ctx *rc);
void api_actions_update(req_ctx *rc);
void api_actions_archive(req_ctx *rc);
void api_actions_restore(req_ctx *rc);

#endif
