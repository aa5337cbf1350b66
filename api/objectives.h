/* /v1/objectives handlers. */
#ifndef API_OBJECTIVES_H
#define API_OBJECTIVES_H

#include "service/request.h"

void api_objectives_list(req_ctx *rc);
void api_objectives_create(req_ctx *rc);
void api_objectives_get(req_ctx *rc);
void api_objectives_update(req_ctx *rc);
void api_objectives_archive(req_ctx *rc);
void api_objectives_restore(req_ctx *rc);

#endif
