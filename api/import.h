/* POST /v1/import: whole registers in one call (DESIGN section 6). */
#ifndef API_IMPORT_H
#define API_IMPORT_H

#include "service/request.h"

void api_import(req_ctx *rc);

#endif
