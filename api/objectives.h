/* /v1/objectives handlers. */
#ifndef API_OBJECTIVES_H
#define API_OBJECTIVES_H

#include "api/resource.h"
#include "service/request.h"

/** The objective resource, parent of measurements and target of references. */
extern const api_resource api_objective_resource;

void api_objectives_list(req_ctx *rc);
void api_objectives_create(req_ctx *rc);
void api_objectives_get(req_ctx *rc);
void api_objectives_update(req_ctx *rc);
void api_objectives_archive(req_ctx *rc);
void api_objectives_restore(req_ctx *rc);

#endif
