/* Unit tests for service/auth.c: auth_verify against good and hostile tokens, auth_mint,
 * and the role names. Hostile tokens are built with libjwt directly or assembled by hand
 * (base64url of header and payload), so every check libjwt 1.10 leaves to us is covered:
 * pinned algorithm, exp/nbf with leeway, iss, aud, sub and the roles claim. RS256 uses
 * the test-only key pair in tests/fixtures. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jwt.h>

#include "api/parse.h"
#include "service/auth.h"
#include "suites.h"

#define T0 ((time_t)1700000000) /* "now" for hand-made claims */

static char hs_secret[] = "unit-test-hs256-secret-0123456789abcdef"; /* 39 bytes */
static char other_secret[] = "another-secret-that-is-long-enough-000000";
static char roles_claim[] = "roles";
static char custom_roles_claim[] = "https://isms.example/roles";
static char issuer[] = "https://issuer.example";
static char audience[] = "isms-api";

static svc_config hs_cfg(void)
{
    svc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.jwt_alg = JWT_ALG_HS256;
    cfg.jwt_key = (unsigned char *)hs_secret;
    cfg.jwt_key_len = strlen(hs_secret);
    cfg.jwt_leeway_seconds = 60;
    cfg.jwt_roles_claim = roles_claim;
    return cfg;
}

/* Whole file, NUL-terminated (caller frees). */
static unsigned char *read_fixture(const char *name, size_t *len_out)
{
    char path[1024];
    FILE *f;
    long n;
    unsigned char *buf;

    snprintf(path, sizeof path, "%s/%s", TEST_FIXTURES_DIR, name);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open fixture %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    ck_assert_int_gt(n, 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len_out = (size_t)n;
    return buf;
}

static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...)
{
    va_list ap;
    char *out;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    out = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(out);
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

/* Signs @p claims_json with libjwt (caller frees the token). */
static char *sign(jwt_alg_t alg, const void *key, size_t key_len, const char *claims_json)
{
    jwt_t *jwt = NULL;
    char *token;
    ck_assert_int_eq(jwt_new(&jwt), 0);
    ck_assert_msg(jwt_add_grants_json(jwt, claims_json) == 0, "bad claims %s", claims_json);
    ck_assert_int_eq(jwt_set_alg(jwt, alg, key, (int)key_len), 0);
    token = jwt_encode_str(jwt);
    jwt_free(jwt);
    ck_assert_ptr_nonnull(token);
    return token;
}

static char *hs_sign(const char *claims_json)
{
    return sign(JWT_ALG_HS256, hs_secret, strlen(hs_secret), claims_json);
}

/* header.payload.signature from the given JSON texts (caller frees). */
static char *hand_token(const char *header_json, const char *payload_json, const char *sig)
{
    char *h = base64url_encode((const unsigned char *)header_json, strlen(header_json));
    char *p = base64url_encode((const unsigned char *)payload_json, strlen(payload_json));
    char *t;
    ck_assert_ptr_nonnull(h);
    ck_assert_ptr_nonnull(p);
    t = strf("%s.%s.%s", h, p, sig);
    free(h);
    free(p);
    return t;
}

/* auth_verify with "Bearer <token>". */
static int verify(const svc_config *cfg, const char *token, time_t now, principal *p,
                  const char **reason)
{
    char *header = strf("Bearer %s", token);
    int rc;
    *reason = NULL;
    rc = auth_verify(cfg, header, now, p, reason);
    free(header);
    if (rc != 0) {
        ck_assert_msg(*reason != NULL && (*reason)[0] != '\0', "failure without a reason");
    }
    return rc;
}

static void expect_accepted(const svc_config *cfg, const char *token, time_t now, principal *p)
{
    const char *reason = NULL;
    int rc = verify(cfg, token, now, p, &reason);
    ck_assert_msg(rc == 0, "token rejected: %s", reason ? reason : "?");
}

static void expect_rejected(const svc_config *cfg, const char *token, time_t now)
{
    principal p;
    const char *reason = NULL;
    ck_assert_msg(verify(cfg, token, now, &p, &reason) == -1, "hostile token accepted");
}

/* Signs @p claims with the HS secret and expects a rejection at T0. */
static void expect_claims_rejected(const svc_config *cfg, const char *claims)
{
    char *token = hs_sign(claims);
    expect_rejected(cfg, token, T0);
    free(token);
}

static void expect_claims_accepted(const svc_config *cfg, const char *claims, principal *p)
{
    char *token = hs_sign(claims);
    expect_accepted(cfg, token, T0, p);
    free(token);
}

/* ---- mint and verify ----------------------------------------------------------------- */

START_TEST(test_auth_mint_verify_round_trip)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *token = auth_mint(&cfg, "alice", "viewer,admin", 300);
    ck_assert_ptr_nonnull(token);
    expect_accepted(&cfg, token, time(NULL), &p);
    ck_assert_str_eq(p.sub, "alice");
    ck_assert_uint_eq(p.roles, ROLE_VIEWER | ROLE_ADMIN);
    free(token);
}
END_TEST

