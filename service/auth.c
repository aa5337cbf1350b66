/* JWT checks that libjwt 1.10 leaves to its callers: pinned algorithm, exp/nbf with
 * leeway, iss, aud, sub and the roles claim. Claims are read as JSON so their types are
 * checked (jwt_get_grant_int cannot tell a string from a number). */
#include "service/auth.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <jwt.h>

unsigned auth_role_from_name(const char *name)
{
    static const struct {
        const char *name;
        unsigned role;
    } roles[] = {{"viewer", ROLE_VIEWER},
                 {"editor", ROLE_EDITOR},
                 {"auditor", ROLE_AUDITOR},
                 {"admin", ROLE_ADMIN}};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        if (strcmp(name, roles[i].name) == 0) {
            return roles[i].role;
        }
    }
    return 0;
}

/* header.payload.signature, each part base64url and non-empty. libjwt 1.10 writes past a
 * zero-length buffer when decoding an empty part (the signature too, under RS and ES
 * keys), so nothing else reaches it. Only alg none has an empty signature: never accepted. */
static int token_shape_ok(const char *token)
{
    int dots = 0;
    size_t part_len = 0;
    for (const char *p = token;; p++) {
        if (*p == '.' || *p == '\0') {
            if (part_len == 0) {
                return 0;
            }
            if (*p == '\0') {
                return dots == 2;
            }
            dots++;
            part_len = 0;
            continue;
        }
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_')) {
            return 0;
        }
        part_len++;
    }
}

/* A NumericDate: an integer or a real, per RFC 7519. */
static int claim_time(const json_t *j_claims, const char *name, int required, double *out)
{
    const json_t *j = json_object_get(j_claims, name);
    if (j == NULL) {
        return required ? -1 : 1;
    }
    if (!json_is_number(j)) {
        return -1;
    }
    *out = json_number_value(j);
    return 0;
}

static int audience_matches(const json_t *j_aud, const char *want)
{
    size_t i;
    const json_t *j_item;

    if (json_is_string(j_aud)) {
        return strcmp(json_string_value(j_aud), want) == 0;
    }
    json_array_foreach(j_aud, i, j_item)
    {
        if (json_is_string(j_item) && strcmp(json_string_value(j_item), want) == 0) {
            return 1;
        }
    }
    return 0;
}

static int check_claims(const svc_config *cfg, const json_t *j_claims, time_t now,
                        principal *out, const char **reason_out)
{
    double exp = 0, nbf = 0;
    const json_t *j_sub = json_object_get(j_claims, "sub");
    const json_t *j_roles = json_object_get(j_claims, cfg->jwt_roles_claim);
    const json_t *j_role;
    size_t i;

    if (claim_time(j_claims, "exp", 1, &exp) != 0) {
        *reason_out = "the token has no valid exp claim";
        return -1;
    }
    if ((double)now > exp + (double)cfg->jwt_leeway_seconds) {
        *reason_out = "the token has expired";
        return -1;
    }
    int has_nbf = claim_time(j_claims, "nbf", 0, &nbf);
    if (has_nbf < 0) {
        *reason_out = "the token's nbf claim is not a number";
        return -1;
    }
    if (has_nbf == 0 && (double)now + (double)cfg->jwt_leeway_seconds < nbf) {
        *reason_out = "the token is not valid yet";
        return -1;
    }
    if (cfg->jwt_issuer != NULL) {
        const json_t *j_iss = json_object_get(j_claims, "iss");
        if (!json_is_string(j_iss) || strcmp(json_string_value(j_iss), cfg->jwt_issuer) != 0) {
            *reason_out = "the token's issuer is not accepted";
            return -1;
        }
    }
    if (cfg->jwt_audience != NULL &&
        !audience_matches(json_object_get(j_claims, "aud"), cfg->jwt_audience)) {
        *reason_out = "the token's audience is not accepted";
        return -1;
    }
    if (!json_is_string(j_sub) || json_string_length(j_sub) == 0 ||
        json_string_length(j_sub) > AUTH_SUB_MAX) {
        *reason_out = "the token has no valid sub claim";
        return -1;
    }
    memcpy(out->sub, json_string_value(j_sub), json_string_length(j_sub) + 1);
    out->roles = 0;
    if (j_roles != NULL && !json_is_array(j_roles)) {
        *reason_out = "the token's roles claim is not an array";
        return -1;
    }
    json_array_foreach(j_roles, i, j_role)
    {
        if (json_is_string(j_role)) {
            out->roles |= auth_role_from_name(json_string_value(j_role));
        }
    }
    return 0;
}

