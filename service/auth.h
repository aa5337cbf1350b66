/* Bearer-JWT verification and the role model. The accepted algorithm comes from the
 * configuration, never from the token. */
#ifndef SVC_AUTH_H
#define SVC_AUTH_H

#include <time.h>

#include "service/config.h"

enum {
    ROLE_VIEWER = 1u << 0,
    ROLE_EDITOR = 1u << 1,
    ROLE_AUDITOR = 1u << 2,
    ROLE_ADMIN = 1u << 3,
};

/* What a route demands: any one of the roles in the mask. */
#define NEED_NONE 0u
#define NEED_VIEWER (ROLE_VIEWER | ROLE_EDITOR | ROLE_AUDITOR | ROLE_ADMIN)
#define NEED_EDITOR (ROLE_EDITOR | ROLE_ADMIN)
#define NEED_AUDITOR (ROLE_AUDITOR | ROLE_ADMIN)
#define NEED_ADMIN (ROLE_ADMIN)

#define AUTH_SUB_MAX 256

typedef struct principal {
    char sub[AUTH_SUB_MAX + 1];
    unsigned roles;
} principal;

/**
 * Verifies the value of an Authorization header.
 * @param reason_out on failure, a short client-safe reason (static string)
 * @return 0 with @p out filled, or -1
 */
int auth_verify(const svc_config *cfg, const char *authorization, time_t now, principal *out,
                const char **reason_out);

/**
 * Mints a token signed with the configured HMAC secret (HS* only).
 * @param roles_csv comma-separated role names, may be empty
 * @return the token (caller frees with free()), or NULL
 */
char *auth_mint(const svc_config *cfg, const char *sub, const char *roles_csv, long ttl_seconds);

/** Parses one role name; 0 when unknown. */
unsigned auth_role_from_name(const char *name);

#endif
