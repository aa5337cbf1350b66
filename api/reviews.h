/* Management reviews (/v1/reviews) and their items (/v1/reviews/{id}/items,
 * /v1/review-items/{id}). */
#ifndef API_REVIEWS_H
#define API_REVIEWS_H

#include "service/request.h"

void api_reviews_list(req_ctx *rc);
void api_reviews_create(req_ctx *rc);
void api_reviews_get(req_ctx *rc);
void api_reviews_update(req_ctx *rc);
void api_reviews_archive(req_ctx *rc);
void api_reviews_restore(req_ctx *rc);

void api_review_items_list(req_ctx *rc);
void api_review_items_create(req_ctx *rc);
void api_review_items_get(req_ctx *rc);
void api_review_items_update(req_ctx *rc);
void api_review_items_archive(req_ctx *rc);
void api_review_items_restore(req_ctx *rc);

#endif
