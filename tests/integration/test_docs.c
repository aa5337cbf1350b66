/* The API reference page, as a person sees it: rendered by a real headless Chromium
 * from the service itself, with nothing loaded from outside. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "integration/suites.h"
#include "support/check_helpers.h"

#define CHROMIUM "/usr/bin/chromium"

START_TEST(test_docs_page_and_script_served)
{
    http_response r;
    char type[128];
    api_call(&r, "GET", "/docs", NULL, NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(&r, "Content-Type", type, sizeof type), "text/html; charset=utf-8");
    ck_assert_ptr_nonnull(strstr(r.body, "/docs/redoc.standalone.js"));
    ck_assert_ptr_nonnull(strstr(r.body, "spec-url=\"/openapi.json\""));
    http_response_clear(&r);
    api_call(&r, "GET", "/docs/redoc.standalone.js", NULL, NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_uint_gt(r.body_len, 100000);
    http_response_clear(&r);
}
END_TEST

/* Runs headless Chromium on @p url with @p action ("--dump-dom" or "--screenshot=...");
 * returns what it printed (caller frees). */
static char *chromium(const char *url, const char *action)
{
    char profile[] = "/tmp/isms-chromium-XXXXXX";
    char cmd[2048];
    size_t cap = 1 << 20, len = 0;
    char *out = malloc(cap);

    ck_assert_msg(access(CHROMIUM, X_OK) == 0, "%s is missing: make test installs it", CHROMIUM);
    ck_assert_ptr_nonnull(mkdtemp(profile));
    snprintf(cmd, sizeof cmd,
             CHROMIUM " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage"
                      " --disable-quic --no-first-run --disable-background-networking"
                      " --disable-component-update --disable-sync --hide-scrollbars"
                      " --user-data-dir=%s --window-size=1280,1800"
                      " --virtual-time-budget=20000 %s '%s' 2>/dev/null; rm -rf %s",
             profile, action, url, profile);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n;
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (len + 1 == cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
    }
    out[len] = '\0';
    pclose(p);
    return out;
}

START_TEST(test_docs_render_in_chromium)
{
    char url[128], shot[600];
    http_response r;
    /* The shared instance's port: learn it from a request the harness makes. */
    api_call(&r, "GET", "/healthz", NULL, NULL, NULL);
    http_response_clear(&r);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/docs", http_port());
    char *dom = chromium(url, "--dump-dom");
    /* Operation titles come from the spec's summaries: the page rendered the spec. */
    ck_assert_msg(strstr(dom, "List objectives") != NULL, "no operation rendered: %.500s", dom);
    ck_assert_ptr_nonnull(strstr(dom, "List audit events"));
    ck_assert_ptr_nonnull(strstr(dom, "ISMS Objectives Service"));
    free(dom);
    snprintf(shot, sizeof shot, "--screenshot=%s/docs.png", TEST_OUTPUT_DIR);
    free(chromium(url, shot));
    snprintf(shot, sizeof shot, "%s/docs.png", TEST_OUTPUT_DIR);
    FILE *f = fopen(shot, "rb");
    ck_assert_msg(f != NULL, "no screenshot at %s", shot);
    fseek(f, 0, SEEK_END);
    ck_assert_int_gt(ftell(f), 10000);
    fclose(f);
}
END_TEST

Suite *suite_docs(void)
{
    Suite *s = suite_create("docs");
    TCase *tc = tcase_create("docs");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_docs_page_and_script_served);
    tcase_add_test(tc, test_docs_render_in_chromium);
    suite_add_tcase(s, tc);
    return s;
}