START_TEST(test_auth_mint_all_roles_and_none)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *token = auth_mint(&cfg, "bob", "viewer,editor,auditor,admin", 300);
    ck_assert_ptr_nonnull(token);
    expect_accepted(&cfg, token, time(NULL), &p);
    ck_assert_uint_eq(p.roles, ROLE_VIEWER | ROLE_EDITOR | ROLE_AUDITOR | ROLE_ADMIN);
    free(token);

    token = auth_mint(&cfg, "carol", "", 300);
    ck_assert_ptr_nonnull(token);
    expect_accepted(&cfg, token, time(NULL), &p);
    ck_assert_str_eq(p.sub, "carol");
    ck_assert_uint_eq(p.roles, 0);
    free(token);

    token = auth_mint(&cfg, "dave", NULL, 300);
    ck_assert_ptr_nonnull(token);
    expect_accepted(&cfg, token, time(NULL), &p);
    ck_assert_uint_eq(p.roles, 0);
    free(token);
}
END_TEST

START_TEST(test_auth_mint_expires)
{
    svc_config cfg = hs_cfg();
    char *token = auth_mint(&cfg, "alice", "viewer", 300);
    ck_assert_ptr_nonnull(token);
    expect_rejected(&cfg, token, time(NULL) + 300 + 60 + 5);
    free(token);
}
END_TEST

START_TEST(test_auth_mint_with_issuer_audience)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *token;
    cfg.jwt_issuer = issuer;
    cfg.jwt_audience = audience;
    token = auth_mint(&cfg, "alice", "editor", 300);
    ck_assert_ptr_nonnull(token);
    expect_accepted(&cfg, token, time(NULL), &p);
    ck_assert_uint_eq(p.roles, ROLE_EDITOR);
    free(token);
}
END_TEST

START_TEST(test_auth_mint_refuses_asymmetric)
{
    svc_config cfg = hs_cfg();
    size_t len = 0;
    unsigned char *pem = read_fixture("jwt_rs256_public.pem", &len);
    cfg.jwt_alg = JWT_ALG_RS256;
    cfg.jwt_key = pem;
    cfg.jwt_key_len = len;
    ck_assert_ptr_null(auth_mint(&cfg, "alice", "viewer", 300));
    free(pem);
}
END_TEST

START_TEST(test_auth_mint_custom_roles_claim)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *token;
    cfg.jwt_roles_claim = custom_roles_claim;
    token = auth_mint(&cfg, "alice", "auditor", 300);
    ck_assert_ptr_nonnull(token);
    expect_accepted(&cfg, token, time(NULL), &p);
    ck_assert_uint_eq(p.roles, ROLE_AUDITOR);
    free(token);
}
END_TEST

/* ---- time claims --------------------------------------------------------------------- */

START_TEST(test_auth_exp_leeway)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *claims;

    claims = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 - 61); /* beyond leeway */
    expect_claims_rejected(&cfg, claims);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 - 3600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 - 30); /* within leeway */
    expect_claims_accepted(&cfg, claims, &p);
    ck_assert_str_eq(p.sub, "u");
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 - 60); /* at the edge */
    expect_claims_accepted(&cfg, claims, &p);
    free(claims);

    /* With no leeway the same token is refused. */
    cfg.jwt_leeway_seconds = 0;
    claims = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 - 30);
    expect_claims_rejected(&cfg, claims);
    free(claims);
}
END_TEST

START_TEST(test_auth_exp_real_number_accepted)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *claims = strf("{\"sub\":\"u\",\"exp\":%ld.5}", (long)T0 + 100);
    expect_claims_accepted(&cfg, claims, &p);
    free(claims);
}
END_TEST

