/* Two service instances on one database, as behind a load balancer: both start at once,
 * either serves what the other wrote, optimistic concurrency and idempotency hold across
 * them, and concurrent creates through both lose nothing and never share a ref. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "integration/suites.h"
#include "service/embedded.h"
#include "support/check_helpers.h"

/* Starts two instances at once, without waiting for either, then waits for both to be
 * ready (/readyz 200). */
static void start_pair(service_proc *a, service_proc *b)
{
    ck_assert_int_eq(harness_spawn(a, NULL, 0), 0);
    ck_assert_int_eq(harness_spawn(b, NULL, 0), 0);
    for (int i = 0; i < 2; i++) {
        service_proc *p = i ? b : a;
        int up = 0;
        for (int k = 0; k < 400 && !up; k++) {
            http_response r;
            http_set_port(p->port);
            up = http_send(&r, "GET", "/readyz", NULL, NULL, 0) == 0 && r.status == 200;
            http_response_clear(&r);
            if (!up) {
                usleep(50 * 1000);
            }
        }
        ck_assert_msg(up, "instance %c not ready: see %s", i ? 'B' : 'A', p->log_path);
    }
}

static void stop_pair(service_proc *a, service_proc *b, int shared_port)
{
    ck_assert_int_eq(harness_stop(a, SIGTERM), 0);
    ck_assert_int_eq(harness_stop(b, SIGTERM), 0);
    http_set_port(shared_port);
}

static void on(const service_proc *p) { http_set_port(p->port); }

static PGconn *db(void)
{
    PGconn *c = PQconnectdb(harness_database_url());
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
    return c;
}

static char *create_objective(const char *title, const char *extra)
{
    http_response r;
    char body[512];
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"level\":\"tactical\"%s%s}", title,
             extra[0] ? "," : "", extra);
    api_call(&r, "POST", "/v1/objectives", "editor", body, NULL);
    ck_assert_status(r, 201);
    char *id = strdup(jstr(r.json, "id"));
    http_response_clear(&r);
    return id;
}

START_TEST(test_two_instances_start_together)
{
    service_proc a, b;
    int shared_port = http_port();
    start_pair(&a, &b);

    /* One row per migration, however many instances ran the check. */
    PGconn *c = db();
    PGresult *res = PQexec(c, "SELECT count(*), count(DISTINCT version) FROM schema_migrations");
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    ck_assert_int_eq(atoi(PQgetvalue(res, 0, 0)), (int)embedded_migrations_count);
    ck_assert_int_eq(atoi(PQgetvalue(res, 0, 1)), (int)embedded_migrations_count);
    PQclear(res);
    PQfinish(c);

    /* Both serve; the metrics are per instance. */
    for (int i = 0; i < 2; i++) {
        http_response r;
        on(i ? &b : &a);
        api_call(&r, "GET", "/v1/objectives?limit=1", "viewer", NULL, NULL);
        ck_assert_status(r, 200);
        http_response_clear(&r);
        api_call(&r, "GET", "/healthz", NULL, NULL, NULL);
        ck_assert_status(r, 200);
        http_response_clear(&r);
    }
    stop_pair(&a, &b, shared_port);
}
END_TEST