int auth_verify(const svc_config *cfg, const char *authorization, time_t now, principal *out,
                const char **reason_out)
{
    jwt_t *jwt = NULL;
    char *claims_text = NULL;
    json_t *j_claims = NULL;
    const char *token;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (authorization == NULL) {
        *reason_out = "an Authorization: Bearer token is required";
        goto out;
    }
    if (strncasecmp(authorization, "Bearer ", 7) != 0) {
        *reason_out = "the Authorization header must use the Bearer scheme";
        goto out;
    }
    token = authorization + 7;
    while (*token == ' ') {
        token++;
    }
    if (*token == '\0' || strlen(token) > 8192) {
        *reason_out = "the bearer token is missing or too long";
        goto out;
    }
    if (!token_shape_ok(token)) {
        *reason_out = "the token is malformed or its signature does not verify";
        goto out;
    }
    /* A zero key length would make libjwt skip the signature: the key is never empty. */
    if (cfg->jwt_key_len == 0 ||
        jwt_decode(&jwt, token, cfg->jwt_key, (int)cfg->jwt_key_len) != 0 || jwt == NULL) {
        *reason_out = "the token is malformed or its signature does not verify";
        goto out;
    }
    if (jwt_get_alg(jwt) != cfg->jwt_alg) {
        *reason_out = "the token is not signed with the accepted algorithm";
        goto out;
    }
    claims_text = jwt_get_grants_json(jwt, NULL);
    j_claims = claims_text ? json_loads(claims_text, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (!json_is_object(j_claims)) {
        *reason_out = "the token's claims are not a JSON object";
        goto out;
    }
    rc = check_claims(cfg, j_claims, now, out, reason_out);
out:
    json_decref(j_claims);
    free(claims_text);
    jwt_free(jwt);
    return rc;
}

char *auth_mint(const svc_config *cfg, const char *sub, const char *roles_csv, long ttl_seconds)
{
    jwt_t *jwt = NULL;
    json_t *j_roles = NULL;
    char *roles_copy = NULL, *save = NULL, *text = NULL, *token = NULL;
    time_t now = time(NULL);

    if (cfg->jwt_alg != JWT_ALG_HS256 && cfg->jwt_alg != JWT_ALG_HS384 &&
        cfg->jwt_alg != JWT_ALG_HS512) {
        goto out;
    }
    j_roles = json_array();
    roles_copy = strdup(roles_csv ? roles_csv : "");
    for (char *r = strtok_r(roles_copy, ", ", &save); r; r = strtok_r(NULL, ", ", &save)) {
        json_array_append_new(j_roles, json_string(r));
    }
    if (jwt_new(&jwt) != 0 ||
        jwt_set_alg(jwt, cfg->jwt_alg, cfg->jwt_key, (int)cfg->jwt_key_len) != 0 ||
        jwt_add_grant(jwt, "sub", sub) != 0 ||
        jwt_add_grant_int(jwt, "iat", (long)now) != 0 ||
        jwt_add_grant_int(jwt, "exp", (long)now + ttl_seconds) != 0) {
        goto out;
    }
    if (cfg->jwt_issuer && jwt_add_grant(jwt, "iss", cfg->jwt_issuer) != 0) {
        goto out;
    }
    if (cfg->jwt_audience && jwt_add_grant(jwt, "aud", cfg->jwt_audience) != 0) {
        goto out;
    }
    json_t *j_wrap = json_pack("{sO}", cfg->jwt_roles_claim, j_roles);
    text = j_wrap ? json_dumps(j_wrap, JSON_COMPACT) : NULL;
    json_decref(j_wrap);
    if (text == NULL || jwt_add_grants_json(jwt, text) != 0) {
        goto out;
    }
    token = jwt_encode_str(jwt);
out:
    free(text);
    free(roles_copy);
    json_decref(j_roles);
    jwt_free(jwt);
    return token;
}