START_TEST(test_auth_nbf_leeway)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *claims;

    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"nbf\":%ld}", (long)T0 + 3600, (long)T0 + 61);
    expect_claims_rejected(&cfg, claims);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"nbf\":%ld}", (long)T0 + 3600, (long)T0 + 30);
    expect_claims_accepted(&cfg, claims, &p);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"nbf\":%ld}", (long)T0 + 3600, (long)T0 - 10);
    expect_claims_accepted(&cfg, claims, &p);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"nbf\":\"%ld\"}", (long)T0 + 3600, (long)T0);
    expect_claims_rejected(&cfg, claims);
    free(claims);
}
END_TEST

START_TEST(test_auth_exp_missing_or_not_number)
{
    svc_config cfg = hs_cfg();
    char *claims;
    expect_claims_rejected(&cfg, "{\"sub\":\"u\"}");
    claims = strf("{\"sub\":\"u\",\"exp\":\"%ld\"}", (long)T0 + 3600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
    expect_claims_rejected(&cfg, "{\"sub\":\"u\",\"exp\":null}");
    expect_claims_rejected(&cfg, "{\"sub\":\"u\",\"exp\":true}");
    expect_claims_rejected(&cfg, "{\"sub\":\"u\",\"exp\":[9999999999]}");
}
END_TEST

/* ---- sub ----------------------------------------------------------------------------- */

START_TEST(test_auth_sub_required)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *claims;
    char long_sub[AUTH_SUB_MAX + 2];

    claims = strf("{\"exp\":%ld,\"roles\":[\"admin\"]}", (long)T0 + 600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
    claims = strf("{\"sub\":\"\",\"exp\":%ld}", (long)T0 + 600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
    claims = strf("{\"sub\":42,\"exp\":%ld}", (long)T0 + 600);
    expect_claims_rejected(&cfg, claims);
    free(claims);

    memset(long_sub, 's', AUTH_SUB_MAX + 1); /* one over the limit */
    long_sub[AUTH_SUB_MAX + 1] = '\0';
    claims = strf("{\"sub\":\"%s\",\"exp\":%ld}", long_sub, (long)T0 + 600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
    long_sub[AUTH_SUB_MAX] = '\0'; /* exactly the limit */
    claims = strf("{\"sub\":\"%s\",\"exp\":%ld}", long_sub, (long)T0 + 600);
    expect_claims_accepted(&cfg, claims, &p);
    ck_assert_str_eq(p.sub, long_sub);
    free(claims);
}
END_TEST

/* ---- signatures and algorithms ------------------------------------------------------- */

START_TEST(test_auth_wrong_signature)
{
    svc_config cfg = hs_cfg();
    char *claims = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 + 600);
    char *token = sign(JWT_ALG_HS256, other_secret, strlen(other_secret), claims);
    expect_rejected(&cfg, token, T0);
    free(token);
    free(claims);
}
END_TEST

START_TEST(test_auth_tampered_payload)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *claims = strf("{\"sub\":\"mallory\",\"exp\":%ld,\"roles\":[\"viewer\"]}", (long)T0 + 600);
    char *token = hs_sign(claims);
    char *d1 = strchr(token, '.');
    char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    char *mid;

    ck_assert_ptr_nonnull(d2);
    expect_accepted(&cfg, token, T0, &p); /* the untouched token is good */
    mid = d1 + 1 + (d2 - d1 - 1) / 2;
    *mid = *mid == 'A' ? 'B' : 'A';
    expect_rejected(&cfg, token, T0);
    free(token);
    free(claims);
}
END_TEST

START_TEST(test_auth_alg_none_rejected)
{
    svc_config cfg = hs_cfg();
    char *payload = strf("{\"sub\":\"u\",\"exp\":%ld,\"roles\":[\"admin\"]}", (long)T0 + 600);
    char *token = hand_token("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, "");
    char *token2 = hand_token("{\"alg\":\"None\",\"typ\":\"JWT\"}", payload, "");
    expect_rejected(&cfg, token, T0);
    expect_rejected(&cfg, token2, T0);
    free(token);
    free(token2);
    free(payload);
}
END_TEST

START_TEST(test_auth_empty_signature_rejected)
{
    svc_config cfg = hs_cfg();
    char *payload = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 + 600);
    char *token = hand_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, "");
    expect_rejected(&cfg, token, T0);
    free(token);
    free(payload);
}
END_TEST

START_TEST(test_auth_other_hmac_alg_rejected)
{
    svc_config cfg = hs_cfg();
    char *claims = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 + 600);
    /* Right secret, but HS384 while HS256 is configured. */
    char *token = sign(JWT_ALG_HS384, hs_secret, strlen(hs_secret), claims);
    expect_rejected(&cfg, token, T0);
    free(token);
    free(claims);
}
END_TEST

