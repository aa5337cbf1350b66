/* /v1/reports/... and /v1/objectives/{id}/progress. */
#ifndef API_REPORTS_H
#define API_REPORTS_H

#include "service/request.h"

void api_reports_objectives_summary(req_ctx *rc);
void api_reports_plans_summary(req_ctx *rc);
void api_reports_risk_matrix(req_ctx *rc);
void api_reports_reviews_summary(req_ctx *rc);
void api_reports_compliance(req_ctx *rc);
void api_reports_traceability(req_ctx *rc);
void api_reports_overdue(req_ctx *rc);
void api_reports_register(req_ctx *rc);
void api_objectives_progress(req_ctx *rc);

#endif