START_TEST(test_two_instances_read_and_conditional_writes)
{
    service_proc a, b;
    http_response r, ra;
    char path[128], etag_a[32], etag_b[32], uniq[64];
    int shared_port = http_port();
    start_pair(&a, &b);

    on(&a);
    char *id = create_objective(harness_unique("ab", uniq, sizeof uniq), "");
    fmt_path(path, sizeof path, "/v1/objectives/%s", id);
    api_call(&ra, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(ra, 200);
    on(&b);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_msg(json_equal(r.json, ra.json), "B: %s\nA: %s", r.body, ra.body);
    ck_assert_str_eq(http_header(&r, "ETag", etag_b, sizeof etag_b), "\"1\"");
    ck_assert_str_eq(http_header(&ra, "ETag", etag_a, sizeof etag_a), etag_b);
    http_response_clear(&r);
    http_response_clear(&ra);

    /* PATCH through A with If-Match "1", then through B with the same stale tag. */
    const char *if1[] = {"If-Match: \"1\"", NULL};
    on(&a);
    api_call(&ra, "PATCH", path, "editor", "{\"owner\":\"through A\"}", if1);
    ck_assert_status(ra, 200);
    ck_assert_str_eq(http_header(&ra, "ETag", etag_a, sizeof etag_a), "\"2\"");
    on(&b);
    api_call(&r, "PATCH", path, "editor", "{\"owner\":\"through B\"}", if1);
    ck_assert_problem(r, 412, NULL, NULL);
    http_response_clear(&r);
    api_call(&r, "DELETE", path, "admin", NULL, if1);
    ck_assert_problem(r, 412, NULL, NULL);
    http_response_clear(&r);
    /* B sees A's write, and a cache validator from A works on B. */
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r.json, "owner"), "through A");
    ck_assert_int_eq(jint(r.json, "version"), 2);
    ck_assert_msg(json_equal(r.json, ra.json), "B: %s\nA's PATCH reply: %s", r.body, ra.body);
    http_response_clear(&r);
    const char *inm[] = {"If-None-Match: \"2\"", NULL};
    api_call(&r, "GET", path, "viewer", NULL, inm);
    ck_assert_int_eq(r.status, 304);
    http_response_clear(&r);
    http_response_clear(&ra);
    /* And B's write with the current tag is seen by A. */
    const char *if2[] = {"If-Match: \"2\"", NULL};
    api_call(&r, "PATCH", path, "editor", "{\"owner\":\"through B\"}", if2);
    ck_assert_status(r, 200);
    http_response_clear(&r);
    on(&a);
    api_call(&r, "GET", path, "viewer", NULL, NULL);
    ck_assert_str_eq(jstr(r.json, "owner"), "through B");
    ck_assert_int_eq(jint(r.json, "version"), 3);
    http_response_clear(&r);
    free(id);
    stop_pair(&a, &b, shared_port);
}
END_TEST

/* Child: @p n creates through @p port, titled "<tag>-<first + i>"; exits with the number
 * of replies that were not 201. */
static void create_child(int port, const char *tag, int first, int n)
{
    int failed = 0;
    http_set_port(port);
    for (int i = 0; i < n; i++) {
        http_response r;
        char body[256];
        snprintf(body, sizeof body,
                 "{\"title\":\"%s-%d\",\"level\":\"tactical\",\"function\":\"%s\"}", tag,
                 first + i, tag);
        if (api_call(&r, "POST", "/v1/objectives", "editor", body, NULL) != 0 ||
            r.status != 201) {
            fprintf(stderr, "create %d through %d: %d %.300s\n", first + i, port, r.status,
                    r.body ? r.body : "");
            failed++;
        }
        http_response_clear(&r);
    }
    _exit(failed > 250 ? 250 : failed);
}