START_TEST(test_auth_empty_key_never_skips_signature)
{
    svc_config cfg = hs_cfg();
    char *claims = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 + 600);
    char *token = hs_sign(claims);
    cfg.jwt_key_len = 0;
    expect_rejected(&cfg, token, T0);
    free(token);
    free(claims);
}
END_TEST

START_TEST(test_auth_malformed_tokens)
{
    svc_config cfg = hs_cfg();
    static const char *const bad[] = {"x", "a.b.c", "a.b", "a..c", "e30.e30.x",
                                      "not a token at all"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_rejected(&cfg, bad[i], T0);
    }
}
END_TEST

/* LIBRARY BUG (see report), visible only under valgrind (CK_FORK=no): libjwt 1.10.2
 * jwt_b64_decode allocates 0 bytes for an empty segment and then writes past it
 * ("Invalid write of size 1" in base64_decode_block / jwt_decode). auth_verify hands the
 * token to jwt_decode unchecked, so any client can trigger the heap overflow before the
 * signature is looked at. The rejection itself already holds; the run under valgrind must
 * also be clean, which needs auth_verify to refuse empty segments before jwt_decode. */
START_TEST(test_auth_empty_segment_tokens)
{
    svc_config cfg = hs_cfg();
    static const char *const bad[] = {"..", "....", "..sig", "eyJhbGciOiJIUzI1NiJ9..",
                                      "eyJhbGciOiJIUzI1NiJ9..sig", ".e30.sig"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_rejected(&cfg, bad[i], T0);
    }
}
END_TEST

START_TEST(test_auth_rs256_legit_token)
{
    size_t pub_len = 0, priv_len = 0;
    unsigned char *pub = read_fixture("jwt_rs256_public.pem", &pub_len);
    unsigned char *priv = read_fixture("jwt_rs256_private.pem", &priv_len);
    svc_config cfg = hs_cfg();
    principal p;
    char *claims = strf("{\"sub\":\"rsa-user\",\"exp\":%ld,\"roles\":[\"auditor\"]}",
                        (long)T0 + 600);
    char *token = sign(JWT_ALG_RS256, priv, priv_len, claims);

    cfg.jwt_alg = JWT_ALG_RS256;
    cfg.jwt_key = pub;
    cfg.jwt_key_len = pub_len;
    expect_accepted(&cfg, token, T0, &p);
    ck_assert_str_eq(p.sub, "rsa-user");
    ck_assert_uint_eq(p.roles, ROLE_AUDITOR);
    free(token);
    free(claims);
    free(priv);
    free(pub);
}
END_TEST

/* The classic confusion attack: HS256 signed with the public PEM text as the HMAC secret.
 * libjwt 1.10 verifies such a token against the PEM, so only the algorithm pin stops it. */
START_TEST(test_auth_hs_rs_confusion_rejected)
{
    size_t pub_len = 0;
    unsigned char *pub = read_fixture("jwt_rs256_public.pem", &pub_len);
    svc_config cfg = hs_cfg();
    char *claims = strf("{\"sub\":\"attacker\",\"exp\":%ld,\"roles\":[\"admin\"]}",
                        (long)T0 + 600);
    char *forged = sign(JWT_ALG_HS256, pub, pub_len, claims);
    jwt_t *jwt = NULL;

    /* Precondition: the forgery does get past libjwt's own signature check. */
    ck_assert_int_eq(jwt_decode(&jwt, forged, pub, (int)pub_len), 0);
    ck_assert_int_eq(jwt_get_alg(jwt), JWT_ALG_HS256);
    jwt_free(jwt);

    cfg.jwt_alg = JWT_ALG_RS256;
    cfg.jwt_key = pub;
    cfg.jwt_key_len = pub_len;
    expect_rejected(&cfg, forged, T0);
    free(forged);
    free(claims);
    free(pub);
}
END_TEST

START_TEST(test_auth_rs256_token_rejected_when_hs256_configured)
{
    size_t priv_len = 0;
    unsigned char *priv = read_fixture("jwt_rs256_private.pem", &priv_len);
    svc_config cfg = hs_cfg();
    char *claims = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 + 600);
    char *token = sign(JWT_ALG_RS256, priv, priv_len, claims);
    expect_rejected(&cfg, token, T0);
    free(token);
    free(claims);
    free(priv);
}
END_TEST

/* ---- iss and aud --------------------------------------------------------------------- */

