/* Operational endpoints: liveness, readiness, metrics, the OpenAPI document. */
#ifndef API_OPS_H
#define API_OPS_H

#include "service/request.h"

void api_ops_healthz(req_ctx *rc);
void api_ops_readyz(req_ctx *rc);
void api_ops_metrics(req_ctx *rc);
void api_ops_openapi(req_ctx *rc);
/** GET /docs: the API reference page (Redoc), and the script it loads. */
void api_ops_docs(req_ctx *rc);
void api_ops_docs_script(req_ctx *rc);

#endif
