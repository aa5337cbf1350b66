/* What every handler gets: the process-wide context and the per-request one. */
#ifndef SVC_REQUEST_H
#define SVC_REQUEST_H

#include <ulfius.h>

#include "db/pool.h"
#include "service/auth.h"
#include "service/config.h"

typedef struct app_ctx {
    const svc_config *cfg;
    db_pool *pool;
} app_ctx;

#define REQUEST_ID_MAX 128
#define PATH_PARAMS_MAX 2

typedef struct req_ctx {
    const app_ctx *app;
    const struct _u_request *req;
    struct _u_response *resp;
    char request_id[REQUEST_ID_MAX + 1];
    principal who;
    const char *path_params[PATH_PARAMS_MAX]; /* point into path_buf */
    char path_buf[512];
} req_ctx;

#endif