static int wait_child(pid_t pid)
{
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

START_TEST(test_two_instances_concurrent_creates)
{
    enum { PER_CHILD = 50, CHILDREN = 4, TOTAL = PER_CHILD * CHILDREN };
    service_proc a, b;
    char tag[64], path[1024];
    pid_t kids[CHILDREN];
    int shared_port = http_port();
    start_pair(&a, &b);
    harness_unique("race", tag, sizeof tag);

    /* Two clients per instance, all at once. */
    for (int k = 0; k < CHILDREN; k++) {
        kids[k] = fork();
        ck_assert_int_ge(kids[k], 0);
        if (kids[k] == 0) {
            create_child(k % 2 ? b.port : a.port, tag, k * PER_CHILD, PER_CHILD);
        }
    }
    for (int k = 0; k < CHILDREN; k++) {
        ck_assert_msg(wait_child(kids[k]) == 0, "client %d had failed creates", k);
    }

    /* Through the API, from B: all of them, distinct ids and refs, every title once. */
    on(&b);
    json_t *j_ids = json_object(), *j_refs = json_object(), *j_titles = json_object();
    char cursor[1024] = "";
    int pages = 0;
    do {
        http_response r;
        fmt_path(path, sizeof path, "/v1/objectives?function=%s&limit=200%s%s", tag,
                 cursor[0] ? "&cursor=" : "", cursor);
        api_call(&r, "GET", path, "viewer", NULL, NULL);
        ck_assert_status(r, 200);
        size_t i;
        json_t *j_item;
        json_array_foreach(json_object_get(r.json, "items"), i, j_item)
        {
            json_object_set_new(j_ids, jstr(j_item, "id"), json_true());
            json_object_set_new(j_refs, jstr(j_item, "ref"), json_true());
            json_object_set_new(j_titles, jstr(j_item, "title"), json_true());
        }
        const char *next = jstr(r.json, "next_cursor");
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        http_response_clear(&r);
    } while (cursor[0] && ++pages < 10);
    ck_assert_uint_eq(json_object_size(j_ids), TOTAL);
    ck_assert_uint_eq(json_object_size(j_refs), TOTAL);
    ck_assert_uint_eq(json_object_size(j_titles), TOTAL);
    json_decref(j_ids);
    json_decref(j_refs);
    json_decref(j_titles);

    /* And in the table itself. */
    PGconn *c = db();
    const char *params[] = {tag};
    PGresult *res = PQexecParams(c,
                                 "SELECT count(*), count(DISTINCT id), count(DISTINCT ref), "
                                 "count(DISTINCT title) FROM objectives WHERE function = $1",
                                 1, NULL, params, NULL, NULL, 0);
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    for (int col = 0; col < 4; col++) {
        ck_assert_int_eq(atoi(PQgetvalue(res, 0, col)), TOTAL);
    }
    PQclear(res);
    PQfinish(c);
    stop_pair(&a, &b, shared_port);
}
END_TEST

START_TEST(test_two_instances_race_on_one_ref_and_one_version)
{
    enum { ROUNDS = 20 };
    service_proc a, b;
    char tag[64];
    int shared_port = http_port();
    /* statuses[side][round]: one slot per request, written by the children. */
    int(*statuses)[ROUNDS] = mmap(NULL, sizeof(int) * 2 * ROUNDS, PROT_READ | PROT_WRITE,
                                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(statuses, MAP_FAILED);
    start_pair(&a, &b);
    harness_unique("R", tag, sizeof tag);
    /* refs: 1-64 of A-Z a-z 0-9 . _ - */
    for (char *p = tag; *p; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) {
            *p = '-';
        }
    }

    /* Both instances create the same client-chosen refs at the same moment: exactly one
     * 201 and one 409 per ref. */
    pid_t kids[2];
    for (int side = 0; side < 2; side++) {
        kids[side] = fork();
        ck_assert_int_ge(kids[side], 0);
        if (kids[side] == 0) {
            http_set_port(side ? b.port : a.port);
            for (int i = 0; i < ROUNDS; i++) {
                http_response r;
                char body[256];
                snprintf(body, sizeof body,
                         "{\"ref\":\"%.40s-%d\",\"title\":\"same ref\",\"level\":\"tactical\"}",
                         tag, i);
                statuses[side][i] =
                    api_call(&r, "POST", "/v1/objectives", "editor", body, NULL) == 0 ? r.status
                                                                                      : -1;
                http_response_clear(&r);
            }
            _exit(0);
        }
    }
    ck_assert_int_eq(wait_child(kids[0]), 0);
    ck_assert_int_eq(wait_child(kids[1]), 0);
    for (int i = 0; i < ROUNDS; i++) {
        int s0 = statuses[0][i], s1 = statuses[1][i];
        ck_assert_msg((s0 == 201 && s1 == 409) || (s0 == 409 && s1 == 201),
                      "ref %d: A %d, B %d", i, s0, s1);
    }

    /* Both instances PATCH the same objectives with If-Match "1" at once: exactly one
     * wins each, the other gets 412, and the winner's value is what is stored. */
    char *ids[ROUNDS];
    on(&a);
    for (int i = 0; i < ROUNDS; i++) {
        ids[i] = create_objective("lost update", "");
    }
    for (int side = 0; side < 2; side++) {
        kids[side] = fork();
        ck_assert_int_ge(kids[side], 0);
        if (kids[side] == 0) {
            const char *if1[] = {"If-Match: \"1\"", NULL};
            http_set_port(side ? b.port : a.port);
            for (int i = 0; i < ROUNDS; i++) {
                http_response r;
                char path[128];
                fmt_path(path, sizeof path, "/v1/objectives/%s", ids[i]);
                statuses[side][i] = api_call(&r, "PATCH", path, "editor",
                                             side ? "{\"owner\":\"B\"}" : "{\"owner\":\"A\"}",
                                             if1) == 0
                                        ? r.status
                                        : -1;
                http_response_clear(&r);
            }
            _exit(0);
        }
    }
    ck_assert_int_eq(wait_child(kids[0]), 0);
    ck_assert_int_eq(wait_child(kids[1]), 0);
    on(&b);
    for (int i = 0; i < ROUNDS; i++) {
        int s0 = statuses[0][i], s1 = statuses[1][i];
        ck_assert_msg((s0 == 200 && s1 == 412) || (s0 == 412 && s1 == 200),
                      "objective %d: A %d, B %d", i, s0, s1);
        http_response r;
        char path[128];
        api_call(&r, "GET", fmt_path(path, sizeof path, "/v1/objectives/%s", ids[i]), "viewer",
                 NULL, NULL);
        ck_assert_int_eq(jint(r.json, "version"), 2);
        ck_assert_str_eq(jstr(r.json, "owner"), s0 == 200 ? "A" : "B");
        http_response_clear(&r);
        free(ids[i]);
    }
    munmap(statuses, sizeof(int) * 2 * ROUNDS);
    stop_pair(&a, &b, shared_port);
}
END_TEST

static void post_keyed(http_response *r, const char *body, const char *key)
{
    char auth[1200], idem[300];
    char *token = harness_token("idem-two", "editor");
    const char *headers[] = {auth, "Content-Type: application/json", idem, NULL};
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
    ck_assert_int_eq(http_send(r, "POST", "/v1/objectives", headers, body, strlen(body)), 0);
    free(token);
}

START_TEST(test_two_instances_idempotency_key_replayed_across)
{
    service_proc a, b;
    http_response r, again;
    char key[80], title[80], body[256], v[256], loc[256];
    int shared_port = http_port();
    start_pair(&a, &b);
    harness_unique("two-key", key, sizeof key);
    harness_unique("two-idem", title, sizeof title);
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"level\":\"tactical\"}", title);

    on(&a);
    post_keyed(&r, body, key);
    ck_assert_status(r, 201);
    ck_assert_ptr_null(http_header(&r, "Idempotent-Replayed", v, sizeof v));
    on(&b);
    post_keyed(&again, body, key);
    ck_assert_status(again, 201);
    ck_assert_ptr_nonnull(http_header(&again, "Idempotent-Replayed", v, sizeof v));
    ck_assert_str_eq(v, "true");
    ck_assert_uint_eq(again.body_len, r.body_len);
    ck_assert_int_eq(memcmp(again.body, r.body, r.body_len), 0);
    ck_assert_str_eq(http_header(&again, "Location", v, sizeof v),
                     http_header(&r, "Location", loc, sizeof loc));
    http_response_clear(&again);
    http_response_clear(&r);

    /* The same key with another body, through B: refused, nothing created. */
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"level\":\"strategic\"}", title);
    post_keyed(&r, body, key);
    ck_assert_problem(r, 422, "", "conflict");
    http_response_clear(&r);

    /* Only one objective has that title, seen from either side. */
    for (int i = 0; i < 2; i++) {
        char path[256];
        on(i ? &b : &a);
        api_call(&r, "GET", fmt_path(path, sizeof path, "/v1/objectives?q=%s", title), "viewer",
                 NULL, NULL);
        ck_assert_status(r, 200);
        ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 1);
        http_response_clear(&r);
    }

    /* A key first used on B while A races it with the same request: one create. */
    harness_unique("two-key", key, sizeof key);
    harness_unique("two-race", title, sizeof title);
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"level\":\"tactical\"}", title);
    pid_t kids[2];
    for (int side = 0; side < 2; side++) {
        kids[side] = fork();
        ck_assert_int_ge(kids[side], 0);
        if (kids[side] == 0) {
            http_response kr;
            char kauth[1200], kidem[300];
            char *token = harness_token("idem-two", "editor");
            const char *h[] = {kauth, "Content-Type: application/json", kidem, NULL};
            snprintf(kauth, sizeof kauth, "Authorization: Bearer %s", token);
            snprintf(kidem, sizeof kidem, "Idempotency-Key: %s", key);
            http_set_port(side ? b.port : a.port);
            int rc = http_send(&kr, "POST", "/v1/objectives", h, body, strlen(body));
            /* 201 (first or replay) or 409 (the other is still in flight). */
            _exit(rc == 0 && (kr.status == 201 || kr.status == 409) ? 0 : 1);
        }
    }
    ck_assert_int_eq(wait_child(kids[0]), 0);
    ck_assert_int_eq(wait_child(kids[1]), 0);
    {
        char path[256];
        api_call(&r, "GET", fmt_path(path, sizeof path, "/v1/objectives?q=%s", title), "viewer",
                 NULL, NULL);
        ck_assert_status(r, 200);
        ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 1);
        http_response_clear(&r);
    }
    stop_pair(&a, &b, shared_port);
}
END_TEST

Suite *suite_two_instances(void)
{
    Suite *s = suite_create("two_instances");
    TCase *tc = tcase_create("two_instances");
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_two_instances_start_together);
    tcase_add_test(tc, test_two_instances_read_and_conditional_writes);
    tcase_add_test(tc, test_two_instances_concurrent_creates);
    tcase_add_test(tc, test_two_instances_race_on_one_ref_and_one_version);
    tcase_add_test(tc, test_two_instances_idempotency_key_replayed_across);
    suite_add_tcase(s, tc);
    return s;
}