START_TEST(test_auth_issuer_checked)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *claims;
    cfg.jwt_issuer = issuer;

    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"iss\":\"%s\"}", (long)T0 + 600, issuer);
    expect_claims_accepted(&cfg, claims, &p);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"iss\":\"https://evil.example\"}", (long)T0 + 600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 + 600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"iss\":[\"%s\"]}", (long)T0 + 600, issuer);
    expect_claims_rejected(&cfg, claims);
    free(claims);

    /* Not configured: not checked. */
    cfg.jwt_issuer = NULL;
    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"iss\":\"https://evil.example\"}", (long)T0 + 600);
    expect_claims_accepted(&cfg, claims, &p);
    free(claims);
}
END_TEST

START_TEST(test_auth_audience_string_and_array)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *claims;
    cfg.jwt_audience = audience;

    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"aud\":\"%s\"}", (long)T0 + 600, audience);
    expect_claims_accepted(&cfg, claims, &p);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"aud\":[\"other\",\"%s\"]}", (long)T0 + 600,
                  audience);
    expect_claims_accepted(&cfg, claims, &p);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"aud\":\"other\"}", (long)T0 + 600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"aud\":[\"other\",42]}", (long)T0 + 600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"aud\":[]}", (long)T0 + 600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 + 600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"aud\":\"isms-api-evil\"}", (long)T0 + 600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
}
END_TEST

/* ---- roles --------------------------------------------------------------------------- */

START_TEST(test_auth_roles_not_array_rejected)
{
    svc_config cfg = hs_cfg();
    char *claims;
    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"roles\":\"admin\"}", (long)T0 + 600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
    claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"roles\":{\"admin\":true}}", (long)T0 + 600);
    expect_claims_rejected(&cfg, claims);
    free(claims);
}
END_TEST

START_TEST(test_auth_unknown_roles_ignored)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *claims = strf("{\"sub\":\"u\",\"exp\":%ld,"
                        "\"roles\":[\"viewer\",\"superuser\",\"ADMIN\",5,null,\"admin\"]}",
                        (long)T0 + 600);
    expect_claims_accepted(&cfg, claims, &p);
    ck_assert_uint_eq(p.roles, ROLE_VIEWER | ROLE_ADMIN);
    free(claims);
}
END_TEST

START_TEST(test_auth_roles_missing_is_no_role)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *claims = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 + 600);
    p.roles = 0xffu;
    expect_claims_accepted(&cfg, claims, &p);
    ck_assert_str_eq(p.sub, "u");
    ck_assert_uint_eq(p.roles, 0);
    free(claims);
}
END_TEST

START_TEST(test_auth_custom_roles_claim)
{
    svc_config cfg = hs_cfg();
    principal p;
    char *claims = strf("{\"sub\":\"u\",\"exp\":%ld,\"roles\":[\"admin\"],"
                        "\"%s\":[\"editor\",\"auditor\"]}",
                        (long)T0 + 600, custom_roles_claim);
    cfg.jwt_roles_claim = custom_roles_claim;
    expect_claims_accepted(&cfg, claims, &p);
    ck_assert_uint_eq(p.roles, ROLE_EDITOR | ROLE_AUDITOR); /* "roles" is not read */
    free(claims);
}
END_TEST

/* ---- the header ---------------------------------------------------------------------- */

START_TEST(test_auth_header_scheme)
{
    svc_config cfg = hs_cfg();
    principal p;
    const char *reason = NULL;
    char *claims = strf("{\"sub\":\"u\",\"exp\":%ld}", (long)T0 + 600);
    char *token = hs_sign(claims);
    char *basic = strf("Basic %s", token);
    char *bare = strf("%s", token);
    char *nospace = strf("Bearer%s", token);

    ck_assert_int_eq(auth_verify(&cfg, token, T0, &p, &reason), -1);
    ck_assert_ptr_nonnull(reason);
    reason = NULL;
    ck_assert_int_eq(auth_verify(&cfg, bare, T0, &p, &reason), -1);
    ck_assert_ptr_nonnull(reason);
    reason = NULL;
    ck_assert_int_eq(auth_verify(&cfg, basic, T0, &p, &reason), -1);
    ck_assert_ptr_nonnull(reason);
    reason = NULL;
    ck_assert_int_eq(auth_verify(&cfg, nospace, T0, &p, &reason), -1);
    ck_assert_ptr_nonnull(reason);
    reason = NULL;
    ck_assert_int_eq(auth_verify(&cfg, "Bearer ", T0, &p, &reason), -1);
    ck_assert_ptr_nonnull(reason);
    reason = NULL;
    ck_assert_int_eq(auth_verify(&cfg, "", T0, &p, &reason), -1);
    ck_assert_ptr_nonnull(reason);
    /* Control: the same token with the scheme passes. */
    expect_accepted(&cfg, token, T0, &p);
    free(nospace);
    free(bare);
    free(basic);
    free(token);
    free(claims);
}
END_TEST

