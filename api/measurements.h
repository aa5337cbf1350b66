/* Measurements: /v1/objectives/{id}/measurements and /v1/measurements/{id}. */
#ifndef API_MEASUREMENTS_H
#define API_MEASUREMENTS_H

#include "service/request.h"

void api_measurements_list(req_ctx *rc);
void api_measurements_create(req_ctx *rc);
void api_measurements_get(req_ctx *rc);
void api_measurements_update(req_ctx *rc);
void api_measurements_archive(req_ctx *rc);
void api_measurements_restore(req_ctx *rc);

#endif
