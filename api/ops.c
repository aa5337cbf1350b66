#include "api/ops.h"

#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "db/migrate.h"
#include "service/embedded.h"
#include "service/metrics.h"
#include "service/problem.h"
#include "service/rc.h"

void api_ops_healthz(req_ctx *rc)
{
    static const char body[] = "{\"status\":\"ok\"}";
    api_reply_json(rc, 200, body, sizeof body - 1);
}

void api_ops_readyz(req_ctx *rc)
{
    static const char body[] = "{\"status\":\"ready\"}";
    int code = db_schema_current(rc->app->pool);
    if (code == SVC_OK) {
        api_reply_json(rc, 200, body, sizeof body - 1);
    } else {
        problem_send(rc, PROBLEM_SERVICE_UNAVAILABLE,
                     "the database is unreachable or its schema is not current", NULL);
    }
}

void api_ops_metrics(req_ctx *rc)
{
    char *text = metrics_render(rc->app->pool);
    if (text == NULL) {
        problem_send(rc, PROBLEM_INTERNAL, "metrics could not be rendered", NULL);
        return;
    }
    ulfius_set_binary_body_response(rc->resp, 200, text, strlen(text));
    u_map_put(rc->resp->map_header, "Content-Type", "text/plain; version=0.0.4");
    free(text);
}

void api_ops_openapi(req_ctx *rc)
{
    const embedded_file *spec = &embedded_openapi[0];
    api_reply_json(rc, 200, spec->data, spec->size);
}

static void reply_asset(req_ctx *rc, const embedded_file *f, const char *type)
{
    ulfius_set_binary_body_response(rc->resp, 200, f->data, f->size);
    u_map_put(rc->resp->map_header, "Content-Type", type);
    u_map_put(rc->resp->map_header, "Cache-Control", "public, max-age=3600");
}

void api_ops_docs(req_ctx *rc)
{
    reply_asset(rc, &embedded_openapi[1], "text/html; charset=utf-8");
}

void api_ops_docs_script(req_ctx *rc)
{
    reply_asset(rc, &embedded_openapi[2], "application/javascript; charset=utf-8");
}