START_TEST(test_auth_header_null)
{
    svc_config cfg = hs_cfg();
    principal p;
    const char *reason = NULL;
    ck_assert_int_eq(auth_verify(&cfg, NULL, T0, &p, &reason), -1);
    ck_assert_ptr_nonnull(reason);
    ck_assert_str_eq(p.sub, "");
    ck_assert_uint_eq(p.roles, 0);
}
END_TEST

START_TEST(test_auth_role_from_name)
{
    ck_assert_uint_eq(auth_role_from_name("viewer"), ROLE_VIEWER);
    ck_assert_uint_eq(auth_role_from_name("editor"), ROLE_EDITOR);
    ck_assert_uint_eq(auth_role_from_name("auditor"), ROLE_AUDITOR);
    ck_assert_uint_eq(auth_role_from_name("admin"), ROLE_ADMIN);
    ck_assert_uint_eq(auth_role_from_name("Admin"), 0);
    ck_assert_uint_eq(auth_role_from_name("admin "), 0);
    ck_assert_uint_eq(auth_role_from_name("root"), 0);
    ck_assert_uint_eq(auth_role_from_name(""), 0);
    /* The route masks accept what they say. */
    ck_assert(NEED_EDITOR & auth_role_from_name("admin"));
    ck_assert(!(NEED_EDITOR & auth_role_from_name("viewer")));
    ck_assert(NEED_AUDITOR & auth_role_from_name("auditor"));
    ck_assert(NEED_VIEWER & auth_role_from_name("auditor"));
}
END_TEST

Suite *suite_auth(void)
{
    Suite *s = suite_create("auth");
    TCase *tc;

    tc = tcase_create("mint");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_auth_mint_verify_round_trip);
    tcase_add_test(tc, test_auth_mint_all_roles_and_none);
    tcase_add_test(tc, test_auth_mint_expires);
    tcase_add_test(tc, test_auth_mint_with_issuer_audience);
    tcase_add_test(tc, test_auth_mint_refuses_asymmetric);
    tcase_add_test(tc, test_auth_mint_custom_roles_claim);
    suite_add_tcase(s, tc);

    tc = tcase_create("time");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_auth_exp_leeway);
    tcase_add_test(tc, test_auth_exp_real_number_accepted);
    tcase_add_test(tc, test_auth_nbf_leeway);
    tcase_add_test(tc, test_auth_exp_missing_or_not_number);
    suite_add_tcase(s, tc);

    tc = tcase_create("signature");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_auth_wrong_signature);
    tcase_add_test(tc, test_auth_tampered_payload);
    tcase_add_test(tc, test_auth_alg_none_rejected);
    tcase_add_test(tc, test_auth_empty_signature_rejected);
    tcase_add_test(tc, test_auth_other_hmac_alg_rejected);
    tcase_add_test(tc, test_auth_empty_key_never_skips_signature);
    tcase_add_test(tc, test_auth_malformed_tokens);
    tcase_add_test(tc, test_auth_empty_segment_tokens);
    tcase_add_test(tc, test_auth_rs256_legit_token);
    tcase_add_test(tc, test_auth_hs_rs_confusion_rejected);
    tcase_add_test(tc, test_auth_rs256_token_rejected_when_hs256_configured);
    suite_add_tcase(s, tc);

    tc = tcase_create("claims");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_auth_sub_required);
    tcase_add_test(tc, test_auth_issuer_checked);
    tcase_add_test(tc, test_auth_audience_string_and_array);
    tcase_add_test(tc, test_auth_roles_not_array_rejected);
    tcase_add_test(tc, test_auth_unknown_roles_ignored);
    tcase_add_test(tc, test_auth_roles_missing_is_no_role);
    tcase_add_test(tc, test_auth_custom_roles_claim);
    suite_add_tcase(s, tc);

    tc = tcase_create("header");
    tcase_set_timeout(tc, UNIT_TIMEOUT);
    tcase_add_test(tc, test_auth_header_scheme);
    tcase_add_test(tc, test_auth_header_null);
    tcase_add_test(tc, test_auth_role_from_name);
    suite_add_tcase(s, tc);

    return s;
}
