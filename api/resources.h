/* The resource descriptions, for code that works across resources (the importer). */
#ifndef API_RESOURCES_H
#define API_RESOURCES_H

#include "api/resource.h"

extern const api_resource api_objective_resource;
extern const api_resource api_measurement_resource;
extern const api_resource api_plan_resource;
extern const api_resource api_action_resource;
extern const api_resource api_risk_resource;
extern const api_resource api_review_resource;
extern const api_resource api_review_item_resource;

#endif
