/* Fuzz target: the Authorization header. The bytes (up to the first NUL, as a header
 * value) go through auth_verify as they are and with "Bearer " in front, against an
 * HS256 configuration (fixed secret, issuer and audience checked, a namespaced roles
 * claim) and an RS256 configuration (tests/fixtures/jwt_rs256_public.pem). "Now" is
 * fixed, so seed tokens stay valid.
 *
 * An input with a NUL byte is also read as "<header JSON>\0<claims JSON>": the two parts
 * are base64url-encoded and signed with the HS256 secret, so the signature verifies and
 * the claim checks (exp, nbf, iss, aud, sub, roles) see arbitrary JSON.
 *
 * Properties: a rejection has a reason; an acceptance has a non-empty sub of at most
 * AUTH_SUB_MAX bytes and only known role bits; no header is accepted by both
 * configurations (the algorithm is pinned); a signed token is accepted only when its
 * header says HS256 and its claims hold the configured iss and aud, a numeric exp not
 * past and the sub that auth_verify reports. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <jansson.h>

#include "api/parse.h"
#include "service/auth.h"
#include "fuzz_util.h"

#define NOW ((time_t)1750000000) /* 2025-06-15 */

static char hs_secret[] = "fuzz-hs256-secret-0123456789abcdef0123";
static char issuer[] = "https://issuer.example";
static char audience[] = "isms-api";
static char roles_claim[] = "https://isms.example/roles";
static char plain_roles_claim[] = "roles";

static svc_config hs_cfg, rs_cfg;

static unsigned char *read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0) {
        fprintf(stderr, "fuzz_jwt: cannot read %s\n", path);
        abort();
    }
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        abort();
    }
    fclose(f);
    buf[n] = '\0';
    *len_out = (size_t)n;
    return buf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hs_cfg.jwt_alg = JWT_ALG_HS256;
    hs_cfg.jwt_key = (unsigned char *)hs_secret;
    hs_cfg.jwt_key_len = strlen(hs_secret);
    hs_cfg.jwt_leeway_seconds = 60;
    hs_cfg.jwt_issuer = issuer;
    hs_cfg.jwt_audience = audience;
    hs_cfg.jwt_roles_claim = roles_claim;

    rs_cfg.jwt_alg = JWT_ALG_RS256;
    rs_cfg.jwt_key = read_file(FUZZ_FIXTURES_DIR "/jwt_rs256_public.pem", &rs_cfg.jwt_key_len);
    rs_cfg.jwt_leeway_seconds = 60;
    rs_cfg.jwt_roles_claim = plain_roles_claim;
    return 0;
}

static int verify_as(const svc_config *cfg, const char *header, principal *out)
{
    principal p;
    const char *reason = NULL;
    int rc = auth_verify(cfg, header, NOW, &p, &reason);

    if (rc != 0) {
        FUZZ_CHECK(rc == -1 && reason != NULL && reason[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(p.sub[0] != '\0' && strlen(p.sub) <= AUTH_SUB_MAX);
    FUZZ_CHECK((p.roles & ~(unsigned)(ROLE_VIEWER | ROLE_EDITOR | ROLE_AUDITOR | ROLE_ADMIN)) == 0);
    if (out != NULL) {
        *out = p;
    }
    return 1;
}

static int verify(const svc_config *cfg, const char *header)
{
    return verify_as(cfg, header, NULL);
}

static void verify_both(const char *header)
{
    int hs = verify(&hs_cfg, header);
    int rs = verify(&rs_cfg, header);
    FUZZ_CHECK(!(hs && rs));
}

/* "Bearer <b64 header>.<b64 claims>.<b64 HMAC-SHA256>" for the two raw parts. */
static char *signed_header(const uint8_t *head, size_t head_len, const uint8_t *claims,
                           size_t claims_len)
{
    unsigned char mac[32];
    char *h = base64url_encode(head, head_len);
    char *c = base64url_encode(claims, claims_len);
    char *signing_input = NULL, *sig = NULL, *out = NULL;
    size_t n;

    FUZZ_CHECK(h != NULL && c != NULL);
    n = strlen(h) + strlen(c) + 2;
    signing_input = malloc(n);
    FUZZ_CHECK(signing_input != NULL);
    snprintf(signing_input, n, "%s.%s", h, c);
    FUZZ_CHECK(gnutls_hmac_fast(GNUTLS_MAC_SHA256, hs_secret, strlen(hs_secret), signing_input,
                                strlen(signing_input), mac) == 0);
    sig = base64url_encode(mac, sizeof mac);
    FUZZ_CHECK(sig != NULL);
    n = strlen(signing_input) + strlen(sig) + 9;
    out = malloc(n);
    FUZZ_CHECK(out != NULL);
    snprintf(out, n, "Bearer %s.%s", signing_input, sig);
    free(sig);
    free(signing_input);
    free(c);
    free(h);
    return out;
}

static int audience_has(const json_t *j_aud, const char *want)
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

static void verify_signed(const uint8_t *head, size_t head_len, const uint8_t *claims,
                          size_t claims_len)
{
    char *header = signed_header(head, head_len, claims, claims_len);
    principal p;
    json_t *j_head = NULL, *j_claims = NULL;

    if (verify_as(&hs_cfg, header, &p)) {
        /* libjwt reads both parts as C strings (up to a NUL) without rejecting duplicate
         * keys: the last one wins. */
        j_head = json_loadb((const char *)head, strnlen((const char *)head, head_len), 0, NULL);
        j_claims = json_loadb((const char *)claims, strnlen((const char *)claims, claims_len), 0,
                              NULL);
        const char *alg = json_string_value(json_object_get(j_head, "alg"));
        /* libjwt matches alg names ignoring case ("hs256"); the key still decides. */
        FUZZ_CHECK(alg != NULL && strcasecmp(alg, "HS256") == 0);
        FUZZ_CHECK(json_is_number(json_object_get(j_claims, "exp")));
        FUZZ_CHECK(json_number_value(json_object_get(j_claims, "exp")) + 60 >= (double)NOW);
        FUZZ_CHECK(json_is_string(json_object_get(j_claims, "iss")) &&
                   strcmp(json_string_value(json_object_get(j_claims, "iss")), issuer) == 0);
        FUZZ_CHECK(audience_has(json_object_get(j_claims, "aud"), audience));
        FUZZ_CHECK(json_is_string(json_object_get(j_claims, "sub")) &&
                   strcmp(json_string_value(json_object_get(j_claims, "sub")), p.sub) == 0);
    }
    FUZZ_CHECK(!verify(&rs_cfg, header));
    json_decref(j_head);
    json_decref(j_claims);
    free(header);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *value = fuzz_cstr(data, size);
    size_t len = strlen(value);
    char *bearer = malloc(len + 8);

    FUZZ_CHECK(bearer != NULL);
    memcpy(bearer, "Bearer ", 7);
    memcpy(bearer + 7, value, len + 1);
    verify_both(value);
    verify_both(bearer);
    if (len < size) {
        verify_signed(data, len, data + len + 1, size - len - 1);
    }
    free(bearer);
    free(value);
    return 0;
}
